package org.ldirector.check;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.ldirector.sys.Errno;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICMP echo for ping checks, IPv4 and IPv6, on one socket per family shared by every probe, with
 * one receiver thread per socket. Shared rather than per-probe: a raw ICMP socket receives a copy
 * of every echo reply on the host, so N per-probe raw sockets would each parse N replies (N² work
 * at thousands of reals), and N descriptors; one socket demultiplexes by sequence number and a
 * random token in the payload instead.
 *
 * <p>An unprivileged ICMP datagram socket ({@code net.ipv4.ping_group_range}) is tried first; the
 * kernel then owns the identifier and delivers only our replies. Otherwise a raw socket (root or
 * CAP_NET_RAW), where we pick the identifier and skip everyone else's replies.
 */
public final class Pinger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pinger.class);
    private static final int PAYLOAD = 56;
    private static final int RCVBUF = 4 << 20;
    private static final int SOL_RAW = 255;
    private static final int ICMP_FILTER = 1;
    private static final int ICMP6_FILTER = 1;

    private final ScheduledExecutorService timer;
    private final LongSupplier nanoTime;
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, Engine> engines = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Pinger(ScheduledExecutorService timer, LongSupplier nanoTime) {
        this.timer = timer;
        this.nanoTime = nanoTime;
    }

    /**
     * Up at the first echo reply; down when none of {@code attempts} requests, each given {@code
     * perAttempt} (ldirectord: checkcount pings of checktimeout each), is answered.
     */
    public CompletableFuture<CheckResult> ping(
            InetAddress target, Duration perAttempt, int attempts) {
        long start = nanoTime.getAsLong();
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        Engine e;
        try {
            e = engine(target instanceof Inet6Address ? Sock.AF_INET6 : Sock.AF_INET);
        } catch (NativeException | RuntimeException ex) {
            result.complete(
                    CheckResult.down(
                            Duration.ZERO,
                            "ping: no ICMP socket ("
                                    + Reasons.quote(ex.getMessage())
                                    + "): needs net.ipv4.ping_group_range to include our group, or"
                                    + " CAP_NET_RAW"));
            return result;
        }
        new Probe(e, target, perAttempt, Math.max(1, attempts), start, result).attempt(1);
        return result;
    }

    private Engine engine(int family) throws NativeException {
        if (closed) {
            throw new IllegalStateException("pinger is closed");
        }
        Engine e = engines.get(family);
        if (e != null) {
            return e;
        }
        synchronized (engines) {
            e = engines.get(family);
            if (e == null) {
                e = new Engine(family);
                engines.put(family, e);
            }
            return e;
        }
    }

    /**
     * "datagram" or "raw": the kind of ICMP socket used for a family (opening it if need be); for
     * tests and diagnostics.
     */
    String socketKind(InetAddress forTarget) throws NativeException {
        return engine(forTarget instanceof Inet6Address ? Sock.AF_INET6 : Sock.AF_INET).raw
                ? "raw"
                : "datagram";
    }

    @Override
    public void close() {
        closed = true;
        synchronized (engines) {
            engines.values().forEach(Engine::close);
            engines.clear();
        }
    }

    private final class Probe {
        private final Engine engine;
        private final InetAddress target;
        private final Duration perAttempt;
        private final int attempts;
        private final long start;
        private final CompletableFuture<CheckResult> result;

        Probe(
                Engine engine,
                InetAddress target,
                Duration perAttempt,
                int attempts,
                long start,
                CompletableFuture<CheckResult> result) {
            this.engine = engine;
            this.target = target;
            this.perAttempt = perAttempt;
            this.attempts = attempts;
            this.start = start;
            this.result = result;
        }

        void attempt(int n) {
            if (result.isDone()) {
                return;
            }
            Pending p = new Pending(target, random.nextLong(), this);
            int seq = engine.register(p);
            try {
                engine.send(target, seq, p.token);
            } catch (NativeException | RuntimeException ex) {
                // Net::Ping counts a failed send as an unanswered attempt
                engine.pending.remove(seq, p);
                if (n >= attempts) {
                    result.complete(
                            CheckResult.down(elapsed(), "ping: " + Reasons.quote(ex.getMessage())));
                } else {
                    attempt(n + 1);
                }
                return;
            }
            timer.schedule(
                    () -> {
                        if (engine.pending.remove(seq, p)) {
                            if (n >= attempts) {
                                result.complete(
                                        CheckResult.down(
                                                elapsed(),
                                                "no echo reply to "
                                                        + attempts
                                                        + (attempts == 1 ? " request" : " requests")
                                                        + " ("
                                                        + Reasons.seconds(perAttempt)
                                                        + " each)"));
                            } else {
                                attempt(n + 1);
                            }
                        }
                    },
                    perAttempt.toNanos(),
                    TimeUnit.NANOSECONDS);
        }

        void replied() {
            result.complete(CheckResult.up(elapsed(), "echo reply"));
        }

        private Duration elapsed() {
            return Duration.ofNanos(nanoTime.getAsLong() - start);
        }
    }

    private record Pending(InetAddress target, long token, Probe probe) {}

    /** One ICMP socket of one family and the thread that reads it. */
    private final class Engine {
        private final int family;
        private final NativeSocket socket;
        private final boolean raw;
        private final int ident;
        private final AtomicInteger sequence;
        private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
        private final Thread receiver;
        private volatile boolean stopping;

        Engine(int family) throws NativeException {
            this.family = family;
            int proto = family == Sock.AF_INET6 ? Sock.IPPROTO_ICMPV6 : Sock.IPPROTO_ICMP;
            NativeSocket s;
            boolean isRaw;
            try {
                s = NativeSocket.open(family, Sock.SOCK_DGRAM, proto);
                isRaw = false;
            } catch (NativeException e) {
                if (e.errno() != Errno.EACCES
                        && e.errno() != Errno.EPERM
                        && e.errno() != Errno.EPROTONOSUPPORT) {
                    throw e;
                }
                s = NativeSocket.open(family, Sock.SOCK_RAW, proto);
                isRaw = true;
            }
            this.socket = s;
            this.raw = isRaw;
            tune(s, family, isRaw);
            this.ident = random.nextInt(0x10000);
            this.sequence = new AtomicInteger(random.nextInt(0x10000));
            this.receiver =
                    new Thread(this::receive, "ping-" + (family == Sock.AF_INET6 ? "v6" : "v4"));
            receiver.setDaemon(true);
            receiver.start();
            log.debug(
                    "ping: {} ICMP socket for {}",
                    raw ? "raw" : "datagram",
                    family == Sock.AF_INET6 ? "IPv6" : "IPv4");
        }

        /**
         * Best effort, each: a receive buffer for thousands of replies arriving at once (the
         * default ~200 kB holds a few hundred; the rest would be dropped and read as down), and on
         * a raw socket a kernel filter passing only echo replies, so the host's other ICMP traffic
         * (and the copies of our own requests to local addresses) never reaches us.
         */
        private void tune(NativeSocket s, int family, boolean isRaw) {
            try {
                s.setsockopt(Sock.SOL_SOCKET, Sock.SO_RCVBUFFORCE, RCVBUF);
            } catch (NativeException e) {
                try {
                    s.setsockopt(Sock.SOL_SOCKET, Sock.SO_RCVBUF, RCVBUF);
                } catch (NativeException ignored) {
                    // keep the default: only bursts beyond a few hundred pings suffer
                }
            }
            if (!isRaw) {
                return;
            }
            try {
                if (family == Sock.AF_INET) {
                    // ICMP_FILTER: a set bit blocks that type; pass type 0 (echo reply) only
                    s.setsockopt(SOL_RAW, ICMP_FILTER, ~1);
                } else {
                    // ICMP6_FILTER: 256 bits, a set bit blocks; pass type 129 (echo reply) only
                    byte[] filter = new byte[32];
                    Arrays.fill(filter, (byte) 0xff);
                    ByteBuffer words = ByteBuffer.wrap(filter).order(ByteOrder.nativeOrder());
                    words.putInt(4 * (129 >> 5), ~(1 << (129 & 31)));
                    s.setsockopt(Sock.IPPROTO_ICMPV6, ICMP6_FILTER, filter);
                }
            } catch (NativeException e) {
                log.debug(
                        "ping: no ICMP filter ({}): replies are filtered in user space only",
                        e.getMessage());
            }
        }

        /**
         * A free 16-bit sequence number for {@code p}; with 65536 in flight the oldest would be
         * shadowed, so skip used ones.
         */
        int register(Pending p) {
            for (int i = 0; i < 0x10000; i++) {
                int seq = sequence.getAndIncrement() & 0xffff;
                if (pending.putIfAbsent(seq, p) == null) {
                    return seq;
                }
            }
            throw new IllegalStateException("65536 echo requests in flight");
        }

        void send(InetAddress target, int seq, long token) throws NativeException {
            ByteBuffer b = ByteBuffer.allocate(8 + PAYLOAD).order(ByteOrder.BIG_ENDIAN);
            b.put((byte) (family == Sock.AF_INET6 ? 128 : 8)).put((byte) 0).putShort((short) 0);
            b.putShort((short) ident).putShort((short) seq).putLong(token);
            while (b.hasRemaining()) {
                b.put((byte) b.position());
            }
            if (family == Sock.AF_INET) {
                // ICMPv6 checksums are the kernel's (it knows the pseudo-header); ICMPv4 ones are
                // ours on a raw socket
                b.putShort(2, checksum(b.array()));
            }
            b.flip();
            SockAddr to =
                    family == Sock.AF_INET6
                            ? SockAddr.inet6((Inet6Address) target, 0)
                            : SockAddr.inet4((Inet4Address) target, 0);
            synchronized (socket) {
                socket.sendTo(b, to);
            }
        }

        private void receive() {
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            while (!stopping) {
                try {
                    buf.clear();
                    var got = socket.receive(buf, Duration.ofMillis(200));
                    if (got.isPresent()) {
                        buf.flip();
                        handle(buf, got.get().from());
                    }
                } catch (NativeException | RuntimeException e) {
                    if (stopping) {
                        return;
                    }
                    log.debug("ping: receive failed: {}", e.getMessage());
                }
            }
        }

        private void handle(ByteBuffer b, SockAddr from) {
            b.order(ByteOrder.BIG_ENDIAN);
            int at = 0;
            if (family == Sock.AF_INET && raw) {
                // a raw IPv4 socket hands us the IP header too
                at = (b.get(0) & 0x0f) * 4;
            }
            if (b.limit() < at + 16) {
                return;
            }
            int type = b.get(at) & 0xff;
            if (type != (family == Sock.AF_INET6 ? 129 : 0)) {
                return;
            }
            int id = b.getShort(at + 4) & 0xffff;
            if (raw && id != ident) {
                return;
            }
            int seq = b.getShort(at + 6) & 0xffff;
            long token = b.getLong(at + 8);
            Pending p = pending.get(seq);
            if (p == null || p.token != token || !sameHost(p.target, from)) {
                return;
            }
            if (pending.remove(seq, p)) {
                p.probe.replied();
            }
        }

        private boolean sameHost(InetAddress target, SockAddr from) {
            InetSocketAddress a = from.toInetSocketAddress();
            return a != null && a.getAddress().equals(target);
        }

        void close() {
            stopping = true;
            try {
                receiver.join(2000);
                socket.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (NativeException e) {
                log.debug("ping: close failed: {}", e.getMessage());
            }
        }
    }

    /** RFC 1071 ones' complement sum. */
    static short checksum(byte[] data) {
        long sum = 0;
        for (int i = 0; i + 1 < data.length; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if ((data.length & 1) != 0) {
            sum += (data[data.length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
