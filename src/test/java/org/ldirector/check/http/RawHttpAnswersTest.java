package org.ldirector.check.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ldirector.check.CheckResult;
import org.ldirector.check.SharedCheckers;
import org.ldirector.check.Targets;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpMethod;
import org.ldirector.config.ServiceType;

/**
 * Answers a well-behaved server (WireMock) never gives, written byte for byte: how the probe loop
 * frames them (by Content-Length, by the end of the connection, chunked) decides up or down.
 */
class RawHttpAnswersTest {
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();

    /** One connection: reads the request head, writes {@code answer}, then holds or closes. */
    private static final class OneAnswer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final CompletableFuture<String> request = new CompletableFuture<>();
        private final Thread thread;

        OneAnswer(byte[] answer, boolean holdOpen) throws IOException {
            thread =
                    new Thread(
                            () -> {
                                try (Socket c = socket.accept()) {
                                    InputStream in = c.getInputStream();
                                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                                    while (!head.toString(StandardCharsets.ISO_8859_1)
                                            .endsWith("\r\n\r\n")) {
                                        int b = in.read();
                                        if (b < 0) {
                                            break;
                                        }
                                        head.write(b);
                                    }
                                    request.complete(head.toString(StandardCharsets.ISO_8859_1));
                                    OutputStream out = c.getOutputStream();
                                    out.write(answer);
                                    out.flush();
                                    if (holdOpen) {
                                        in.read(); // until the probe closes it
                                    }
                                } catch (IOException e) {
                                    request.completeExceptionally(e);
                                }
                            });
            thread.start();
        }

        OneAnswer(String answer, boolean holdOpen) throws IOException {
            this(answer.getBytes(StandardCharsets.ISO_8859_1), holdOpen);
        }

