package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.net.RefusingPorts;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;
import org.ldirector.testing.Await;

/**
 * Every verb and signal against a real daemon process started through the real command line, with
 * the in-memory IPVS table (LDIRECTOR_IPVS=memory) and its files in a temp dir.
 */
class DaemonProcessTest {
    @TempDir Path dir;

    private Path cf;
    private Path log;
    private ServerSocket real;
    private String ipvs = "memory";

    record Run(int code, String out, String err) {}

    @BeforeEach
    void config() throws IOException {
        real = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // accept and close, as a server does: a full backlog would turn the up real down mid-test
        Thread acceptor =
                new Thread(
                        () -> {
                            while (!real.isClosed()) {
                                try {
                                    real.accept().close();
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "real-server");
        acceptor.setDaemon(true);
        acceptor.start();
        log = dir.resolve("ldirector.log");
        cf = dir.resolve("web.cf");
        write(1);
    }

    /** Two reals: one the test listens on (up), one on a port nothing listens on (down). */
    private void write(int weight) throws IOException {
        int closed = RefusingPorts.reserve();
        Files.writeString(
                cf,
                "logfile=\""
                        + log
                        + "\"\ncheckinterval=1\n"
                        + "virtual=10.77.0.100:80\n"
                        + "\treal=127.0.0.1:"
                        + real.getLocalPort()
                        + " masq "
                        + weight
                        + "\n"
                        + "\treal=127.0.0.2:"
                        + closed
                        + " masq 1\n"
                        + "\tchecktype=connect\n\tchecktimeout=2\n\tscheduler=wlc\n");
    }

    @AfterEach
    void stopEverything() throws Exception {
        run("stop");
        real.close();
    }

    private Run run(String... args) throws Exception {
        List<String> cmd = MainCommand.of(cf, args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LDIRECTOR_RUNDIR", dir.toString());
        pb.environment().put("LDIRECTOR_IPVS", ipvs);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(
                p.waitFor(180, TimeUnit.SECONDS),
                "ldirector " + String.join(" ", args) + " did not return");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private long pid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("ldirector.web.cf.pid")).strip());
    }

    private static void await(String what, Await.Condition condition) throws Exception {
        Await.until(what, Duration.ofSeconds(60), Duration.ofMillis(100), condition);
    }

    private String status() {
        try {
            return run("status").out();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void startDaemonizesStatusShowsTheTableAndStopCleansUp() throws Exception {
        Run start = run("start");
        assertEquals(0, start.code(), start.err());
        assertEquals("", start.err(), "a clean start says nothing");
        long pid = pid();
        assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());
        assertEquals(
                Path.of("/"),
                Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")),
                "the daemon runs in /, as ldirectord's after its chdir(\"/\")");
        assertFalse(
                Files.exists(dir.resolve("ldirector.web.cf.start")),
                "the start log is gone once started");
        assertTrue(Files.exists(dir.resolve("ldirector.web.cf.sock")), "the control socket");
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve("ldirector.web.cf.sock"))));

        await(
                "the up real in the status",
                () -> status().contains("127.0.0.1:" + real.getLocalPort()));
        await(
                "both verdicts",
                () ->
                        status().matches(
                                        "(?s).*127\\.0\\.0\\.1:\\d+ +up +1 .*127\\.0\\.0\\.2:\\d+"
                                                + " +down +- .*"));
        Run status = run("status");
        assertEquals(0, status.code());
        assertTrue(
                status.out()
                        .startsWith(
                                "ldirector for "
                                        + cf
                                        + " is running with pid: "
                                        + pid
                                        + "\n"
                                        + "Virtual service tcp:10.77.0.100:80 (wlc)\n"),
                status.out());
        assertTrue(status.out().contains("connect refused"), status.out());

        Run json = run("status", "--json");
        assertEquals(0, json.code());
        assertTrue(
                json.out()
                        .startsWith(
                                "{\"config\":\"" + cf + "\",\"pid\":" + pid + ",\"running\":true,"),
                json.out());
        assertTrue(
                json.out()
                        .contains(
                                "{\"id\":\"127.0.0.1:"
                                        + real.getLocalPort()
                                        + "\",\"health\":\"up\",\"kernel_weight\":1,"),
                json.out());
        assertTrue(json.out().contains("\"health\":\"down\",\"kernel_weight\":null,"), json.out());

        Run second = run("start");
        assertEquals(0, second.code(), "starting what runs succeeds, as ldirectord");
        assertEquals(
                "ldirector for " + cf + " is already running with pid: " + pid + "\n",
                second.err());
        assertEquals(pid, pid());

        Run stop = run("stop");
        assertEquals(0, stop.code(), stop.err());
        assertFalse(
                ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "stop returns once the daemon is gone");
        assertFalse(Files.exists(dir.resolve("ldirector.web.cf.pid")));
        assertFalse(Files.exists(dir.resolve("ldirector.web.cf.sock")));
        assertTrue(
                Files.readString(log).contains("] Exiting with exit_status 0"),
                Files.readString(log));

        Run again = run("stop");
        assertEquals(0, again.code());
        assertEquals("ldirector is stopped for " + cf + "\n", again.out());
        Run stopped = run("status");
        assertEquals(3, stopped.code());
        assertEquals("ldirector is stopped for " + cf + "\n", stopped.out());
        assertEquals(
                "{\"config\":\"" + cf + "\",\"pid\":null,\"running\":false}\n",
                run("status", "--json").out());
    }

