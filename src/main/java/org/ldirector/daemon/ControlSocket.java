package org.ldirector.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The running daemon's local door: a UNIX stream socket that answers one line of command with text
 * and closes. {@code status} and {@code status json} today; other verbs can be added without
 * opening any TCP port.
 *
 * <p>Who may ask: the socket is mode 0600 from the moment it has its name, and each peer's
 * credentials (SO_PEERCRED, which the kernel fills in at connect) must be uid 0 or the socket's
 * owner. A client has {@code timeout} for the whole exchange; a few workers serve, and a connection
 * that finds them all busy and the queue full is closed at once.
 */
final class ControlSocket implements AutoCloseable {
    static final int MAX_COMMAND = 256;
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final int WORKERS = 4;
    static final int QUEUE = 16;
    static final String REFUSED = "error: permission denied\n";

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final ThreadPoolExecutor workers;
    private final Function<String, String> handler;
    private final Duration timeout;
    private final Set<UserPrincipal> allowed;

    /**
     * @param handler turns a command line (without its newline) into the answer
     */
    ControlSocket(Path path, Function<String, String> handler) throws IOException {
        this(path, handler, TIMEOUT, Daemon.threads("ldirector-control"));
    }

    ControlSocket(
            Path path, Function<String, String> handler, Duration timeout, ThreadFactory threads)
            throws IOException {
        this.path = path;
        this.handler = handler;
        this.timeout = timeout;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            UserPrincipal owner = bindPrivately(server, path);
            // "0" is looked up by name first and, as no user is named 0, read as the uid
            UserPrincipal root =
                    path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("0");
            allowed = Set.copyOf(List.of(owner, root)); // one element when the daemon runs as root
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        workers =
                new ThreadPoolExecutor(
                        WORKERS,
                        WORKERS,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(QUEUE),
                        threads);
        acceptor = threads.newThread(this::accept);
        acceptor.start();
    }

    /**
     * Binds {@code server} to {@code path} so that no one else can connect before the socket is
     * 0600, and returns its owner. bind(2) creates the file with the process umask, and umask is
     * process-wide, so changing it would race with every other thread that creates a file. Instead
     * the socket is bound in a new 0700 directory beside {@code path} (only its owner can reach
     * anything inside), made 0600 there, and renamed into place: rename(2) is atomic and replaces
     * whatever had the name (a stale socket, or a symlink, which is replaced and not followed). The
     * chmod cannot meet a link: the name in the private directory was just created by bind.
     */
    private static UserPrincipal bindPrivately(ServerSocketChannel server, Path path)
            throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        Path staging =
                Files.createTempDirectory(
                        parent,
                        "." + path.getFileName() + ".",
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rwx------")));
        Path temp = staging.resolve("s");
        try {
            server.bind(UnixDomainSocketAddress.of(temp));
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            UserPrincipal owner = Files.getOwner(temp, LinkOption.NOFOLLOW_LINKS);
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            return owner;
        } finally {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(staging);
        }
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                workers.execute(() -> serve(c));
            } catch (RejectedExecutionException e) {
                closeQuietly(c); // every worker busy and the queue full (or closing): no answer
            }
        }
    }

    /** Root, or the user the daemon runs as (who owns the socket), and no one else. */
    static boolean permitted(UnixDomainPrincipal peer, Set<UserPrincipal> allowed) {
        return allowed.contains(peer.user());
    }

    private void serve(SocketChannel c) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (c;
                Selector selector = Selector.open()) {
            c.configureBlocking(false);
            SelectionKey key = c.register(selector, 0);
            boolean permitted = permitted(c.getOption(ExtendedSocketOptions.SO_PEERCRED), allowed);
            // read the line even when refusing: closing with unread bytes resets the connection,
            // and the client would miss the refusal
            String command = readLine(c, key, deadline);
            String answer;
            if (!permitted) {
                answer = REFUSED;
            } else {
                try {
                    answer = handler.apply(command);
                } catch (RuntimeException e) {
                    answer = "error: " + e.getMessage() + "\n";
                }
            }
            ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                if (c.write(out) == 0) {
                    await(key, SelectionKey.OP_WRITE, deadline);
                }
            }
        } catch (IOException e) {
            // the client went away or ran out of time: nothing to tell it
        }
    }

    /** Waits until {@code key}'s channel is ready for {@code op}, or fails at {@code deadline}. */
    private static void await(SelectionKey key, int op, long deadline) throws IOException {
        key.interestOps(op);
        long left = deadline - System.nanoTime();
        if (left <= 0 || key.selector().select(Math.max(1, left / 1_000_000)) == 0) {
            throw new IOException("timed out");
        }
        key.selector().selectedKeys().clear();
    }

    private static String readLine(SocketChannel c, SelectionKey key, long deadline)
            throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(64);
        while (line.size() < MAX_COMMAND) {
            one.clear();
            int n = c.read(one);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                await(key, SelectionKey.OP_READ, deadline);
                continue;
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

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The client side: sends one command, returns the whole answer. */
    static String request(Path path, String command, Duration timeout) throws IOException {
        CompletableFuture<String> answer =
                CompletableFuture.supplyAsync(
                        () -> {
                            try (SocketChannel c =
                                    SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                                ByteBuffer out =
                                        ByteBuffer.wrap(
                                                (command + "\n").getBytes(StandardCharsets.UTF_8));
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
                                throw new UncheckedIOException(e);
                            }
                        });
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c =
                    e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw c instanceof IOException io ? io : new IOException(c);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IOException(
                    "no answer from " + path + " within " + timeout.toSeconds() + " s");
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
            acceptor.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover socket file is replaced at the next start
        }
    }
}
