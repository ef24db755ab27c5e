package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The .deb installed and run under a real systemd: a fresh Debian 12 root (debootstrap
 * --variant=minbase bookworm, plus systemd, a Java 17 runtime and Postfix; test-fixtures/uml/
 * systemd-root.sh, cached outside the checkout) booted in User-Mode Linux with systemd as PID 1
 * (systemd-boot.sh). A oneshot unit in the guest (test-fixtures/uml/systemd/ldirector-package-test)
 * installs the package rpm/build-deb.sh built from the jar and runs start, status, reload,
 * autoreload, a failing real with its email alert, an instance unit, an upgrade to a second build
 * with the daemons running while the IPVS table is watched, and stop; then the RPM that
 * rpm/build-rpm.sh built is installed on the same root with rpm, started, upgraded the same way and
 * stopped. This test reads the guest's results.
 *
 * <p>Alone: {@code nice mvn -B -o verify -Puml -Dit.test=SystemdPackageUmlTest -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("uml")
class SystemdPackageUmlTest {
    /** Every step the guest runs, in order; each must report ok. */
    static final List<String> STEPS =
            List.of(
                    "setup",
                    "install",
                    "start",
                    "status",
                    "reload",
                    "autoreload",
                    "failing-real",
                    "email",
                    "real-back",
                    "instance",
                    "upgrade",
                    "stop",
                    "rpm-install",
                    "rpm-start",
                    "rpm-upgrade",
                    "rpm-stop");

    static String run(Map<String, String> env, String... argv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1200, TimeUnit.SECONDS), "timed out: " + String.join(" ", argv));
        assertEquals(0, p.exitValue(), String.join(" ", argv) + "\n" + text);
        return text;
    }

    @Test
    void theDebUnderSystemdStartsReloadsFailsOverMailsUpgradesWithoutTouchingTheTableAndStops()
            throws Exception {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "debootstrap and the guest's root need root");
        Path project = UmlHarness.projectRoot();
        assertTrue(
                Files.isRegularFile(project.resolve("target/ldirector.jar")),
                "mvn package has not built the jar");
        Path work = project.resolve("target/systemd-uml");
        run(Map.of(), "rm", "-rf", "--one-file-system", work.toString());
        Files.createDirectories(work);

        long t0 = System.nanoTime();
        Path first =
                Path.of(
                        run(
                                        Map.of(),
                                        project.resolve("rpm/build-deb.sh").toString(),
                                        work.resolve("deb1").toString())
                                .strip());
        String version = run(Map.of(), "dpkg-deb", "-f", first.toString(), "Version").strip();
        // sorts after the first build's version, as a newer release does
        Path second =
                Path.of(
                        run(
                                        Map.of("DEB_VERSION", version + ".1"),
                                        project.resolve("rpm/build-deb.sh").toString(),
                                        work.resolve("deb2").toString())
                                .strip());

        Path firstRpm =
                Path.of(
                        lastLine(
                                run(
                                        Map.of(),
                                        project.resolve("rpm/build-rpm.sh").toString(),
                                        work.resolve("rpm1").toString())));
        String release =
                run(Map.of(), "rpm", "-qp", "--qf", "%{RELEASE}", firstRpm.toString()).strip();
        Path secondRpm =
                Path.of(
                        lastLine(
                                run(
                                        Map.of("RPM_RELEASE", release + ".1"),
                                        project.resolve("rpm/build-rpm.sh").toString(),
                                        work.resolve("rpm2").toString())));

        String cached =
                run(Map.of(), project.resolve("test-fixtures/uml/systemd-root.sh").toString())
                        .strip();
        Path pristine = Path.of(lastLine(cached));
        long prepared = System.nanoTime();
        // the guest writes to its root: a copy, so the cached one stays as built
        Path root = work.resolve("root");
        run(Map.of(), "cp", "-a", "--reflink=auto", pristine.toString(), root.toString());
        Files.createDirectories(root.resolve("root/debs"));
        Files.copy(first, root.resolve("root/debs/first.deb"));
        Files.copy(second, root.resolve("root/debs/second.deb"));
        Files.createDirectories(root.resolve("root/rpms"));
        Files.copy(firstRpm, root.resolve("root/rpms/first.rpm"));
        Files.copy(secondRpm, root.resolve("root/rpms/second.rpm"));
        Path script = root.resolve("usr/local/sbin/ldirector-package-test");
        Files.copy(
                project.resolve("test-fixtures/uml/systemd/ldirector-package-test"),
                script,
                StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = root.resolve("etc/systemd/system/ldirector-package-test.service");
        Files.copy(
                project.resolve("test-fixtures/uml/systemd/ldirector-package-test.service"), unit);
        Path wants = root.resolve("etc/systemd/system/multi-user.target.wants");
        Files.createDirectories(wants);
        Files.createSymbolicLink(
                wants.resolve("ldirector-package-test.service"),
                Path.of("/etc/systemd/system/ldirector-package-test.service"));
        long copied = System.nanoTime();

        Process boot =
                new ProcessBuilder(
                                "bash",
                                project.resolve("test-fixtures/uml/systemd-boot.sh").toString(),
                                root.toString(),
                                "1200")
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        StringBuilder console = new StringBuilder();
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(boot.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[uml] " + line);
                console.append(line).append('\n');
            }
        }
        assertTrue(boot.waitFor(60, TimeUnit.SECONDS), "systemd-boot.sh did not end");
        long booted = System.nanoTime();
        assertEquals(
                0, boot.exitValue(), "the guest did not power off by itself:\n" + tail(console));

        Path resultsFile = root.resolve("var/lib/ldirector-test/results");
        assertTrue(
                Files.isRegularFile(resultsFile),
                "the guest's test unit never ran:\n" + tail(console));
        List<String> results = Files.readAllLines(resultsFile);
        System.out.printf(
                "SystemdPackageUmlTest: debs and root ready after %.1f s, root copied in %.1f s,"
                        + " guest ran %.1f s%n",
                (prepared - t0) / 1e9, (copied - prepared) / 1e9, (booted - copied) / 1e9);
        results.forEach(l -> System.out.println("SystemdPackageUmlTest: " + l));
        String diagnosis =
                String.join("\n", results)
                        + "\n--- journal (tail) ---\n"
                        + tail(readOr(root.resolve("var/lib/ldirector-test/journal.txt")));
        List<String> ran = new ArrayList<>();
        for (String l : results) {
            if (l.startsWith("STEP ")) {
                String[] f = l.split(" ", 5);
                assertEquals("ok", f[2], "step " + f[1] + " failed:\n" + diagnosis);
                ran.add(f[1]);
            }
        }
        assertEquals(STEPS, ran, diagnosis);
        assertEquals("DONE", results.get(results.size() - 1), diagnosis);
        // passed: the copy of the root goes (the cached one stays); kept on failure for a look
        run(Map.of(), "rm", "-rf", "--one-file-system", root.toString());
    }

    private static String lastLine(String text) {
        String s = text.strip();
        return s.substring(s.lastIndexOf('\n') + 1);
    }

    private static String readOr(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    private static String tail(CharSequence text) {
        String s = text.toString();
        return s.length() <= 6000 ? s : s.substring(s.length() - 6000);
    }
}
