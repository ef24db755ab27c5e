package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The harness itself against a real UML boot: the contract every real-kernel test relies on. */
@Tag("uml")
class UmlHarnessTest {

    @BeforeAll
    static void needsUml() {
        assumeTrue(
                UmlHarness.available(),
                "User-Mode Linux is not installed (apt-get install user-mode-linux)");
    }

    @Test
    void runsTheScriptAsRootWithAWritableScratchDirAndReturnsItsExitCode() throws IOException {
        Path out = UmlHarness.newScratchDir();
        long start = System.nanoTime();
        UmlResult r =
                UmlHarness.runScript(
                        """
                        echo "uid=$(id -u) kernel=$(uname -r)"
                        echo written-inside > "$UML_OUT/proof"
                        touch /tmp/tmpfs-is-writable
                        exit 7
                        """,
                        Duration.ofSeconds(120),
                        out);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("UML boot-to-exit for a trivial script: " + millis + " ms");
        assertEquals(7, r.exitCode(), r::describe);
        assertTrue(r.output().contains("uid=0 kernel="), r::describe);
        assertEquals(
                "written-inside\n", Files.readString(out.resolve("proof"), StandardCharsets.UTF_8));
    }

    @Test
    void ipvsModuleLoadsAndIpvsadmProgramsTheKernel() {
        UmlResult r =
                UmlHarness.runScript(
                        """
                        set -e
                        modprobe ip_vs
                        ipvsadm -A -t 10.77.0.1:80 -s wrr
                        ipvsadm -Sn
                        """,
                        Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().lines().anyMatch("-A -t 10.77.0.1:80 -s wrr"::equals), r::describe);
    }

    @Test
    void runJUnitReportsAPassingClassAsPassed() {
        UmlResult r = UmlHarness.runJUnit(InUmlProbe.class, Duration.ofSeconds(300));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(
                r.output().contains("IN-UML RESULT: PASSED (2 succeeded, 0 failed"), r::describe);
    }

    @Test
    void runJUnitReportsAFailingClassAsFailed() {
        UmlResult r = UmlHarness.runJUnit(InUmlDeliberateFailure.class, Duration.ofSeconds(300));
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(
                r.output().contains("IN-UML RESULT: FAILED (0 succeeded, 1 failed"), r::describe);
        assertTrue(
                r.output().contains("deliberate failure to prove the harness reports it"),
                r::describe);
    }

    @Test
    void runJUnitRunsTheSetupScriptFirstSoInUmlTestsSeeTheSandbox() {
        UmlResult r =
                UmlHarness.runJUnit(
                        InUmlSandboxProbe.class,
                        Duration.ofSeconds(300),
                        ". "
                                + UmlHarness.projectRoot().resolve("test-fixtures/uml/topology.sh")
                                + "\ntopo_nat_up");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(
                r.output().contains("IN-UML RESULT: PASSED (1 succeeded, 0 failed"), r::describe);
    }

    @Test
    void aScriptThatOverrunsItsTimeoutIsKilledWithEveryUmlProcess() throws Exception {
        Path out = UmlHarness.newScratchDir();
        UmlResult r =
                UmlHarness.runScript(
                        """
                        (sleep 1000 &)
                        echo started
                        sleep 1000
                        """,
                        Duration.ofSeconds(60),
                        out);
        // 60 s: the guest must boot and reach "started" before the deadline; 10 s was too short for
        // a machine whose guests run several times slower, busy with other work besides
        assertEquals(124, r.exitCode(), r::describe);
        assertTrue(r.output().contains("started"), r::describe);
        // Every host process of that UML carries the scratch dir on its command line.
        List<String> leaked = hostProcessesMentioning(out.toString());
        assertTrue(leaked.isEmpty(), () -> "UML processes left behind: " + leaked);
    }

    private static List<String> hostProcessesMentioning(String text)
            throws IOException, InterruptedException {
        Process ps =
                new ProcessBuilder("ps", "-eo", "pid=,args=").redirectErrorStream(true).start();
        String all = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ps.waitFor();
        return all.lines().filter(l -> l.contains(text) && !l.contains(" ps -eo")).toList();
    }

    /** Runs only inside UML (through runJUnit): the JVM there sees the UML kernel and root. */
    @Tag("in-uml")
    static class InUmlProbe {
        @Test
        void runsInsideUmlAsRoot() throws Exception {
            assertTrue(UmlHarness.insideUml(), "ldirector.inuml is not set");
            Process id = new ProcessBuilder("id", "-u").start();
            assertEquals(
                    "0",
                    new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            assertEquals(
                    UmlHarness.moduleVersions(),
                    Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        }

        @Test
        void ipvsIsLoadable() throws Exception {
            Process p = new ProcessBuilder("modprobe", "ip_vs").inheritIO().start();
            assertEquals(0, p.waitFor());
            assertTrue(Files.exists(Path.of("/proc/net/ip_vs")));
        }
    }

    /** Runs inside UML after topo_nat_up: the reals answer from their namespaces. */
    @Tag("in-uml")
    static class InUmlSandboxProbe {
        @Test
        void realsAnswerTheirNames() throws Exception {
            for (int n = 1; n <= 3; n++) {
                Process curl =
                        new ProcessBuilder(
                                        "curl",
                                        "-s",
                                        "--max-time",
                                        "5",
                                        "http://10.77.1.1" + n + "/")
                                .start();
                assertEquals(
                        "real" + n,
                        new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                                .trim());
            }
        }
    }

    /** Fails on purpose: the harness must report a failed in-UML class as failed. */
    @Tag("in-uml")
    static class InUmlDeliberateFailure {
        @Test
        void fails() {
            assertEquals(1, 2, "deliberate failure to prove the harness reports it");
        }
    }
}
