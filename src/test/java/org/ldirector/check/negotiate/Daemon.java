package org.ldirector.check.negotiate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server from a Debian package, run by a test on loopback with its output in a log file
 * under target/, and stopped (with its children) when the test class is done.
 */
final class Daemon implements AutoCloseable {
    private final Process process;
    private final Path log;

    private Daemon(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Daemon start(List<String> command, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new Daemon(p, log);
    }

    /** Waits until the port accepts connections; fails with the daemon's log if it never does. */
    Daemon awaitPort(int port, Duration limit) throws IOException, InterruptedException {
        return awaitPort(Probe.LOOPBACK, port, limit);
    }

    Daemon awaitPort(InetAddress address, int port, Duration limit)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException(
                        "daemon exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 200);
                return this;
            } catch (IOException notYet) {
                Thread.sleep(50); // polling a starting daemon; no event to wait on
            }
        }
        throw new IOException(
                "daemon not listening on "
                        + port
                        + " after "
                        + limit
                        + ": "
                        + Files.readString(log));
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A loopback port free right now (the daemon binds it a moment later). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, Probe.LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** A fresh, empty directory under target/ for a daemon's config and data. */
    static Path scratch(String name) throws IOException {
        Path dir = Path.of("target", "negotiate-servers", name).toAbsolutePath();
        delete(dir);
        return Files.createDirectories(dir);
    }

    /** Removes {@code dir} and everything in it, if it exists. */
    static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static boolean installed(String path) {
        return Files.isExecutable(Path.of(path));
    }
}
