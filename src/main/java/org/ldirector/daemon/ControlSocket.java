package org.ldirector.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The running daemon's local door: a UNIX stream socket (mode 0600, so root only) that answers one
 * line of command with text and closes. {@code status} and {@code status json} today; other verbs
 * can be added without opening any TCP port.
 */
final class ControlSocket implements AutoCloseable {
    static final int MAX_COMMAND = 256;

    private final Path path;
    private final ServerSocketChannel server;
    private final ExecutorService workers = Executors.newCachedThreadPool(Daemon.threads("ldirector-control"));
    private final Function<String, String> handler;

    /** @param handler turns a command line (without its newline) into the answer */
    ControlSocket(Path path, Function<String, String> handler) throws IOException {
        this.path = path;
        this.handler = handler;
        Files.deleteIfExists(path); // a socket file left by a killed daemon (its pid file was stale)
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        workers.execute(this::accept);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                workers.execute(() -> serve(c));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            String command = readLine(c);
            String answer;
            try {
                answer = handler.apply(command);
            } catch (RuntimeException e) {
                answer = "error: " + e.getMessage() + "\n";
            }
            ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            // the client went away: nothing to tell it
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(64);
        while (line.size() < MAX_COMMAND) {
            one.clear();
            if (c.read(one) < 0) {
                break;
            }
            for (int i = 0; i < one.position(); i++) {
                byte b = one.get(i);
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8).strip();
                }
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8).strip();
    }

    /** The client side: sends one command, returns the whole answer. */
    static String request(Path path, String command, Duration timeout) throws IOException {
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    c.write(out);
                }
                ByteArrayOutputStream in = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                while (c.read(buf) >= 0) {
                    in.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                return in.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            throw c instanceof IOException io ? io : new IOException(c);
        } catch (java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            throw new IOException("no answer from " + path + " within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        workers.shutdownNow();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover socket file is replaced at the next start
        }
    }
}