        Targets http() {
            return Targets.of(CheckType.NEGOTIATE, socket.getLocalPort())
                    .service(ServiceType.HTTP)
                    .timeouts(Duration.ofSeconds(3), Duration.ofSeconds(3));
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5000);
        }
    }

    @Test
    void theRequestIsWhatLdirectordsClientSends() throws Exception {
        try (OneAnswer s = new OneAnswer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false)) {
            assertTrue(checkers.run(s.http().request("/a/b?c=d")).up());
            assertEquals(
                    "GET /a/b?c=d HTTP/1.1\r\n"
                            + "Host: 127.0.0.1\r\n"
                            + "Connection: close\r\n"
                            + "User-Agent: ldirector\r\n\r\n",
                    s.request.get(5, TimeUnit.SECONDS));
        }
    }

    /**
     * A real that ignores "Connection: close" is judged when its Content-Length is in, not at the
     * timeout.
     */
    @Test
    void anAnswerIsCompleteAtItsContentLengthEvenIfTheConnectionStaysOpen() throws Exception {
        try (OneAnswer s =
                new OneAnswer("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhealthy", true)) {
            CheckResult r = checkers.run(s.http().receive("healthy"));
            assertTrue(r.up(), r.reason());
            assertTrue(r.latency().toMillis() < 2000, "judged at the timeout: " + r.latency());
        }
    }

    @Test
    void aHeadAnswerIsCompleteAtTheEndOfItsHead() throws Exception {
        try (OneAnswer s = new OneAnswer("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", true)) {
            CheckResult r = checkers.run(s.http().method(HttpMethod.HEAD));
            assertTrue(r.up(), r.reason());
            assertTrue(r.latency().toMillis() < 2000, "judged at the timeout: " + r.latency());
        }
    }

    /**
     * The regex sees the decoded body: a chunk boundary inside the expected text does not hide it.
     */
    @Test
    void aChunkedBodyIsDecodedBeforeTheReceiveRegex() throws Exception {
        String answer =
                "HTTP/1.1 200 OK\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n"
                        + "4\r\n"
                        + "heal\r\n"
                        + "3\r\n"
                        + "thy\r\n"
                        + "0\r\n\r\n";
        try (OneAnswer s = new OneAnswer(answer, false)) {
            CheckResult r = checkers.run(s.http().receive("healthy"));
            assertTrue(r.up(), r.reason());
        }
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnection() throws Exception {
        try (OneAnswer s = new OneAnswer("HTTP/1.0 200 OK\r\n\r\nall is well", false)) {
            CheckResult r = checkers.run(s.http().receive("well$"));
            assertTrue(r.up(), r.reason());
        }
    }

    /**
     * Read over many turns of the loop (16 kB a read, 4 reads a turn), the text at the very end
     * still counts.
     */
    @Test
    void aLargeBodyIsReadToItsEnd() throws Exception {
        String body = "x".repeat(3 << 20) + "healthy";
        try (OneAnswer s =
                new OneAnswer(
                        "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                        true)) {
            CheckResult r = checkers.run(s.http().receive("healthy$"));
            assertTrue(r.up(), r.reason());
        }
    }

    /**
     * The parser's buffer is sized to the answer: header lines far longer than it still parse
     * whole.
     */
    @Test
    void headerLinesLongerThanTheParseBufferAreReadWhole() throws Exception {
        String cookie = "c".repeat(9000);
        String answer =
                "HTTP/1.1 200 OK\r\nSet-Cookie: "
                        + cookie
                        + "\r\nX-Short: 1\r\nContent-Length: 7\r\n\r\nhealthy";
        try (OneAnswer s = new OneAnswer(answer, false)) {
            CheckResult r = checkers.run(s.http().receive("^healthy$"));
            assertTrue(r.up(), r.reason());
        }
        String tiny = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        try (OneAnswer s = new OneAnswer(tiny, false)) {
            CheckResult r = checkers.run(s.http().receive("^ok$"));
            assertTrue(r.up(), r.reason());
        }
    }

    @Test
    void anInterimAnswerIsSkipped() throws Exception {
        try (OneAnswer s =
                new OneAnswer(
                        "HTTP/1.1 100 Continue\r\n\r\n"
                                + "HTTP/1.1 503 Busy\r\n"
                                + "Content-Length: 0\r\n\r\n",
                        false)) {
            CheckResult r = checkers.run(s.http());
            assertFalse(r.up());
            assertEquals("HTTP 503", r.reason());
        }
    }

    @Test
    void aRealThatClosesWithoutAnsweringIsDown() throws Exception {
        try (OneAnswer s = new OneAnswer(new byte[0], false)) {
            CheckResult r = checkers.run(s.http());
            assertFalse(r.up());
            assertTrue(r.reason().contains("Connection closed by peer"), r.reason());
        }
    }

    @Test
    void aBodyCutShortOfItsContentLengthIsDown() throws Exception {
        try (OneAnswer s =
                new OneAnswer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", false)) {
            CheckResult r = checkers.run(s.http().receive("short"));
            assertFalse(r.up(), r.reason());
        }
    }

    /** The body is what the Content-Length says; bytes a real sends after it are not searched. */
    @Test
    void bytesPastTheContentLengthAreNotTheBody() throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhealthyEXTRA";
        try (OneAnswer s = new OneAnswer(answer, false)) {
            assertTrue(checkers.run(s.http().receive("healthy$")).up());
        }
        try (OneAnswer s = new OneAnswer(answer, false)) {
            CheckResult r = checkers.run(s.http().receive("EXTRA"));
            assertFalse(r.up(), r.reason());
        }
    }

    @Test
    void garbageIsDownWithTheParsersWords() throws Exception {
        try (OneAnswer s = new OneAnswer("SSH-2.0-OpenSSH_9.2\r\n\r\n", false)) {
            CheckResult r = checkers.run(s.http());
            assertFalse(r.up());
            assertTrue(r.reason().startsWith("http: "), r.reason());
        }
    }

    /** A redirect answered on the loop continues on the HTTP client, with the same deadline. */
    @Test
    void aRedirectFromTheLoopIsFollowed() throws Exception {
        try (OneAnswer target =
                new OneAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false)) {
            String moved =
                    "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:"
                            + target.socket.getLocalPort()
                            + "/there\r\nContent-Length: 0\r\n\r\n";
            try (OneAnswer first = new OneAnswer(moved, false)) {
                CheckResult r = checkers.run(first.http().receive("ok"));
                assertTrue(r.up(), r.reason());
                assertEquals("HTTP 200 after 1 redirect, receive /ok/ found", r.reason());
                assertTrue(
                        target.request
                                .get(5, TimeUnit.SECONDS)
                                .startsWith("GET /there HTTP/1.1\r\n"));
            }
        }
    }
}
