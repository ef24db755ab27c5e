package org.ldirector.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ldirector starts the JVM with SIGHUP at its default even when it was started with SIGHUP
 * ignored (nohup, or a parent that ignores it): a JVM that inherits the ignore never installs
 * ldirector's handler, and reload by SIGHUP would silently do nothing. A stand-in java reports the
 * disposition it was started with, as bash sees it.
 */
class LauncherHupTest {
    @TempDir Path dir;
    private Path launcher;
    private Path javaHome;

    @BeforeEach
    void copyTheLauncherBesideAJarAndAStandInJava() throws IOException {
        launcher = Files.createDirectories(dir.resolve("bin")).resolve("ldirector");
        Files.copy(Path.of("bin/ldirector"), launcher);
        Files.createFile(Files.createDirectories(dir.resolve("target")).resolve("ldirector.jar"));
        javaHome = dir.resolve("jdk");
        executable(
                Files.createDirectories(javaHome.resolve("bin")).resolve("java"),
                "#!/bin/bash\necho \"hup=[$(trap -p HUP)] last=${@: -1}\"\n");
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The launcher run by a bash that ignores SIGHUP first (what nohup does), with PATH prefixed by
     * {@code path}.
     */
    private String runIgnoringHup(String path, boolean ignore) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(
                        "/bin/bash",
                        "-c",
                        (ignore ? "trap '' HUP; " : "") + "exec \"$0\" start",
                        launcher.toString());
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment()
                .put("LDIRECTOR_CDS", "off"); // no class data sharing archive built by a test
        pb.environment().put("PATH", path + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    @Test
    void aHupIgnoredByTheParentIsRestoredForTheJvm() throws Exception {
        assertEquals("hup=[] last=start", runIgnoringHup("", true), "through env --default-signal");
    }

    @Test
    void withoutEnvDefaultSignalPerlRestoresIt() throws Exception {
        // an env(1) older than coreutils 8.31 (RHEL 8), which refuses --default-signal
        Path old = Files.createDirectories(dir.resolve("old-coreutils"));
        executable(
                old.resolve("env"),
                "#!/bin/bash\n"
                        + "[[ $1 == --default-signal* ]] && exit 125\n"
                        + "exec /usr/bin/env \"$@\"\n");
        assertEquals("hup=[] last=start", runIgnoringHup(old + ":", true));
    }

    @Test
    void theStandInSeesAnIgnoredHupWhenOneIsPassedOn() throws Exception {
        // the stand-in can tell: what the two tests above would see if the launcher passed the
        // ignore on
        ProcessBuilder pb =
                new ProcessBuilder(
                        "/bin/bash",
                        "-c",
                        "trap '' HUP; exec \"$0\" start",
                        javaHome.resolve("bin/java").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("hup=[trap -- '' SIGHUP] last=start", out);
        assertEquals(
                "hup=[] last=start", runIgnoringHup("", false), "a HUP not ignored stays as it is");
    }
}
