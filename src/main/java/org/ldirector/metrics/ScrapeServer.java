package org.ldirector.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A minimal HTTP/1.x server for one resource: GET or HEAD {@code /metrics}, answered in full and
 * closed ({@code Connection: close}). One thread runs a selector over non-blocking sockets, so no
 * client can hold a thread: a peer that sends half a request only holds one connection slot, and
 * only until its deadline. The JDK's {@code HttpServer} reads each request head with a blocking
 * read on its executor, so as many slow clients as it has threads stop every scrape; its {@code
 * sun.net.httpserver.maxReqTime} is a JVM-wide property read once, and even with it a scrape waits
 * for the timer.
 *
 * <p>Limits: a request head of at most {@link #MAX_HEAD} bytes; at most {@code maxConnections} open
 * at once, and when full the oldest connection that has not yet sent a whole request is dropped to
 * make room, so new scrapes always get in; every connection is closed once {@code deadline} after
 * it was accepted, whatever it is doing.
 */
final class ScrapeServer implements AutoCloseable {
    static final int MAX_HEAD = 8 * 1024;
    static final Duration DEADLINE = Duration.ofSeconds(5);
    static final int MAX_CONNECTIONS = 64;

    /** The answer to one request; {@code headOnly} for HEAD, which gets the headers of a GET. */
    record Response(
            int status,
            String reason,
            String headers,
            String type,
            String body,
            boolean headOnly) {}

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Supplier<String> scrape;
    private final LongSupplier nanoClock;
    private final long deadlineNanos;
    private final int maxConnections;
    private final List<Conn> conns = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closing;

    ScrapeServer(InetSocketAddress address, Supplier<String> scrape, ThreadFactory threads)
            throws IOException {
        this(address, scrape, threads, System::nanoTime, DEADLINE, MAX_CONNECTIONS);
    }

    /** Binds now (so a port in use fails here, in the caller) and serves on a thread of its own. */
    ScrapeServer(
            InetSocketAddress address,
            Supplier<String> scrape,
            ThreadFactory threads,
            LongSupplier nanoClock,
            Duration deadline,
            int maxConnections)
            throws IOException {
        this.scrape = scrape;
        this.nanoClock = nanoClock;
        this.deadlineNanos = deadline.toNanos();
        this.maxConnections = maxConnections;
        server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, 64);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        thread = threads.newThread(this::run);
        thread.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** One connection: its request head so far, then the answer still to write. */
    private static final class Conn {
        final SocketChannel channel;
        final SelectionKey key;
        final long acceptedAt;
        final ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
        ByteBuffer out;
        boolean draining;

        Conn(SocketChannel channel, SelectionKey key, long acceptedAt) {
            this.channel = channel;
            this.key = key;
            this.acceptedAt = acceptedAt;
        }

        boolean reading() {
            return out == null;
        }
    }

    private void run() {
        try {
            while (!closing) {
                selector.select(this::ready, nextTimeoutMillis());
                expire();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed under us: the loop ends
        } finally {
            for (Conn c : List.copyOf(conns)) {
                drop(c);
            }
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private long nextTimeoutMillis() {
        if (conns.isEmpty()) {
            return 0; // no deadline pending: wait for a connection
        }
        long first = conns.get(0).acceptedAt + deadlineNanos - nanoClock.getAsLong();
        return Math.max(1, (first + 999_999) / 1_000_000);
    }

    private void ready(SelectionKey key) {
        try {
            if (key.channel() == server) {
                accept();
            } else if (key.attachment() instanceof Conn c && key.isValid()) {
                if (c.reading() || c.draining) {
                    read(c);
                } else {
                    write(c);
                }
            }
        } catch (IOException e) {
            if (key.attachment() instanceof Conn c) {
                drop(c);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            if (conns.size() >= maxConnections) {
                // make room: a scrape sends its request at once, a client still sending after
                // others
                // arrived is slow or hostile, and an answered client being drained is done
                conns.stream()
                        .filter(c -> c.draining || c.reading())
                        .min(
                                Comparator.comparing((Conn c) -> !c.draining)
                                        .thenComparingLong(c -> c.acceptedAt))
                        .ifPresent(this::drop);
            }
            if (conns.size() >= maxConnections) {
                ch.close(); // every slot is writing an answer; cannot happen with short answers
                continue;
            }
            ch.configureBlocking(false);
            Conn c =
                    new Conn(
                            ch, ch.register(selector, SelectionKey.OP_READ), nanoClock.getAsLong());
            c.key.attach(c);
            conns.add(c); // accepted in order, so conns stays sorted by deadline
        }
    }

    private void read(Conn c) throws IOException {
        if (c.draining) {
            // after the answer: read and discard what the client still sends (a body we did not
            // want), so that closing does not reset the connection before it has read the answer
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (true) {
                int n = c.channel.read(sink);
                if (n < 0) {
                    drop(c);
                    return;
                }
                if (n == 0) {
                    return;
                }
                sink.clear();
            }
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            drop(c); // gave up before a whole request
            return;
        }
        int end = headEnd(c.in);
        if (end >= 0) {
            answer(
                    c,
                    respond(new String(c.in.array(), 0, end, StandardCharsets.ISO_8859_1), scrape));
        } else if (!c.in.hasRemaining()) {
            answer(
                    c,
                    new Response(
                            431,
                            "Request Header Fields Too Large",
                            "",
                            "text/plain; charset=utf-8",
                            "request head over " + MAX_HEAD + " bytes\n",
                            false));
        }
    }

    /** Where the blank line that ends the head starts (CRLF CRLF, or bare LF LF), or -1. */
    static int headEnd(ByteBuffer in) {
        byte[] b = in.array();
        int len = in.position();
        for (int i = 0; i + 1 < len; i++) {
            if (b[i] == '\n'
                    && (b[i + 1] == '\n'
                            || (b[i + 1] == '\r' && i + 2 < len && b[i + 2] == '\n'))) {
                return i;
            }
        }
        return -1;
    }

    /** The answer to a request head (its request line is the first line). */
    static Response respond(String head, Supplier<String> scrape) {
        String line = head.lines().findFirst().orElse("").strip();
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            return new Response(
                    400, "Bad Request", "", "text/plain; charset=utf-8", "bad request\n", false);
        }
        String method = parts[0];
        boolean headOnly = method.equals("HEAD");
        String target = parts[1];
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (!path.equals("/metrics")) {
            return new Response(
                    404,
                    "Not Found",
                    "",
                    "text/plain; charset=utf-8",
                    "not found; try /metrics\n",
                    headOnly);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new Response(
                    405,
                    "Method Not Allowed",
                    "Allow: GET, HEAD\r\n",
                    "text/plain; charset=utf-8",
                    "method not allowed\n",
                    false);
        }
        return new Response(200, "OK", "", MetricsEndpoint.CONTENT_TYPE, scrape.get(), headOnly);
    }

    private void answer(Conn c, Response r) throws IOException {
        boolean head = r.headOnly();
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        String headers =
                "HTTP/1.1 "
                        + r.status()
                        + " "
                        + r.reason()
                        + "\r\n"
                        + "Content-Type: "
                        + r.type()
                        + "\r\n"
                        + r.headers()
                        + "Content-Length: "
                        + body.length
                        + "\r\n"
                        + "Connection: close\r\n\r\n";
        byte[] h = headers.getBytes(StandardCharsets.ISO_8859_1);
        c.out = ByteBuffer.allocate(h.length + (head ? 0 : body.length));
        c.out.put(h);
        if (!head) {
            c.out.put(body);
        }
        c.out.flip();
        c.key.interestOps(SelectionKey.OP_WRITE);
        write(c);
    }

    private void write(Conn c) throws IOException {
        c.channel.write(c.out);
        if (!c.out.hasRemaining()) {
            c.channel.shutdownOutput();
            c.draining = true;
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void expire() {
        long now = nanoClock.getAsLong();
        while (!conns.isEmpty() && now - conns.get(0).acceptedAt >= deadlineNanos) {
            drop(conns.get(0));
        }
    }

    private void drop(Conn c) {
        conns.remove(c);
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        selector.wakeup();
        try {
            thread.join(DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