    @Test
    void reloadVerbAppliesAnEditAndUsr1WritesTheStatusToTheLog() throws Exception {
        assertEquals(0, run("start").code());
        await("the up real", () -> status().matches("(?s).*127\\.0\\.0\\.1:\\d+ +up +1 .*"));
        write(7);
        Run reload = run("reload");
        assertEquals(0, reload.code(), reload.err());
        await(
                "weight 7 in the kernel",
                () -> status().matches("(?s).*127\\.0\\.0\\.1:\\d+ +up +7 .*"));

        new ProcessBuilder("kill", "-USR1", Long.toString(pid())).start().waitFor();
        await(
                "the status in the log",
                () -> {
                    try {
                        return Files.readString(log).contains("Status of ldirector for " + cf);
                    } catch (IOException e) {
                        return false;
                    }
                });
        await(
                "its rows",
                () -> {
                    try {
                        return Files.readString(log)
                                .matches(
                                        "(?s).*\\|web\\.cf\\|\\d+\\]   127\\.0\\.0\\.1:\\d+ +up +7"
                                                + " .*");
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    @Test
    void theSyncVerbSwitchesTheRoleWhichOutlivesARestartUntilTheConfigSaysOtherwise()
            throws Exception {
        String body = Files.readString(cf);
        Files.writeString(cf, "syncdaemon=backup\nsyncinterface=lo\nsyncid=5\n" + body);
        assertEquals(0, run("start").code());
        await(
                "the backup sync daemon",
                () ->
                        status().contains(
                                        "IPVS sync: role backup\n"
                                            + "  kernel: backup sync daemon (mcast=lo, syncid=5,"));

        Run master = run("sync", "master");
        assertEquals(0, master.code(), master.err());
        assertTrue(
                master.out()
                        .startsWith(
                                "ok: IPVS sync role master\n"
                                        + "IPVS sync: role master\n"
                                        + "  kernel: master sync daemon (mcast=lo, syncid=5,"),
                master.out());
        assertFalse(status().contains("backup sync daemon"), status());
        assertTrue(
                run("status", "--json")
                        .out()
                        .contains(
                                "\"sync\":{\"managed\":true,\"role\":\"master\",\"kernel\":[{\"state\":\"master\",\"interface\":\"lo\",\"syncid\":5,"));
        assertEquals("master\n", Files.readString(dir.resolve("ldirector.web.cf.sync")));

        // the HA manager's word outlives a restart ...
        assertEquals(0, run("restart").code());
        await(
                "the master role after the restart",
                () -> status().contains("IPVS sync: role master\n  kernel: master sync daemon"));
        // ... until the file says otherwise
        Files.writeString(cf, "syncdaemon=none\nsyncinterface=lo\nsyncid=5\n" + body);
        assertEquals(0, run("reload").code());
        await(
                "no sync daemon",
                () -> status().contains("IPVS sync: role none, kernel runs no sync daemon"));
        assertFalse(Files.exists(dir.resolve("ldirector.web.cf.sync")));

        Run bad = run("sync", "primary");
        assertEquals(2, bad.code());
        assertTrue(
                bad.err().contains("sync 'primary': expected sync master, backup, none or status"),
                bad.err());

        // stopped: the role waits for the next start
        assertEquals(0, run("stop").code());
        Run later = run("sync", "backup");
        assertEquals(0, later.code(), later.err());
        assertTrue(later.out().contains("it will start with IPVS sync role backup"), later.out());
        assertEquals(3, run("sync", "status").code());
        assertEquals(0, run("start").code());
        await(
                "the backup role at start",
                () -> status().contains("IPVS sync: role backup\n  kernel: backup sync daemon"));
    }

    @Test
    void aKilledDaemonLeavesAStalePidFileThatStatusReportsAndStartReplaces() throws Exception {
        assertEquals(0, run("start").code());
        long pid = pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await("the kill", () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        Run dead = run("status");
        assertEquals(1, dead.code(), "LSB: dead with a pid file left");
        assertEquals(
                "ldirector stale pid file "
                        + dir.resolve("ldirector.web.cf.pid")
                        + " for "
                        + cf
                        + "\n"
                        + "ldirector is stopped for "
                        + cf
                        + "\n",
                dead.out());

        assertEquals(0, run("start").code());
        assertTrue(pid() != pid);
        assertEquals(0, run("status").code());
    }

    @Test
    void tryRestartOnlyRestartsWhatRunsAndRestartChangesThePid() throws Exception {
        Run idle = run("try-restart");
        assertEquals(0, idle.code());
        assertEquals(3, run("status").code(), "try-restart of a stopped daemon starts nothing");
        assertEquals(1, run("reload").code(), "reload needs a running daemon, as in ldirectord");

        assertEquals(0, run("start").code());
        long first = pid();
        assertEquals(0, run("restart").code());
        long second = pid();
        assertTrue(second != first);
        assertFalse(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(0, run("try-restart").code());
        assertTrue(pid() != second);
        assertEquals(0, run("status").code());
    }

    @Test
    void aBrokenConfigNeverLocksTheOperatorOut() throws Exception {
        assertEquals(0, run("start").code());
        Files.writeString(cf, "quiescent=perhaps\n", StandardCharsets.UTF_8);
        assertEquals(0, run("status").code());
        Run start = run("start");
        assertEquals(1, start.code(), "start reads the config");
        assertTrue(start.err().contains("quiescent must be 'yes' or 'no'"), start.err());
        assertEquals(0, run("stop").code(), "ldirectord could not be stopped by its own verb here");
        assertEquals(3, run("status").code());
    }

    @Test
    void aDaemonThatDiesWhileStartingIsReportedWithItsOwnWordsAndLeavesNothingBehind()
            throws Exception {
        ipvs = "bogus"; // the parent reads the config fine; the child fails opening the table
        // a start log planted as a symlink (issue 25) is replaced, never written through
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Files.createSymbolicLink(dir.resolve("ldirector.web.cf.start"), victim);
        Run start = run("start");
        assertEquals("precious\n", Files.readString(victim));
        assertFalse(
                Files.exists(dir.resolve("ldirector.web.cf.start"), LinkOption.NOFOLLOW_LINKS),
                "a failed start cleans up its start log (issue 24)");
        assertEquals(1, start.code(), start.err());
        assertTrue(
                start.err().contains("LDIRECTOR_IPVS=bogus: expected 'memory' or nothing"),
                start.err());
        assertTrue(
                start.err()
                        .contains(
                                "ldirector: the daemon for "
                                        + cf
                                        + " exited with status 1 while starting"),
                start.err());
        ipvs = "memory";
        assertEquals(3, run("status").code());
        assertFalse(Files.exists(dir.resolve("ldirector.web.cf.pid")));
    }

    @Test
    void foregroundStaysAttachedLogsToStdoutAndStopsOnTerm() throws Exception {
        // --foreground may come anywhere on the command line
        List<String> cmd = MainCommand.of(cf, "--foreground", "start");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("fg.txt").toFile());
        pb.environment().put("LDIRECTOR_RUNDIR", dir.toString());
        pb.environment().put("LDIRECTOR_IPVS", "memory");
        Process p = pb.start();
        await(
                "the foreground daemon",
                () ->
                        status().startsWith(
                                        "ldirector for "
                                                + cf
                                                + " is running with pid: "
                                                + p.pid()));
        assertEquals(
                p.pid(), pid(), "the foreground process itself is the daemon (systemd's main pid)");
        assertEquals(
                "ldirector for " + cf + " is already running with pid: " + p.pid() + "\n",
                run("start").err());
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String stdout = Files.readString(dir.resolve("fg.txt"));
        assertTrue(stdout.contains("|web.cf|" + p.pid() + "] Starting ldirector"), stdout);
        assertTrue(stdout.contains("] Exiting with exit_status 0"), stdout);
        assertEquals(3, run("status").code());
    }

    @Test
    void pwrExitsLeavingTheTableAndCleansUpItsFilesAndATermAfterItCannotUndoThat()
            throws Exception {
        assertEquals(0, run("start").code());
        long pid = pid();
        await(
                "the up real programmed",
                () -> status().matches("(?s).*127\\.0\\.0\\.1:\\d+ +up +1 .*"));
        // what the packages' upgrade does: PWR, then systemctl restart's TERM, possibly before the
        // exit
        new ProcessBuilder("kill", "-PWR", Long.toString(pid)).start().waitFor();
        new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h != null) {
            assertTrue(h.onExit().get(60, TimeUnit.SECONDS) != null);
        }
        await("the pid file removed", () -> !Files.exists(dir.resolve("ldirector.web.cf.pid")));
        assertFalse(
                Files.exists(dir.resolve("ldirector.web.cf.sock")),
                "the control socket is removed");
        String text = read(log);
        assertTrue(
                text.contains(
                        "] Stopping ldirector, leaving the IPVS table and the sync daemons as they"
                                + " are (SIGPWR)"),
                text);
        assertFalse(
                text.contains("Purged virtual server"),
                "nothing is removed from the table: " + text);
        assertTrue(text.contains("] Exiting with exit_status 0"), text);
        assertEquals(3, run("status").code());

        // the same daemon without PWR: TERM is the clean stop, which purges under cleanstop=yes
        assertEquals(0, run("start").code());
        await(
                "the up real programmed again",
                () -> status().matches("(?s).*127\\.0\\.0\\.1:\\d+ +up +1 .*"));
        assertEquals(0, run("stop").code());
        assertTrue(read(log).contains("Purged virtual server (stop): 10.77.0.100:80"), read(log));
    }

    @Test
    void theLogSurvivesRotationByRenameAndHupAndByCopytruncate() throws Exception {
        assertEquals(0, run("start").code());
        await("the start in the log", () -> read(log).contains("Starting ldirector"));
        // logrotate's default: rename, then the postrotate signal
        Path rotated = dir.resolve("ldirector.log.1");
        Files.move(log, rotated);
        assertEquals(0, run("reload").code());
        // the reload runs on the daemon's loop after the verb returns: the reopen creates the new
        // file
        await("the log reopened", () -> Files.exists(log));
        new ProcessBuilder("kill", "-USR1", Long.toString(pid())).start().waitFor();
        await("new lines in a new file", () -> read(log).contains("Status of ldirector for " + cf));
        assertFalse(
                read(rotated).contains("Status of ldirector"),
                "nothing more goes to the rotated file");
        // copytruncate: the file is emptied in place and appending goes on from its start, without
        // a hole
        long before = Files.size(log);
        assertTrue(before > 0);
        try (var ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        new ProcessBuilder("kill", "-USR1", Long.toString(pid())).start().waitFor();
        await("lines after the truncation", () -> read(log).contains("Status of ldirector"));
        assertFalse(read(log).contains("\u0000"), "no NUL hole where the old content was");
        assertTrue(read(log).startsWith("["), read(log));
    }

    @Test
    void underSystemdTheDaemonNotifiesReadyReloadingStoppingAndPingsTheWatchdog() throws Exception {
        Path notify = dir.resolve("notify");
        try (NativeSocket systemd = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0)) {
            systemd.bind(SockAddr.unix(notify.toString()));
            ProcessBuilder pb =
                    new ProcessBuilder(MainCommand.of(cf, "--foreground", "start"))
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("fg.txt").toFile());
            pb.environment().put("LDIRECTOR_RUNDIR", dir.toString());
            pb.environment().put("LDIRECTOR_IPVS", "memory");
            pb.environment().put("NOTIFY_SOCKET", notify.toString());
            pb.environment().put("WATCHDOG_USEC", "1000000");
            Process p = pb.start();
            List<String> got = new ArrayList<>();
            List<String> unmatched = new ArrayList<>();
            Predicate<String> until =
                    want -> {
                        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                        while (System.nanoTime() < deadline) {
                            // STATUS and WATCHDOG interleave freely: a message that arrived while
                            // waiting for
                            // another one still counts when it is asked for
                            for (int k = 0; k < unmatched.size(); k++) {
                                if (unmatched.get(k).startsWith(want)) {
                                    unmatched.remove(k);
                                    return true;
                                }
                            }
                            ByteBuffer b = ByteBuffer.allocate(4096);
                            try {
                                if (systemd.receive(b, Duration.ofSeconds(1)).isPresent()) {
                                    String m =
                                            new String(
                                                    b.array(),
                                                    0,
                                                    b.position(),
                                                    StandardCharsets.UTF_8);
                                    got.add(m);
                                    unmatched.add(m);
                                }
                            } catch (NativeException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        return false;
                    };
            assertTrue(until.test("READY=1\nSTATUS=1 virtual service, "), got.toString());
            assertTrue(
                    until.test("WATCHDOG=1"), "the watchdog is pinged while the loop runs: " + got);
            assertTrue(until.test("STATUS=1 virtual service, 1/2 real servers up"), got.toString());
            new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
            assertTrue(
                    until.test("RELOADING=1\nMONOTONIC_USEC="),
                    () -> got + "\n" + read(dir.resolve("fg.txt")));
            assertTrue(until.test("READY=1"), got.toString());
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            assertTrue(until.test("STOPPING=1"), got.toString());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
