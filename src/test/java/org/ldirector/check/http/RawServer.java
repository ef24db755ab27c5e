package org.ldirector.check.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.ldirector.check.Targets;
import org.ldirector.config.CheckType;
import org.ldirector.config.ServiceType;

/**
 * A loopback HTTP real that answers every connection the same way, after reading the request head.
 */
final class RawServer implements AutoCloseable {
    /** What the real writes once it has read the request. */
    @FunctionalInterface
    interface Answer {
        void write(OutputStream out, InputStream in) throws IOException;
    }

    final ServerSocket socket;
    private final ExecutorService connections =
            Executors.newCachedThreadPool(
                    r -> {
                        Thread t = new Thread(r, "raw-real");
                        t.setDaemon(true);
                        return t;
                    });
    private final Thread acceptor;

    RawServer(Answer answer) throws IOException {
        socket = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        acceptor =
                new Thread(
                        () -> {
                            while (!socket.isClosed()) {
                                try {
                                    Socket c = socket.accept();
                                    connections.execute(
                                            () -> {
                                                try (c) {
                                                    InputStream in = c.getInputStream();
                                                    readHead(in);
                                                    answer.write(c.getOutputStream(), in);
                                                } catch (IOException e) {
                                                    // the probe closed first: it has what it wanted
                                                }
                                            });
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "raw-real-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Answers with {@code bytes}, then closes. */
    static RawServer fixed(byte[] bytes) throws IOException {
        return new RawServer((out, in) -> out.write(bytes));
    }

    /** A 200 answer with this body and its Content-Length. */
    static byte[] ok(byte[] body) {
        byte[] head =
                ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** {@code bytes} of 'x' followed by {@code tail}, one line. */
    static byte[] line(int bytes, String tail) {
        byte[] b = new byte[bytes + tail.length()];
        Arrays.fill(b, 0, bytes, (byte) 'x');
        System.arraycopy(tail.getBytes(StandardCharsets.ISO_8859_1), 0, b, bytes, tail.length());
        return b;
    }

    private static void readHead(InputStream in) throws IOException {
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                return;
            }
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    Targets http() {
        return Targets.of(CheckType.NEGOTIATE, port()).service(ServiceType.HTTP);
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join(5000);
        connections.shutdownNow();
        connections.awaitTermination(5, TimeUnit.SECONDS);
    }
}
