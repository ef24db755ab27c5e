package org.ldirector.check.negotiate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** A self-signed server certificate made once per run with the JDK's keytool, under target/. */
final class TestTls {
    private static final char[] PASS = "changeit".toCharArray();

    private TestTls() {}

    static synchronized SSLContext serverContext() throws IOException {
        try {
            Path dir = Files.createDirectories(Path.of("target", "negotiate-tls"));
            Path store = dir.resolve("server.p12");
            if (!Files.exists(store)) {
                Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
                Process p =
                        new ProcessBuilder(
                                        keytool.toString(),
                                        "-genkeypair",
                                        "-keystore",
                                        store.toString(),
                                        "-storetype",
                                        "PKCS12",
                                        "-storepass",
                                        new String(PASS),
                                        "-alias",
                                        "peer",
                                        "-keyalg",
                                        "EC",
                                        "-dname",
                                        "CN=peer.invalid",
                                        "-validity",
                                        "2")
                                .redirectErrorStream(true)
                                .start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("keytool failed: " + out);
                }
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASS);
            }
            KeyManagerFactory kmf =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASS);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot make a test certificate", e);
        }
    }
}
