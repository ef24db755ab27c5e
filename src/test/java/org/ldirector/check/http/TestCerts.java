package org.ldirector.check.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made with the JDK's keytool under target/ (a PKCS12 key store and the
 * PEM certificate).
 */
final class TestCerts {
    static final String PASS = "changeit";

    record Cert(Path keystore, Path pem) {}

    private TestCerts() {}

    static synchronized Cert make(String name, String dnsName) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "check-tls"));
        Path store = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        if (!Files.exists(pem)) {
            Files.deleteIfExists(store);
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(
                    List.of(
                            keytool,
                            "-genkeypair",
                            "-keystore",
                            store.toString(),
                            "-storetype",
                            "PKCS12",
                            "-storepass",
                            PASS,
                            "-keypass",
                            PASS,
                            "-alias",
                            "peer",
                            "-keyalg",
                            "EC",
                            "-dname",
                            "CN=" + dnsName,
                            "-ext",
                            "SAN=dns:" + dnsName,
                            "-validity",
                            "3"));
            run(
                    List.of(
                            keytool,
                            "-exportcert",
                            "-rfc",
                            "-keystore",
                            store.toString(),
                            "-storetype",
                            "PKCS12",
                            "-storepass",
                            PASS,
                            "-alias",
                            "peer",
                            "-file",
                            pem.toString()));
        }
        return new Cert(store.toAbsolutePath(), pem.toAbsolutePath());
    }

    private static void run(List<String> argv) throws IOException {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
