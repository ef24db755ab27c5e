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
import org.ldirector.check.AnswerBudget;
import org.ldirector.check.ProbeLoop;

/**
 * The first request of a plain-http check, run on the {@link ProbeLoop}: the request written as the
 * HTTP client wrote it (HTTP/1.1, {@code Host}, {@code Connection: close}, {@code User-Agent}), the
 * answer gathered until it is complete (by its Content-Length, the end of its head for HEAD, 204
 * and 304, else the real closing the connection), then parsed by httpcore's own message parser and
 * body decoders, so chunked and length-delimited bodies mean what they meant to the client.
 * Redirects, https and proxies stay with the HTTP client.
 *
 * <p>Memory: the answer lives in one array, read into once, and the body is decoded in place in it
 * (a body is never longer than its encoding), so a probe holds one copy of what it keeps. Up to
 * {@link AnswerBudget#ALLOWANCE} it is the probe's own; beyond, the probe first takes from the
 * shared {@link AnswerBudget} all it can still need, and while the budget has not that much free it
 * reads no more: the real's bytes wait in the socket and the probe goes on when other answers have
 * been judged, or times out at its deadline. Waiting rather than judging a prefix keeps the verdict
 * the real's: a director short of memory never takes down a real whose receive text lies further
 * in.
 */
final class LoopHttpSession extends ProbeLoop.Session {
    /** A head larger than this is not an HTTP answer a health check should wait for. */
    static final int HEAD_LIMIT = 64 * 1024;

    /**
     * What the check hears: every path ends in exactly one of answered or failed, or in timedOut.
     */
    interface Listener {
        /**
         * @param at the loop's time of the connect, on the check context's clock
         */
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
    private final AnswerBudget budget;

    /**
     * This answer's share of the budget once it outgrows its allowance; handed on with the answer.
     */
    private AnswerBudget.Hold hold;

    private static final byte[] NOTHING = new byte[0];

    /**
     * A check page's answer, head included, is a few hundred bytes (nginx's "ok" page: 170); larger
     * ones grow it. Allocated for every probe, so no larger than that.
     */
    private byte[] data = new byte[512];

    private int length;
    private int headEnd = -1;

    /**
     * Where the answer is complete, once the head says (-1: when the real closes the connection).
     */
    private long complete = -1;

    /**
     * The final answer's head, parsed once when it is in (null: interim answers first, or
     * unparseable).
     */
    private ClassicHttpResponse parsedHead;

    private boolean truncated;

