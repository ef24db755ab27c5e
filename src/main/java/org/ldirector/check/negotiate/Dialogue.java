package org.ldirector.check.negotiate;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.net.ssl.SSLSocket;
import org.ldirector.check.BoundedMatch;
import org.ldirector.check.Reasons;
import org.ldirector.check.UnverifiedTls;
import org.ldirector.config.PerlRegex;
import org.ldirector.net.InetText;

/**
 * One negotiate dialogue with one real: blocking sockets bounded by a total deadline. Every connect
 * and read gets the time that is left as its timeout, and {@link #expire()} (called by the timer at
 * the deadline) closes whatever is open so that no read can outlive the deadline even if the peer
 * trickles bytes. Lines are ISO-8859-1 so bytes survive unchanged into reasons and regexes.
 */
final class Dialogue {
    private static final int MAX_LINE = 8192;

    private final InetSocketAddress peer;
    private final long deadlineNanos;
    private final LongSupplier nanoTime;
    private final Executor background;
    private final BoundedMatch match;
    private final List<String> secrets = new ArrayList<>();
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private volatile boolean expired;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Dialogue(
            InetSocketAddress peer,
            Duration timeout,
            long startNanos,
            LongSupplier nanoTime,
            Executor background,
            BoundedMatch match) {
        this.peer = peer;
        this.match = match;
        this.background = background;
        this.nanoTime = nanoTime;
        this.deadlineNanos = startNanos + timeout.toNanos();
    }

    InetSocketAddress peer() {
        return peer;
    }

    /**
     * Where a resource closed at the deadline may do blocking work (JDBC's abort), not the timer.
     */
    Executor background() {
        return background;
    }

    boolean expired() {
        return expired;
    }

    /** Never printed: every reason is scrubbed of these before it leaves the checker. */
    void secret(String value) {
        if (value != null && !value.isEmpty()) {
            secrets.add(value);
        }
    }

    /**
     * Masks every occurrence, even inside other words: a garbled reason beats a leaked password. A
     * secret is found as a reason shows it too: escaped ({@link Reasons#escape}), and its first
     * characters where a quoted piece was cut just after them.
     */
    String scrub(String reason) {
        String r = reason;
        for (String s : secrets) {
            String shown = Reasons.escape(s);
            r = maskCutPrefix(r.replace(s, MASK).replace(shown, MASK), shown);
        }
        return r;
    }

    private static final String MASK = "********";

    /**
     * Before each cut mark, the longest beginning of {@code secret} that stands there is masked.
     */
    private static String maskCutPrefix(String r, String secret) {
        int from = 0;
        for (int at = r.indexOf(Reasons.CUT); at >= 0; at = r.indexOf(Reasons.CUT, from)) {
            for (int k = Math.min(secret.length() - 1, at); k > 0; k--) {
                if (r.startsWith(secret.substring(0, k), at - k)) {
                    r = r.substring(0, at - k) + MASK + r.substring(at);
                    at += MASK.length() - k;
                    break;
                }
            }
            from = at + Reasons.CUT.length();
        }
        return r;
    }

