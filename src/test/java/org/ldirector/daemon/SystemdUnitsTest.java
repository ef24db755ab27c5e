package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped units, checked by systemd itself: {@code systemd-analyze verify} (syntax, the
 * commands exist) and {@code systemd-analyze security} (the hardening), offline against a root
 * holding the units, the unit library and stand-ins for the commands they run.
 */
class SystemdUnitsTest {
    static final Path UNITS = Path.of("systemd");
    static final Path ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir static Path root;

    @BeforeAll
    static void buildRoot() throws Exception {
        assumeTrue(
                Files.isExecutable(ANALYZE),
                "systemd-analyze is not installed (test-fixtures/deps/pkg.txt lists systemd)");
        for (String cmd : List.of("usr/sbin/ldirector", "sbin/modprobe", "bin/kill")) {
            Path p = root.resolve(cmd);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "#!/bin/sh\n");
            p.toFile().setExecutable(true);
        }
        Path lib = root.resolve("lib/systemd/system");
        Files.createDirectories(lib);
        for (String target :
                List.of(
                        "sysinit.target",
                        "basic.target",
                        "multi-user.target",
                        "network-online.target",
                        "shutdown.target",
                        "sockets.target",
                        "paths.target",
                        "timers.target",
                        "slices.target",
                        "system.slice",
                        "-.slice",
                        "local-fs.target",
                        "swap.target")) {
            Path from = Path.of("/lib/systemd/system", target);
            if (Files.exists(from)) {
                Files.copy(from, lib.resolve(target), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path etc = root.resolve("etc/systemd/system");
        Files.createDirectories(etc);
        for (String unit : List.of("ldirector.service", "ldirector@.service")) {
            Files.copy(UNITS.resolve(unit), etc.resolve(unit));
        }
    }

    private static String analyze(List<String> args, int expectedExit)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(ANALYZE.toString()));
        argv.addAll(args);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(expectedExit, p.exitValue(), String.join(" ", argv) + "\n" + out);
        return out;
    }

    /**
     * {@code --man=no}: verify would run the host's {@code man} for every {@code man:} page the
     * units name, and a minimal Debian has no {@code man} at all; whether a page is installed is
     * the package's business, not the unit's.
     */
    @Test
    void bothUnitsVerifyClean() throws Exception {
        String out =
                analyze(
                        List.of(
                                "verify",
                                "--man=no",
                                "--root=" + root,
                                "ldirector.service",
                                "ldirector@ldirectord.cf.service"),
                        0);
        assertTrue(!out.contains("ldirector"), "systemd-analyze has remarks on our units:\n" + out);
    }

    @Test
    void hardeningScoresOkOrBetter() throws Exception {
        for (String unit : List.of("ldirector.service", "ldirector@ldirectord.cf.service")) {
            String out =
                    analyze(
                            List.of(
                                    "security",
                                    "--offline=yes",
                                    "--root=" + root,
                                    "--no-pager",
                                    unit),
                            0);
            Matcher m =
                    Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d)").matcher(out);
            assertTrue(m.find(), out);
            // 0 = fully locked down, 10 = unprotected; root with CAP_NET_ADMIN and the host network
            // is the floor here.
            assertTrue(
                    Double.parseDouble(m.group(1)) <= 2.5,
                    unit + " exposure " + m.group(1) + "\n" + out);
        }
    }

    @Test
    void theUnitsRunTheForegroundDaemonAsANotifyServiceWithAWatchdog() throws Exception {
        for (String unit : List.of("ldirector.service", "ldirector@.service")) {
            String text = Files.readString(UNITS.resolve(unit));
            for (String line :
                    List.of(
                            "Type=notify",
                            "ExecReload=/bin/kill -HUP $MAINPID",
                            "Restart=on-failure",
                            "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW",
                            "NoNewPrivileges=yes",
                            "ProtectSystem=strict")) {
                assertTrue(text.contains("\n" + line + "\n"), unit + " lacks " + line);
            }
            // ldirectord(8) is another package's page: the units point at what ldirector installs.
            assertTrue(
                    text.contains("\nDocumentation=man:ldirector(8) man:ldirector.cf(5)\n"), unit);
            assertTrue(
                    text.contains("\nDocumentation=file:/usr/share/doc/ldirector/README.md\n"),
                    unit);
            // ldirectord on the same config would fight over the same IPVS entries, instance or not
            assertTrue(
                    text.contains("\nConflicts=ldirectord.service\n"),
                    unit + " lacks Conflicts=ldirectord.service");
            assertTrue(Pattern.compile("\nWatchdogSec=\\d+s\n").matcher(text).find(), unit);
            // systemd must not SIGKILL a clean stop that `ldirector stop` would still wait for
            Matcher stop = Pattern.compile("\nTimeoutStopSec=(\\d+)s\n").matcher(text);
            assertTrue(stop.find(), unit + " lacks TimeoutStopSec=");
            assertTrue(
                    Long.parseLong(stop.group(1)) >= Verbs.STOP_WAIT.toSeconds(),
                    unit
                            + ": TimeoutStopSec="
                            + stop.group(1)
                            + "s is shorter than the stop verb's "
                            + Verbs.STOP_WAIT);
            assertTrue(
                    Pattern.compile(
                                    "\n"
                                            + "ExecStart=/usr/sbin/ldirector --foreground"
                                            + " /etc/ha.d/\\S+ start\n")
                            .matcher(text)
                            .find(),
                    unit);
            // ProtectSystem=strict leaves /var/cache read-only: the launcher's class data sharing
            // archive
            // (LDIRECTOR_CACHE_DIR, default /var/cache/ldirector) is writable only through
            // CacheDirectory=
            assertTrue(
                    text.contains("\nCacheDirectory=ldirector\n"),
                    unit + " lacks CacheDirectory=ldirector");
            assertTrue(
                    Files.readString(Path.of("bin/ldirector"))
                            .contains("cache=${LDIRECTOR_CACHE_DIR:-/var/cache/ldirector}"),
                    "the launcher's default cache is the unit's CacheDirectory=");
        }
    }
}
