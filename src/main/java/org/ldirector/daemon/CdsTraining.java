package org.ldirector.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.Processes;

/**
 * A short run of the director's own start, verbs, reload and stop, in a scratch directory and with
 * an in-memory table, so that a JVM started with {@code -XX:ArchiveClassesAtExit} archives the
 * classes a real start loads (bin/ldirector builds the class data sharing archive with it). Its
 * reals are a one-line HTTP server of its own on loopback; it touches neither the kernel's table
 * nor the operator's run dir, log or reals.
 *
 * <p>Exit status 0 when the director added both reals and stopped; otherwise 1, and the archive the
 * JVM writes on exit still holds what was loaded (the launcher keeps it only on 0).
 */
public final class CdsTraining {
    /** How long the run may take before it gives up (a start here takes about a second). */
    static final Duration LIMIT = Duration.ofSeconds(60);

    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        System.exit(run(quiet) ? 0 : 1);
    }

    static boolean run(PrintStream out) throws IOException, InterruptedException {
        // short names: the control socket's path must fit a UNIX socket address (108 bytes)
        Path dir = Files.createTempDirectory("ldc");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answer(server), "cds-training-real");
            answering.setDaemon(true);
            answering.start();
            Path run = Files.createDirectory(dir.resolve("r"));
            Path log = dir.resolve("l.log");
            Path cf = dir.resolve("l.cf");
            Files.writeString(cf, config(server.getLocalPort(), log));
            Map<String, String> env =
                    Map.of(RunFiles.RUNDIR_ENV, run.toString(), "LDIRECTOR_IPVS", "memory");
            int[] status = {-1};
            Thread director =
                    new Thread(
                            () ->
                                    status[0] =
                                            Main.run(
                                                    List.of("--foreground", cf.toString(), "start"),
                                                    out,
                                                    out,
                                                    Files::isRegularFile,
                                                    env),
                            "cds-training-director");
            director.start();
            boolean added = waitFor(() -> count(log, "Added real server") >= 2);
            // the verbs' own path, and a reload (a HUP through the verb, as an operator sends it)
            Main.run(List.of(cf.toString(), "status"), out, out, Files::isRegularFile, env);
            Main.run(
                    List.of(cf.toString(), "--json", "status"),
                    out,
                    out,
                    Files::isRegularFile,
                    env);
            Main.run(List.of(cf.toString(), "reload"), out, out, Files::isRegularFile, env);
            Thread.sleep(1000); // the reload runs on the daemon's own thread
            try {
                Processes.kill(ProcessHandle.current().pid(), Processes.SIGTERM);
            } catch (NativeException e) {
                return false;
            }
            director.join(LIMIT.toMillis());
            return added && !director.isAlive() && status[0] == 0;
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * One HTTP virtual service and one TCP-connect one, with the launcher's loopback real in each.
     */
    static String config(int port, Path log) {
        return String.join(
                "\n",
                "checkinterval=1",
                "checktimeout=1",
                "logfile=\"" + log + "\"",
                "virtual=10.255.255.1:80",
                "\treal=127.0.0.1:" + port + " masq 1",
                "\tchecktype=negotiate",
                "\tservice=http",
                "\trequest=\"check.html\"",
                "\treceive=\"ok\"",
                "virtual=10.255.255.1:81",
                "\treal=127.0.0.1:" + port + " masq 1",
                "\tchecktype=connect",
                "");
    }

    private static void answer(ServerSocket server) {
        byte[] ok =
                "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
                        .getBytes(StandardCharsets.US_ASCII);
        while (!server.isClosed()) {
            try (Socket s = server.accept();
                    InputStream in = s.getInputStream()) {
                s.setSoTimeout(1000);
                in.read(new byte[4096]);
                s.getOutputStream().write(ok);
            } catch (IOException e) {
                // the connect check closes at once; the server closing ends the loop
            }
        }
    }

    private interface Condition {
        boolean holds() throws IOException;
    }

    private static boolean waitFor(Condition c) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (c.holds()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static long count(Path log, String text) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
