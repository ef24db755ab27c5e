package org.ldirector.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScrapeServerTest {
    private ScrapeServer server;

    private int start(Duration deadline, int maxConnections) throws Exception {
        server =
                new ScrapeServer(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        () -> "up 1\n",
                        Thread::new,
                        System::nanoTime,
                        deadline,
                        maxConnections);
        return server.address().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String exchange(int port, String request) throws Exception {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(5000);
            c.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void answersGetAndHeadAndClosesTheConnection() throws Exception {
        int port = start(Duration.ofSeconds(5), 4);
        assertEquals(
                "HTTP/1.1 200 OK\r\nContent-Type: "
                        + MetricsEndpoint.CONTENT_TYPE
                        + "\r\n"
                        + "Content-Length: 5\r\nConnection: close\r\n\r\nup 1\n",
                exchange(port, "GET /metrics?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(
                "HTTP/1.1 200 OK\r\nContent-Type: "
                        + MetricsEndpoint.CONTENT_TYPE
                        + "\r\n"
                        + "Content-Length: 5\r\nConnection: close\r\n\r\n",
                exchange(port, "HEAD /metrics HTTP/1.0\n\n"));
        assertTrue(
                exchange(port, "GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404 Not Found\r\n"));
        String post = exchange(port, "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        assertTrue(post.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), post);
        assertTrue(post.contains("\r\nAllow: GET, HEAD\r\n"), post);
        assertTrue(exchange(port, "hello\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
    }

    @Test
    void anOversizedHeadIsRefused() throws Exception {
        int port = start(Duration.ofSeconds(5), 4);
        String answer =
                exchange(
                        port,
                        "GET /metrics HTTP/1.1\r\nX: "
                                + "a".repeat(ScrapeServer.MAX_HEAD)
                                + "\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
    }

    @Test
    void aConnectionIsClosedAtItsDeadlineWhateverItSent() throws Exception {
        int port = start(Duration.ofMillis(300), 4);
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
            c.setSoTimeout(5000);
            c.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHo".getBytes(StandardCharsets.ISO_8859_1));
            long start = System.nanoTime();
            InputStream in = c.getInputStream();
            assertEquals(-1, in.read(), "closed without an answer");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 200 && millis < 3000, millis + " ms");
        }
    }

    @Test
    void whenFullTheOldestUnfinishedRequestMakesRoom() throws Exception {
        int port = start(Duration.ofSeconds(30), 2);
        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
            first.setSoTimeout(5000);
            first.getOutputStream().write('G');
            second.getOutputStream().write('G');
            // a third, whole request is answered at once, and the oldest half-sent one was dropped
            assertTrue(
                    exchange(port, "GET /metrics HTTP/1.1\r\n\r\n")
                            .startsWith("HTTP/1.1 200 OK\r\n"));
            assertEquals(-1, first.getInputStream().read());
        }
    }
}