    LoopHttpSession(
            InetSocketAddress remote,
            long timeoutNanos,
            String method,
            String path,
            String host,
            AnswerBudget budget,
            Listener listener) {
        this.remote = remote;
        this.budget = budget;
        this.timeoutNanos = timeoutNanos;
        this.head = method.equals("HEAD");
        this.listener = listener;
        // "Connection: close": a new connection per check, as LWP; the real closes it after
        // answering
        this.request =
                (method
                                + " "
                                + path
                                + " HTTP/1.1\r\nHost: "
                                + host
                                + "\r\nConnection: close\r\n"
                                + "User-Agent: ldirector\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
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

    /**
     * The most of this answer worth keeping: its head, then its body up to the cap (or its declared
     * end).
     */
    private long wanted() {
        if (headEnd < 0) {
            return HEAD_LIMIT + (long) HttpCheck.BODY_LIMIT;
        }
        long cap = headEnd + (long) HttpCheck.BODY_LIMIT;
        return complete >= 0 ? Math.min(complete, cap) : cap;
    }

    /** What this answer may keep now: its allowance, or its share once it has one. */
    private long allowed() {
        return hold == null
                ? AnswerBudget.ALLOWANCE
                : Math.max(AnswerBudget.ALLOWANCE, hold.bytes());
    }

    @Override
    protected int room() {
        long left = allowed() - length;
        if (left <= 0 && hold == null) {
            // everything at once: a probe never holds part of the budget while it waits for more
            hold = budget.tryTake(wanted());
            if (hold == null) {
                return 0;
            }
            left = allowed() - length;
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    protected boolean received(ByteBuffer in) {
        int n = (int) Math.min(in.remaining(), Math.min(allowed(), wanted()) - length);
        if (length + n > data.length) {
            // a declared length is allocated once; an open-ended body doubles, never past its share
            long size =
                    complete >= 0
                            ? Math.min(allowed(), wanted())
                            : Math.min(allowed(), Math.max(length + n, data.length * 2L));
            data = Arrays.copyOf(data, (int) Math.max(length + n, size));
        }
        in.get(data, length, n);
        int before = length;
        length += n;
        boolean full =
                length >= allowed()
                        && hold != null; // a share smaller than the need: the budget itself is that
        // small
        if (headEnd < 0) {
            headEnd = headEnd(data, Math.max(0, before - 3), length);
            if (headEnd < 0) {
                return length >= HEAD_LIMIT || full; // let the parser say what is wrong with it
            }
            complete = expectedLength();
        }
        if (complete >= 0 && length >= complete) {
            return true;
        }
        if (length - headEnd >= HttpCheck.BODY_LIMIT || full) {
            truncated = true;
            return true;
        }
        return false;
    }

    private void release() {
        if (hold != null) {
            hold.release();
        }
    }

    @Override
    protected void ended(ProbeLoop.End how, IOException error) {
        try {
            end(how, error);
        } finally {
            // the loop keeps a finished session in its deadline heap until its deadline comes up:
            // the bytes go with the answer, or nowhere, never stay with the session
            data = NOTHING;
            parsedHead = null;
        }
    }

    private void end(ProbeLoop.End how, IOException error) {
        switch (how) {
            case TIMEOUT -> {
                release();
                listener.timedOut(elapsed());
            }
            case FAILED -> {
                release();
                listener.failed(error, elapsed());
            }
            default -> {
                if (length == 0) {
                    release();
                    listener.failed(
                            new ConnectionClosedException("Connection closed by peer"), elapsed());
                    return;
                }
                HttpCheck.Answer a;
                try {
                    a = parse();
                } catch (IOException | HttpException | RuntimeException e) {
                    release();
                    listener.failed(
                            e instanceof RuntimeException
                                    ? new IOException(e.toString(), e)
                                    : (Exception) e,
                            elapsed());
                    return;
                }
                // the share goes with the bytes: the check returns it when its verdict is made
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
            ClassicHttpResponse r =
                    new DefaultHttpResponseParser()
                            .parse(
                                    parseBuffer(headEnd),
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
     * default-sized buffer (two arrays of its size) per probe would be most of what a probe
     * allocates, garbage the collector has to chase at thousands of probes a second.
     */
    private static SessionInputBufferImpl parseBuffer(int bytes) {
        return new SessionInputBufferImpl(Math.max(256, Math.min(4096, bytes)));
    }

    private HttpCheck.Answer parse() throws IOException, HttpException {
        SessionInputBufferImpl buffer = null;
        InputStream in = null;
        ClassicHttpResponse r;
        if (parsedHead != null) {
            // the head was parsed when it came in: the body follows it
            r = parsedHead;
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
            return new HttpCheck.Answer(r.getCode(), loc, data, 0, 0, false, hold);
        }
        long declared = DefaultContentLengthStrategy.INSTANCE.determineLength(r);
        if (parsedHead != null) {
            if (declared >= 0 && !truncated && declared <= length - headEnd) {
                // The whole body its head declared is in, already where decoding would put it: no
                // decoder, no second parser buffer (the common answer, thousands a second).
                return new HttpCheck.Answer(
                        r.getCode(), loc, data, headEnd, (int) declared, false, hold);
            }
            buffer = parseBuffer(length - headEnd);
            in = new ByteArrayInputStream(data, headEnd, length - headEnd);
        }
        InputStream body =
                declared == ContentLengthStrategy.CHUNKED
                        ? new ChunkedInputStream(buffer, in)
                        : declared >= 0
                                ? new ContentLengthInputStream(buffer, in, declared)
                                : new IdentityInputStream(buffer, in);
        // Decoded into the same array, from where the first head ends: the decoder has always read
        // at least as many raw bytes past that point as it has written, so it never overwrites a
        // byte it has yet to read (a final head after interim ones starts further on still).
        int at = Math.max(0, headEnd);
        int max = Math.min(HttpCheck.BODY_LIMIT, length - at);
        int n = 0;
        try {
            int k;
            while (n < max && (k = body.read(data, at + n, max - n)) > 0) {
                n += k;
            }
            if (!truncated) {
                // all that came is decoded: the decoder now sees the end, or says the body was cut
                // short
                body.read();
            }
        } catch (IOException e) {
            if (!truncated) {
                throw e; // a body cut short by the real, not by us
            }
        }
        return new HttpCheck.Answer(r.getCode(), loc, data, at, n, truncated, hold);
    }
}
