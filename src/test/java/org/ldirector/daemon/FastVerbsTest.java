package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.testing.Await;

/**
 * bin/ldirector's stop, reload, status and sync without a JVM, against the Java verbs over the same
 * cases: a real daemon (in-memory table) for the cases the launcher decides itself, where its words
 * and exit code must be the Java verb's; and the cases it must leave to the Java verb (no daemon, a
 * stale pid file, a pid file naming another process than the lock holder, an unsafe run dir), where
 * the launcher is seen to hand over to java (a stand-in that says so).
 */
class FastVerbsTest {
    @TempDir Path dir;

    private Path cf;
    private Path launcher;
    private ServerSocket real;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        real = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
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
        cf = dir.resolve("web.cf");
        write(1);
        // the launcher in a tree of its own: its jar lookup finds a jar there, and "java" is a
        // stand-in
        // that only says it was asked, so a hand-over to the Java verb shows in the output
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("bin"));
        Files.createDirectories(tree.resolve("target"));
        Files.createDirectories(tree.resolve("jdk/bin"));
        launcher = tree.resolve("bin/ldirector");
        Files.copy(Path.of("bin/ldirector"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(tree.resolve("target/ldirector.jar"), "");
        Path java = tree.resolve("jdk/bin/java");
        Files.writeString(
                java,
                "#!/bin/sh\n"
                        + "while [ \"$1\" != -jar ]; do shift; done\n"
                        + "shift 2\n"
                        + "echo \"java verb: $*\"\n"
                        + "exit 42\n");
        java.toFile().setExecutable(true);
    }

    @AfterEach
    void tearDown() throws Exception {
        java("stop");
        real.close();
    }

    private void write(int weight) throws IOException {
        Files.writeString(
                cf,
                "logfile=\""
                        + dir.resolve("ldirector.log")
                        + "\"\ncheckinterval=1\n"
                        + "virtual=10.77.0.100:80\n\treal=127.0.0.1:"
                        + real.getLocalPort()
                        + " masq "
                        + weight
                        + "\n\tchecktype=connect\n");
    }

    private void awaitWeight(int weight) throws Exception {
        Await.until(
                "weight " + weight + " in the kernel",
                Duration.ofSeconds(60),
                Duration.ofMillis(100),
                () ->
                        java("status")
                                .out()
                                .matches("(?s).*127\\.0\\.0\\.1:\\d+ +up +" + weight + " .*"));
    }

    private Run exec(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LDIRECTOR_RUNDIR", dir.toString());
        pb.environment().put("LDIRECTOR_IPVS", "memory");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), String.join(" ", cmd) + " did not return");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The Java verb, as DaemonProcessTest runs it. */
    private Run java(String... verb) throws Exception {
        return exec(MainCommand.of(cf, verb), Map.of());
    }

    /**
     * The launcher's fast path; its hand-over to the Java verb answers "java verb: CONFIG VERB",
     * exit 42.
     */
    private Run fast(String verb) throws Exception {
        return exec(
                List.of(launcher.toString(), cf.toString(), verb),
                Map.of("JAVA_HOME", dir.resolve("tree/jdk").toString()));
    }

    private Run handedOver(String verb) {
        return new Run(42, "java verb: " + cf + " " + verb + "\n", "");
    }

    private long start() throws Exception {
        assertEquals(0, java("start").code());
        return pid();
    }

    private long pid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("ldirector.web.cf.pid")).strip());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void stopAndReloadOfARunningDaemonSayAndExitAsTheJavaVerbs() throws Exception {
        long first = start();
        awaitWeight(1);
        write(7);
        Run fastReload = fast("reload");
        awaitWeight(7);
        write(9);
        Run javaReload = java("reload");
        awaitWeight(9);
        assertEquals(new Run(0, "", ""), javaReload);
        assertEquals(javaReload, fastReload);
        assertTrue(alive(first), "a reload leaves the daemon running");

        Run fastStop = fast("stop");
        assertFalse(alive(first), "stop returns once the daemon is gone");
        assertFalse(
                Files.exists(dir.resolve("ldirector.web.cf.pid")),
                "a clean stop: the daemon removed its pid file");
        long second = start();
        Run javaStop = java("stop");
        assertFalse(alive(second));
        assertEquals(new Run(0, "", ""), javaStop);
        assertEquals(javaStop, fastStop);
    }

    /** A status table with every figure (times, latencies, counts) as #. */
    private static Run figuresBlanked(Run r) {
        return new Run(r.code(), r.out().replaceAll("[0-9]+", "#"), r.err());
    }

    /** The launcher with these arguments as they are. */
    private Run launch(String... args) throws Exception {
        return launchWith(Map.of(), args);
    }

    /** The same with more environment. */
    private Run launchWith(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(env);
        all.put("JAVA_HOME", dir.resolve("tree/jdk").toString());
        return exec(cmd, all);
    }

    @Test
    void statusAndSyncOfARunningDaemonSayAndExitAsTheJavaVerbs() throws Exception {
        long pid = start();
        awaitWeight(1);
        Run javaStatus = java("status");
        Run fastStatus = fast("status");
        assertTrue(
                fastStatus.out().startsWith("ldirector for " + cf + " is running with pid: " + pid),
                fastStatus.out());
        assertTrue(fastStatus.out().contains("127.0.0.1:" + real.getLocalPort()), fastStatus.out());
        assertEquals(figuresBlanked(javaStatus), figuresBlanked(fastStatus));

        Run javaSync = java("sync", "status");
        assertEquals(0, javaSync.code());
        assertEquals(javaSync, launch(cf.toString(), "sync", "status"));
        // no syncdaemon in this config: the daemon refuses a role, both say so on stderr, exit 1
        Run javaMaster = java("sync", "master");
        assertEquals(1, javaMaster.code());
        assertTrue(
                javaMaster.err().startsWith("ldirector: syncdaemon is not set"), javaMaster.err());
        assertEquals(javaMaster, launch(cf.toString(), "sync", "master"));
        // an unknown role, a socket gone, or no perl: the Java verb's
        assertEquals(
                new Run(42, "java verb: " + cf + " sync leader\n", ""),
                launch(cf.toString(), "sync", "leader"));
        Path sock = dir.resolve("ldirector.web.cf.sock");
        Path aside = dir.resolve("aside.sock");
        Files.move(sock, aside);
        try {
            assertEquals(handedOver("status"), fast("status"));
        } finally {
            Files.move(aside, sock);
        }
        // a PATH without perl (the launcher needs nothing else to hand over)
        Path noPerl = Files.createDirectories(dir.resolve("no-perl"));
        assertEquals(
                handedOver("status"),
                launchWith(Map.of("PATH", noPerl.toString()), cf.toString(), "status"));
        assertTrue(alive(pid));
    }

    @Test
    void withNoDaemonOrAStalePidFileTheJavaVerbAnswers() throws Exception {
        // stopped: the Java verb's words, which the launcher leaves to it
        assertEquals(new Run(0, "ldirector is stopped for " + cf + "\n", ""), java("stop"));
        assertEquals(new Run(1, "ldirector is stopped for " + cf + "\n", ""), java("reload"));
        assertEquals(handedOver("stop"), fast("stop"));
        assertEquals(handedOver("reload"), fast("reload"));
        assertEquals(handedOver("status"), fast("status"));
        assertEquals(handedOver("sync status"), launch(cf.toString(), "sync", "status"));

        // stale: a killed daemon's pid file, its pid now nobody's (or anybody's)
        long pid = start();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Await.until("the kill", Duration.ofSeconds(60), Duration.ofMillis(100), () -> !alive(pid));
        assertEquals(handedOver("reload"), fast("reload"));
        assertEquals(handedOver("status"), fast("status"));
        assertEquals(handedOver("stop"), fast("stop"));
        assertEquals(new Run(1, "ldirector is stopped for " + cf + "\n", ""), java("reload"));
        assertEquals(new Run(0, "ldirector is stopped for " + cf + "\n", ""), java("stop"));
    }

    @Test
    void aPidFileNamingAnotherProcessThanItsLockHolderIsNeverSignalled() throws Exception {
        long pid = start();
        Path pidFile = dir.resolve("ldirector.web.cf.pid");
        // the same file (its lock stays the daemon's), another pid in it: this test's own JVM
        long other = ProcessHandle.current().pid();
        try (RandomAccessFile f = new RandomAccessFile(pidFile.toFile(), "rw")) {
            f.setLength(0);
            f.write((other + "\n").getBytes());
        }
        assertEquals(handedOver("stop"), fast("stop"));
        assertEquals(handedOver("reload"), fast("reload"));
        assertTrue(alive(pid));
        try (RandomAccessFile f = new RandomAccessFile(pidFile.toFile(), "rw")) {
            f.setLength(0);
            f.write((pid + "\n").getBytes());
        }
        assertEquals(new Run(0, "", ""), fast("stop"));
        assertFalse(alive(pid));
    }

    @Test
    void anUnsafeRunDirIsLeftToTheJavaVerbWhichRefusesIt() throws Exception {
        long pid = start();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
        try {
            assertEquals(handedOver("stop"), fast("stop"));
            assertTrue(alive(pid));
            Run refused = java("stop");
            assertEquals(1, refused.code());
            assertTrue(refused.err().contains("unsafe run dir"), refused.err());
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        // options and unusual forms are the Java verb's too
        assertEquals(
                new Run(42, "java verb: -d " + cf + " stop\n", ""),
                launch("-d", cf.toString(), "stop"));
        assertEquals(
                handedOver("stop"),
                launchWith(Map.of("LDIRECTOR_FAST_VERBS", "off"), cf.toString(), "stop"));
        assertTrue(alive(pid));
    }
}