    /** Milliseconds left, at least 1 (0 would mean "forever" to setSoTimeout). */
    int remainingMillis() throws SocketTimeoutException {
        long left = deadlineNanos - nanoTime.getAsLong();
        if (left <= 0 || expired) {
            throw new SocketTimeoutException("deadline");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
    }

    /** Closes everything the dialogue opened; called by the timer at the deadline. */
    void expire() {
        expired = true;
        closeAll();
    }

    void closeAll() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is best effort: the dialogue is over either way
            }
        }
    }

    /** Registers something (a JDBC connection, a data socket) to be closed at the deadline. */
    <T extends AutoCloseable> T closeOnDeadline(T resource) throws SocketTimeoutException {
        open.add(resource);
        if (expired) {
            closeAll();
            throw new SocketTimeoutException("deadline");
        }
        return resource;
    }

    // ---- TCP ----

    /** Connects the control connection to the real's check port. */
    void connect() throws IOException {
        use(connectTo(peer));
    }

    /**
     * Connects, and for the implicit-TLS services (imaps, pops, ldaps) wraps the connection in TLS
     * at once.
     */
    void connect(boolean tls) throws IOException {
        connect();
        if (tls) {
            startTls();
        }
    }

    /** The rest of a conversation, once the server's greeting line was accepted. */
    @FunctionalInterface
    interface AfterGreeting {
        Outcome talk(String greeting) throws Exception;
    }

    /**
     * The opening of the line-based mail services (imap, pop and their implicit-TLS variants):
     * connect, TLS at once when asked, one greeting line. A greeting {@code accept} refuses is down
     * as "banner '...' from SERVICE"; an accepted one is handed to {@code next}.
     */
    Outcome greeted(boolean tls, String service, Predicate<String> accept, AfterGreeting next)
            throws Exception {
        connect(tls);
        String greeting = readLine();
        if (!accept.test(greeting)) {
            return Outcome.down("banner " + Reasons.quote(greeting) + " from " + service);
        }
        return next.talk(greeting);
    }

    /** A further TCP connection (an FTP data connection), closed with the dialogue. */
    Socket connectTo(InetSocketAddress address) throws IOException {
        Socket s = closeOnDeadline(new Socket());
        s.setTcpNoDelay(true);
        s.connect(address, remainingMillis());
        return s;
    }

    /**
     * Wraps the connection in TLS without verifying the certificate or the name, as ldirectord's
     * Perl modules do: a health check asks whether the service answers, not who it is.
     */
    void startTls() throws IOException {
        SSLSocket tls =
                (SSLSocket)
                        UnverifiedTls.context()
                                .getSocketFactory()
                                .createSocket(
                                        socket,
                                        peer.getAddress().getHostAddress(),
                                        peer.getPort(),
                                        true);
        closeOnDeadline(tls);
        tls.setUseClientMode(true);
        tls.setSoTimeout(remainingMillis());
        tls.startHandshake();
        use(tls);
    }

    private void use(Socket s) throws IOException {
        socket = s;
        // buffered so a line is not one system call per byte; TLS starts before any read, so no
        // plain-text bytes can be stranded in the old buffer
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends one command line terminated by CRLF, as every text protocol here wants. */
    void sendLine(String line) throws IOException {
        send(line + "\r\n");
    }

    /**
     * Says goodbye (QUIT, LOGOUT) and waits for the first line of the answer, as the Perl modules
     * do, so servers log a clean logout rather than a reset; the verdict is already made, so a
     * failure here changes nothing.
     */
    void farewell(String line) {
        try {
            sendLine(line);
            readLineOrNull();
        } catch (IOException ignored) {
            // the answer to a goodbye does not matter
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** One line without its CR LF; end of stream before any byte is an {@link EOFException}. */
    String readLine() throws IOException {
        String line = readLineOrNull();
        if (line == null) {
            throw new EOFException("connection closed by peer");
        }
        return line;
    }

    /** One line without its CR LF, or null at end of stream. */
    String readLineOrNull() throws IOException {
        String raw = readRawLine();
        if (raw == null) {
            return null;
        }
        String s = raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * One line with its terminator, as Perl's {@code <$sock>} returns it; null at end of stream.
     */
    String readRawLine() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        // once per line, not per byte: a peer trickling a line past the deadline is cut by expire()
        socket.setSoTimeout(remainingMillis());
        while (true) {
            int b = in.read();
            if (b < 0) {
                return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
            }
            if (buf.size() >= MAX_LINE) {
                throw new Down("line longer than " + MAX_LINE + " bytes from " + hostPort());
            }
            buf.write(b);
            if (b == '\n') {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /**
     * Whatever one read returns (at most {@code max} bytes), or an empty array at end of stream.
     */
    byte[] readSome(int max) throws IOException {
        socket.setSoTimeout(remainingMillis());
        byte[] buf = new byte[max];
        int n = in.read(buf);
        return n <= 0 ? new byte[0] : Arrays.copyOf(buf, n);
    }

    byte[] readExactly(int n) throws IOException {
        return readExactly(socket, in, n);
    }

    private byte[] readExactly(Socket s, InputStream from, int n) throws IOException {
        byte[] buf = new byte[n];
        int off = 0;
        while (off < n) {
            s.setSoTimeout(remainingMillis());
            int r = from.read(buf, off, n - off);
            if (r < 0) {
                throw new EOFException("connection closed by peer");
            }
            off += r;
        }
        return buf;
    }

    /** Reads a connection to its end, keeping at most {@code cap} bytes (the rest is drained). */
    byte[] readToEnd(Socket s, int cap) throws IOException {
        InputStream from = s.getInputStream();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            s.setSoTimeout(remainingMillis());
            int r = from.read(chunk);
            if (r < 0) {
                return buf.toByteArray();
            }
            buf.write(chunk, 0, Math.max(0, Math.min(r, cap - buf.size())));
        }
    }

    /**
     * A numbered reply as SMTP and FTP send it ({@code 250-first}, ..., {@code 250 last}): the
     * continuation lines are read and only the code and the last line's text are kept.
     */
    Reply readReply() throws IOException {
        while (true) {
            String line = readLine();
            if (line.length() >= 3
                    && isCode(line)
                    && (line.length() == 3 || line.charAt(3) == ' ')) {
                return new Reply(
                        Integer.parseInt(line.substring(0, 3)),
                        line.substring(Math.min(4, line.length())));
            }
            // "250-..." continuation, or a free-form line inside an FTP multi-line reply
        }
    }

    private static boolean isCode(String line) {
        return Character.isDigit(line.charAt(0))
                && Character.isDigit(line.charAt(1))
                && Character.isDigit(line.charAt(2));
    }

    /** A numbered reply; {@link #toString()} is the form reasons quote ("421 too busy"). */
    record Reply(int code, String text) {
        boolean positive() {
            return code >= 200 && code < 300;
        }

        @Override
        public String toString() {
            return code + (text.isEmpty() ? "" : " " + Reasons.quote(text));
        }
    }

    /** How a protocol reads the answer to one command. */
    @FunctionalInterface
    interface Answer<T> {
        T read(Dialogue d) throws IOException;
    }

    /** Sends a command line and reads its answer the protocol's way. */
    <T> T command(String line, Answer<T> answer) throws IOException {
        sendLine(line);
        return answer.read(this);
    }

    /** Sends a command and reads its numbered reply. */
    Reply command(String line) throws IOException {
        sendLine(line);
        return readReply();
    }

    // ---- UDP ----

    /**
     * Sends one datagram to the peer over a connected socket and returns the first answer that
     * {@code accept} takes; stray datagrams are skipped. A connected socket is what turns an ICMP
     * port unreachable into a PortUnreachableException ("connect refused") instead of silence.
     */
    byte[] exchange(byte[] request, Predicate<byte[]> accept) throws IOException {
        return exchange(request, accept, null);
    }

    /**
     * The same, sending the request again whenever {@code retransmit} passes without an answer,
     * doubling the wait each time (Net::DNS's UDP schedule); null sends once.
     */
    byte[] exchange(byte[] request, Predicate<byte[]> accept, Duration retransmit)
            throws IOException {
        DatagramSocket udp = udp();
        udp.send(new DatagramPacket(request, request.length));
        long wait = retransmit == null ? 0 : retransmit.toNanos();
        long resendAt = nanoTime.getAsLong() + wait;
        byte[] buf = new byte[65535];
        while (true) {
            int timeout = remainingMillis();
            if (retransmit != null) {
                timeout =
                        (int)
                                Math.max(
                                        1,
                                        Math.min(
                                                timeout,
                                                (resendAt - nanoTime.getAsLong()) / 1_000_000));
            }
            udp.setSoTimeout(timeout);
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (SocketTimeoutException e) {
                remainingMillis(); // throws when this was the deadline rather than a resend
                if (retransmit != null && nanoTime.getAsLong() - resendAt >= 0) {
                    udp.send(new DatagramPacket(request, request.length));
                    wait *= 2;
                    resendAt = nanoTime.getAsLong() + wait;
                }
                continue;
            }
            byte[] got = Arrays.copyOf(p.getData(), p.getLength());
            if (accept.test(got)) {
                return got;
            }
        }
    }

    private DatagramSocket udp;

    private DatagramSocket udp() throws IOException {
        if (udp == null) {
            udp = closeOnDeadline(new DatagramSocket());
            udp.connect(peer);
        }
        return udp;
    }

    /** The UDP socket's local address (a SIP Via, a RADIUS NAS-IP-Address). */
    InetSocketAddress udpLocalAddress() throws IOException {
        return (InetSocketAddress) udp().getLocalSocketAddress();
    }

    // ---- text helpers ----

    String hostPort() {
        return InetText.withPort(peer.getAddress(), peer.getPort());
    }

    /**
     * receive= as ldirectord reads it, a Perl regex (see {@link PerlRegex}), searched unanchored.
     */
    static Pattern receive(String regex) throws Down {
        try {
            return PerlRegex.compileConfigured(regex);
        } catch (PatternSyntaxException e) {
            throw new Down(
                    "receive /"
                            + Reasons.quote(regex)
                            + "/ is not a valid regex: "
                            + Reasons.quote(e.getDescription()));
        }
    }

    /**
     * Whether receive occurs in a peer's text, searched under the context's {@link BoundedMatch}
     * limit (on this dialogue's worker thread); past the limit the dialogue ends down with the
     * limit's reason.
     */
    boolean found(Pattern receive, CharSequence text) throws Down {
        return verdict(match.find(receive, text, false), text.length());
    }

    /**
     * The same over bytes, each one char (ISO-8859-1); {@code cut}: a prefix of what the peer sent.
     */
    boolean found(Pattern receive, byte[] bytes, boolean cut) throws Down {
        return verdict(match.find(receive, bytes, 0, bytes.length, cut), bytes.length);
    }

    private boolean verdict(BoundedMatch.Found f, int length) throws Down {
        if (f == BoundedMatch.Found.TOO_SLOW || f == BoundedMatch.Found.TOO_DEEP) {
            throw new Down(match.reason(f, length));
        }
        return f == BoundedMatch.Found.YES;
    }

    /** request= without the "/" ldirectord puts in front of it. */
    static String bareRequest(String request) {
        return request.startsWith("/") ? request.substring(1) : request;
    }
}
