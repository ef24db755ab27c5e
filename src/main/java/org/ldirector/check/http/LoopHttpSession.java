package org.ldirector.check.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentLengthStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;
import org.apache.hc.core5.http.impl.io.ChunkedInputStream;
import org.apache.hc.core5.http.impl.io.ContentLengthInputStream;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.IdentityInputStream;
import org.apache.hc.core5.http.impl.io.SessionInputBufferImpl;
import org.ldirector.check.ProbeLoop;

/**
 * The first request of a plain-http check, run on the {@link ProbeLoop}: the request written
 * as the HTTP client wrote it (HTTP/1.1, {@code Host}, {@code Connection: close},
 * {@code User-Agent}), the answer gathered until it is complete (by its Content-Length, the end of
 * its head for HEAD, 204 and 304, else the real closing the connection), then parsed by httpcore's
 * own message parser and body decoders, so chunked and length-delimited bodies mean what they meant
 * to the client. Redirects, https and proxies stay with the HTTP client.
 */
final class LoopHttpSession extends ProbeLoop.Session {
    /** A head larger than this is not an HTTP answer a health check should wait for. */
    static final int HEAD_LIMIT = 64 * 1024;

    /** What the check hears: every path ends in exactly one of answered or failed, or in timedOut. */
    interface Listener {
        /** @param at the loop's time of the connect, on the check context's clock */
        void started(long at);

        void answered(HttpCheck.Answer a, Duration elapsed);

        void failed(Exception e, Duration elapsed);

        void timedOut(Duration elapsed);
    }

    private final InetSocketAddress remote;
    private final long timeoutNanos;
    private final byte[] request;
    private final boolean head;
    private final Listener listener;
    /** A check page's answer is a few hundred bytes; larger ones grow it. */
    private byte[] data = new byte[1024];
    private int length;
    private int headEnd = -1;
    /** Where the answer is complete, once the head says (-1: when the real closes the connection). */
    private long complete = -1;
    /** The final answer's head, parsed once when it is in (null: interim answers first, or unparseable). */
    private ClassicHttpResponse parsedHead;
    private boolean truncated;

    LoopHttpSession(InetSocketAddress remote, long timeoutNanos, String method, String path, String host,
            Listener listener) {
        this.remote = remote;
        this.timeoutNanos = timeoutNanos;
        this.head = method.equals("HEAD");
        this.listener = listener;
        // "Connection: close": a new connection per check, as LWP; the real closes it after answering
        this.request = (method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                + "User-Agent: ldirector\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    protected InetSocketAddress remote() {
        return remote;
    }

    @Override
    protected long timeoutNanos() {
        return timeoutNanos;
    }

    @Override
    protected void started() {
        listener.started(startedAt());
    }

    @Override
    protected ByteBuffer connected() {
        return ByteBuffer.wrap(request);
    }

    @Override
    protected boolean received(ByteBuffer in) {
        int room = (headEnd < 0 ? HEAD_LIMIT : headEnd + HttpCheck.BODY_LIMIT) - length;
        int n = Math.min(in.remaining(), room);
        if (length + n > data.length) {
            data = Arrays.copyOf(data, Math.max(length + n, data.length * 2));
        }
        in.get(data, length, n);
        int before = length;
        length += n;
        if (headEnd < 0) {
            headEnd = headEnd(data, Math.max(0, before - 3), length);
            if (headEnd < 0) {
                return length >= HEAD_LIMIT; // let the parser say what is wrong with it
            }
            complete = expectedLength();
        }
        if (complete >= 0 && length >= complete) {
            return true;
        }
        if (length - headEnd >= HttpCheck.BODY_LIMIT) {
            truncated = true;
            return true;
        }
        return false;
    }

    @Override
    protected void ended(ProbeLoop.End how, IOException error) {
        switch (how) {
            case TIMEOUT -> listener.timedOut(elapsed());
            case FAILED -> listener.failed(error, elapsed());
            default -> {
                if (length == 0) {
                    listener.failed(new ConnectionClosedException("Connection closed by peer"), elapsed());
                    return;
                }
                HttpCheck.Answer a;
                try {
                    a = parse();
                } catch (IOException | HttpException e) {
                    listener.failed(e, elapsed());
                    return;
                }
                listener.answered(a, elapsed());
            }
        }
    }

    /** The index just past the blank line that ends the head, or -1; searched from {@code from}. */
    static int headEnd(byte[] b, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** An answer to HEAD, a 204 or a 304 ends with its head, whatever its Content-Length says. */
    private boolean bodiless(int code) {
        return head || code == 204 || code == 304;
    }

    /** Where the answer ends by its head, or -1 when only the connection's end tells. */
    private long expectedLength() {
        try {
            ClassicHttpResponse r = new DefaultHttpResponseParser().parse(parseBuffer(headEnd),
                    new ByteArrayInputStream(data, 0, headEnd));
            if (r == null || r.getCode() < 200) {
                return -1;
            }
            parsedHead = r;
            if (bodiless(r.getCode())) {
                return headEnd;
            }
            long body = DefaultContentLengthStrategy.INSTANCE.determineLength(r);
            return body >= 0 ? headEnd + body : -1;
        } catch (IOException | HttpException e) {
            return -1; // the final parse reports it
        }
    }

    /**
     * A parser buffer no larger than what it parses: the answer is already in memory, and a
     * default-sized buffer (two arrays of its size) per probe was most of what a probe allocated
     * (8 of 18 KB), which at 10,000 probes a second is garbage the collector has to chase.
     */
    private static SessionInputBufferImpl parseBuffer(int bytes) {
        return new SessionInputBufferImpl(Math.max(256, Math.min(4096, bytes)));
    }

    private HttpCheck.Answer parse() throws IOException, HttpException {
        SessionInputBufferImpl buffer;
        InputStream in;
        ClassicHttpResponse r;
        if (parsedHead != null) {
            // the head was parsed when it came in: the body follows it
            r = parsedHead;
            buffer = parseBuffer(length - headEnd);
            in = new ByteArrayInputStream(data, headEnd, length - headEnd);
        } else {
            buffer = parseBuffer(length);
            in = new ByteArrayInputStream(data, 0, length);
            DefaultHttpResponseParser parser = new DefaultHttpResponseParser();
            r = parser.parse(buffer, in);
            // interim answers (100 Continue) come before the real one, as the client skips them
            while (r != null && r.getCode() < 200) {
                r = parser.parse(buffer, in);
            }
            if (r == null) {
                throw new ConnectionClosedException("Connection closed by peer");
            }
        }
        Header location = r.getFirstHeader("Location");
        String loc = location == null ? null : location.getValue();
        if (bodiless(r.getCode())) {
            return new HttpCheck.Answer(r.getCode(), loc, new byte[0], 0, false);
        }
        long declared = DefaultContentLengthStrategy.INSTANCE.determineLength(r);
        InputStream body = declared == ContentLengthStrategy.CHUNKED ? new ChunkedInputStream(buffer, in)
                : declared >= 0 ? new ContentLengthInputStream(buffer, in, declared)
                : new IdentityInputStream(buffer, in);
        byte[] out = new byte[Math.min(HttpCheck.BODY_LIMIT, Math.max(256, length))];
        int n = 0;
        try {
            int k;
            while (n < out.length && (k = body.read(out, n, out.length - n)) > 0) {
                n += k;
            }
        } catch (IOException e) {
            if (!truncated) {
                throw e; // a body cut short by the real, not by us
            }
        }
        return new HttpCheck.Answer(r.getCode(), loc, out, n, truncated);
    }
}
