package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.CheckType;

class ExternalCheckTest {
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();

    @TempDir Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void exitZeroIsUpAndArgvIsLdirectordsFour() throws Exception {
        Path out = dir.resolve("argv");
        Path s =
                script(
                        "check.sh",
                        "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > " + out + "\nexit 0\n");
        CheckResult r =
                checkers.run(
                        Targets.of(CheckType.EXTERNAL, 8080)
                                .command(s.toString())
                                .virtual(Targets.address("10.0.0.1"), 80)
                                .real(Targets.address("127.0.0.1"), 8080, 8080));
        assertTrue(r.up(), r.reason());
        assertEquals(List.of("10.0.0.1", "80", "127.0.0.1", "8080"), Files.readAllLines(out));
    }

    @Test
    void argvNeedsNoShellAndKeepsSpaces() throws Exception {
        Path weird = script("has space; $(x)", "#!/bin/sh\nexit 0\n");
        assertTrue(checkers.run(Targets.of(CheckType.EXTERNAL, 80).command(weird.toString())).up());
    }

    @Test
    void ipv6AddressesAreBracketedAndARealWithoutPortPassesZero() {
        ProbeTarget t =
                Targets.of(CheckType.EXTERNAL, 80)
                        .command("/x")
                        .virtual(Targets.address("2001:db8::1"), 443)
                        .real(Targets.address("2001:db8::2"), 443, 0)
                        .target();
        assertEquals(
                List.of("/x", "[2001:db8::1]", "443", "[2001:db8::2]", "0"),
                ExternalCheck.argv(t, List.of()));
    }

    @Test
    void firewallMarkVirtualPassesTheMarkAndPortZero() {
        ProbeTarget t =
                Targets.of(CheckType.EXTERNAL, 80)
                        .command("/x")
                        .fwmark(7)
                        .real(Targets.address("10.1.1.1"), 80, 80)
                        .target();
        assertEquals(List.of("/x", "7", "0", "10.1.1.1", "80"), ExternalCheck.argv(t, List.of()));
    }

    @Test
    void aMarkAbove2To31IsPassedUnsigned() {
        ProbeTarget t =
                Targets.of(CheckType.EXTERNAL, 80)
                        .command("/x")
                        .fwmark((int) 3_000_000_000L)
                        .real(Targets.address("10.1.1.1"), 80, 80)
                        .target();
        assertEquals(
                List.of("/x", "3000000000", "0", "10.1.1.1", "80"),
                ExternalCheck.argv(t, List.of()));
    }

    @Test
    void nonZeroExitIsDown() throws Exception {
        Path s = script("fail.sh", "#!/bin/sh\necho oops\nexit 3\n");
        CheckResult r = checkers.run(Targets.of(CheckType.EXTERNAL, 80).command(s.toString()));
        assertFalse(r.up());
        assertEquals("external: exit 3", r.reason());
    }

    @Test
    void missingCommandIsDown() throws Exception {
        CheckResult r =
                checkers.run(
                        Targets.of(CheckType.EXTERNAL, 80).command(dir.resolve("nope").toString()));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("external: cannot run"), r.reason());
    }

    @Test
    void timeoutKillsTheCommandAndItsChildren() throws Exception {
        Path pids = dir.resolve("pids");
        Path s =
                script(
                        "hang.sh",
                        "#!/bin/sh\nsleep 60 &\necho $! > "
                                + pids
                                + ".tmp\necho $$ >> "
                                + pids
                                + ".tmp\n"
                                + "mv "
                                + pids
                                + ".tmp "
                                + pids
                                + "\nwait\n");
        CheckResult r =
                checkers.run(
                        Targets.of(CheckType.EXTERNAL, 80)
                                .command(s.toString())
                                .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(5)));
        assertFalse(r.up());
        assertEquals("timeout after 1.0 s", r.reason());
        assertTrue(
                r.latency().toMillis() >= 950 && r.latency().toMillis() < 3000,
                "latency " + r.latency());
        List<String> lines = Files.readAllLines(pids);
        assertEquals(2, lines.size());
        for (String pid : lines) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessHandle.of(Long.parseLong(pid.trim()))
                    .map(ProcessHandle::isAlive)
                    .orElse(false)) {
                assertTrue(
                        System.nanoTime() < deadline, "process " + pid + " survived the timeout");
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void externalPerlRunsTheScriptWithPerlAndTheSameArguments() throws Exception {
        Path s =
                script(
                        "check.pl",
                        "exit($ARGV[0] eq '10.0.0.1' && $ARGV[1] == 80 && $ARGV[2] eq '127.0.0.1' ?"
                                + " 0 : 1);\n");
        Targets t =
                Targets.of(CheckType.EXTERNAL_PERL, 80)
                        .command(s.toString())
                        .virtual(Targets.address("10.0.0.1"), 80);
        CheckResult up = checkers.run(t);
        assertTrue(up.up(), up.reason());
        Path dies = script("die.pl", "die 'no backend';\n");
        CheckResult down = checkers.run(t.command(dies.toString()));
        assertFalse(down.up());
        assertEquals("external-perl: exit 255", down.reason());
        Path falls = script("fall.pl", "my $x = 1;\n");
        assertTrue(
                checkers.run(t.command(falls.toString())).up(),
                "falling off the end is up, as in ldirectord's eval");
    }
}
