package org.ldirector.check;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.ldirector.sys.Epoll;
import org.ldirector.sys.Errno;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.TcpStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread and one epoll set that run the network half of connect and plain-HTTP probes, the way
 * keepalived runs its checkers: connect, write, read, deadlines, all in one loop, no hand-off
 * between threads inside a probe, and few system calls: socket, connect, one epoll_ctl, close and a
 * share of epoll_wait for a connect check, plus a send and a recv for an HTTP one, several times
 * fewer than a {@code Selector} with {@code SocketChannel}s makes. Under User-Mode Linux (or any
 * small VM) the system calls are most of what a probe costs, so a socket is registered once,
 * edge-triggered, for both directions (no epoll_ctl to switch from writing to reading), and the
 * connect's outcome is asked of the kernel (getsockopt) only when epoll reports an error.
 *
 * <p>The loop degrades gracefully instead of collapsing when it is offered more probes than the CPU
 * can run (thousands of reals on a one-CPU director). Each turn it first reads the sockets that are
 * ready, then expires deadlines, and only then opens at most {@link #ADMIT_PER_TURN} new
 * connections from the queue of submitted probes. A probe's timeout starts when its connect is
 * issued, not when it was submitted: time spent waiting in the queue is the director's own delay,
 * not the real's. So an answer that has arrived is read before it can time out, a busy director
 * probes each real less often (the schedule starts a real's next probe only when its last one has
 * ended) rather than declaring healthy reals dead, and a black-holed real costs a socket and a heap
 * entry, never a place in the queue. A loop that opened connections faster than it wrote their
 * requests would, under overload, time every probe out.
 *
 * <p>Deadlines run on the loop's own clock, which stops while the loop itself is stalled: a turn
 * that takes longer than {@link #STALL_NANOS} (a garbage collection, a starved CPU, thousands of
 * answers at once) or a wake-up that comes that much late does not count against the probes in
 * flight, whose answers may have been waiting in their sockets all along. A real that does not
 * answer is still timed out, as late as the director was stalled, never early.
 */
public final class ProbeLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeLoop.class);

    /** New connections per turn; between two batches every answer already received is read. */
    static final int ADMIT_PER_TURN = 64;

    /**
     * Reads per socket per turn, so one real streaming a large body cannot hold up the rest; a
     * socket left with data waits in {@link #unread} (edge-triggered, epoll will not report it
     * again).
     */
    static final int READS_PER_TURN = 4;

    /**
     * Registered once for the probe's whole life: connected (out), answered (in), failed (err,
     * hup).
     */
    private static final int INTEREST = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLET;

    /** Out of file descriptors, the next try to open one comes this much later. */
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * A turn (or a wake-up) later than this by the director's own doing stretches every deadline by
     * the excess.
     */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How often {@link #turnClock} reads its base clock on the loop's thread. */
    static final long REANCHOR_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** While a session has no room for more of its answer, how often the loop asks it again. */
    static final long STARVED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** How a session ended; {@link Session#ended} hears it exactly once. */
    public enum End {
        /**
         * {@link Session#connected} returned no request, or {@link Session#received} said the
         * answer is complete.
         */
        DONE,
        /** The real closed the connection. */
        EOF,
        /** Connect, write or read failed (the error says how), or the loop was closed. */
        FAILED,
        /** The deadline passed: {@link Session#timeoutNanos} after the connect was issued. */
        TIMEOUT
    }

    /**
     * One probe's conversation. The loop calls these methods on its own thread only, one at a time;
     * they must not block.
     */
    public abstract static class Session {
        private TcpStream stream;

        /**
         * The descriptor in the low half, how often the loop has used that number in the high half.
         */
        private long token;

        private boolean connected;

        /** Waiting in the loop's {@code unread} queue. */
        private boolean unread;

        /** Waiting in the loop's {@code starved} queue: no room for more of its answer. */
        private boolean starved;

        private ByteBuffer out;
        private long deadline;

        /**
         * The loop's time (real, not stall-adjusted) when the connect was issued, and when the
         * probe ended.
         */
        private long startedAt;

        private long endedAt;
        private boolean finished;

        /** Where to connect. */
        protected abstract InetSocketAddress remote();

        /** How long from the connect until the answer must be complete. */
        protected abstract long timeoutNanos();

        /** Called when the connect is issued: the moment the probe's latency counts from. */
        protected void started() {}

        /**
         * From the connect to the end, for {@link #ended} (zero before): by the loop's clock, which
         * is read once or twice a turn, not per probe. In User-Mode Linux (no vDSO) every reading
         * is a system call, and readings per probe would be a large share of a connect probe's
         * calls.
         */
        protected final Duration elapsed() {
            return Duration.ofNanos(Math.max(0, endedAt - startedAt));
        }

        /**
         * The loop's time when the connect was issued (0 before): the start of the probe's timeout.
         */
        protected final long startedAt() {
            return startedAt;
        }

        /**
         * The connection is up: the request to send, or null when connecting was the whole probe.
         */
        protected abstract ByteBuffer connected();

        /**
         * How many more bytes the session can take now; the loop reads no more than that. At 0 the
         * socket is left unread (the real's bytes wait in the kernel, TCP holds the real back) and
         * the loop asks again every {@link #STARVED_POLL_NANOS} until there is room, or the
         * deadline passes. For a session whose room depends on a budget other probes share.
         */
        protected int room() {
            return Integer.MAX_VALUE;
        }

        /**
         * Bytes arrived (position to limit); true when the answer is complete and the connection
         * can go.
         */
        protected boolean received(ByteBuffer in) {
            return false;
        }

        /** The end, once: the connection is already closed. */
        protected abstract void ended(End how, IOException error);
    }

    private final Epoll epoll;

    /**
     * Loop thread only: the session on each open descriptor, and how often each number was used.
     */
    private Session[] byFd = new Session[1024];

    private int[] uses = new int[1024];
    private final Queue<Session> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final AtomicInteger queued = new AtomicInteger();

    /**
     * Loop thread only. Finished sessions stay until they reach the top: removal from the middle is
     * O(n).
     */
    private final PriorityQueue<Session> deadlines =
            new PriorityQueue<>(Comparator.comparingLong(s -> s.deadline));

    /** Direct: the kernel reads into it without a copy through the native layer. */
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(16 * 1024);

    private final Thread thread;
    private volatile boolean closed;

    /**
     * Loop thread only: how long the loop has been stalled, all told; its clock is real time minus
     * this.
     */
    private long stalled;

    /**
     * Loop thread only: the time of this turn, read once after each wait and once after the ready
     * sockets.
     */
    private long now;

    private final LongSupplier nanoTime;

    /**
     * Loop thread only: probes that found no file descriptor, first in line once {@link #retryAt}
     * has come.
     */
    private final ArrayDeque<Session> retry = new ArrayDeque<>();

    /**
     * Loop thread only: sessions that stopped reading at {@link #readsPerTurn} with data still in
     * the socket.
     */
    private ArrayDeque<Session> unread = new ArrayDeque<>();

    private ArrayDeque<Session> unreadNext = new ArrayDeque<>();

    /**
     * Loop thread only: sessions that had no {@link Session#room} for their answer, asked again
     * each turn.
     */
    private final ArrayDeque<Session> starved = new ArrayDeque<>();

    private long retryAt;

    /**
     * Loop thread only: a reading of {@link #anchorBase}, and the loop's time when it was taken
     * ({@link #turnClock}).
     */
    private Clock anchorBase;

    private Instant anchorWall;
    private long anchorNanos;
    private long warnedAt = Long.MIN_VALUE / 2;
    private final Connector connector;
    private final int readsPerTurn;

    /** Opens a probe's connection; tests stand in for the kernel running out of descriptors. */
    @FunctionalInterface
    interface Connector {
        TcpStream connect(InetSocketAddress to) throws NativeException;
    }

    /**
     * @param nanoTime the clock for timeouts and latencies ({@code System::nanoTime}; tests inject
     *     their own)
     */
    public ProbeLoop(String name, LongSupplier nanoTime) throws IOException {
        this(name, nanoTime, TcpStream::connect, READS_PER_TURN);
    }

    ProbeLoop(String name, Connector connector) throws IOException {
        this(name, System::nanoTime, connector, READS_PER_TURN);
    }

    /**
     * @param readsPerTurn {@link #READS_PER_TURN}; tests lower it to reach the socket that still
     *     has data
     */
    ProbeLoop(String name, LongSupplier nanoTime, Connector connector, int readsPerTurn)
            throws IOException {
        this.nanoTime = nanoTime;
        this.now = nanoTime.getAsLong();
        this.connector = connector;
        this.readsPerTurn = readsPerTurn;
        this.epoll = Epoll.open(1024);
        this.thread = new LoopThread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The loop's thread, which {@link #turnClock} recognises. */
    private static final class LoopThread extends Thread {
        private final ProbeLoop loop;

        LoopThread(ProbeLoop loop, String name) {
            super(loop::run, name);
            this.loop = loop;
        }
    }

    /**
     * {@code base}, except on a probe loop's own thread, where it answers with the loop's time of
     * the current turn, on {@code base}'s scale, and reads {@code base} only every {@link
     * #REANCHOR_NANOS}. What a probe's result is stamped with (the health book's last probe, on the
     * loop thread for connect and plain-HTTP probes) then costs no clock reading: under User-Mode
     * Linux, which has no vDSO, each reading is a system call, a noticeable share of a probe's own.
     * The answer can be early by up to a turn's length (milliseconds), and a step of the wall clock
     * shows within {@link #REANCHOR_NANOS}: plenty for a timestamp shown to operators.
     */
    public static Clock turnClock(Clock base) {
        return new TurnClock(base);
    }

    private static final class TurnClock extends Clock {
        private final Clock base;

        TurnClock(Clock base) {
            this.base = base;
        }

        @Override
        public Instant instant() {
            return Thread.currentThread() instanceof LoopThread t
                    ? t.loop.wallTime(base)
                    : base.instant();
        }

        @Override
        public ZoneId getZone() {
            return base.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new TurnClock(base.withZone(zone));
        }
    }

    /** This turn's time on {@code base}'s scale; loop thread only. */
    private Instant wallTime(Clock base) {
        if (anchorBase != base || now - anchorNanos >= REANCHOR_NANOS) {
            anchorBase = base;
            anchorWall = base.instant();
            anchorNanos = now;
            return anchorWall;
        }
        return anchorWall.plusNanos(now - anchorNanos);
    }

    /** Queues a probe; any thread. A closed loop ends it at once with {@link End#FAILED}. */
    public void submit(Session s) {
        if (closed) {
            end(s, End.FAILED, new IOException("probe loop is closed"));
            return;
        }
        queued.incrementAndGet();
        incoming.add(s);
        // one wake-up per batch: a burst of a thousand submissions costs one write to the eventfd
        if (sleeping.compareAndSet(true, false)) {
            epoll.wakeup();
        }
        if (closed) {
            drainIncoming();
        }
    }

    /**
     * Probes submitted and not yet started: above zero for long means the director is short of CPU
     * (or of file descriptors).
     */
    public int queued() {
        return queued.get();
    }

    private void run() {
        while (!closed) {
            try {
                turn();
            } catch (IOException | RuntimeException e) {
                // the loop must outlive anything one turn throws, or every probe would stop
                LOG.error("probe loop turn failed", e);
            }
        }
        for (Session s : new ArrayList<>(deadlines)) {
            finish(s, End.FAILED, new IOException("probe loop is closed"));
        }
        for (Session s : retry) {
            queued.decrementAndGet();
            end(s, End.FAILED, new IOException("probe loop is closed"));
        }
        retry.clear();
        drainIncoming();
        epoll.close();
    }

    private void turn() throws IOException {
        long wait = 0;
        // the end of the last turn: close enough (admitting a batch takes milliseconds) for the
        // lateness of a wake-up, which only counts beyond STALL_NANOS
        long before = now;
        int n;
        long admitIn = admitIn();
        if (admitIn == 0 || !unread.isEmpty()) {
            n = epoll.await(0);
        } else {
            wait = untilNextDeadline();
            if (admitIn > 0) {
                wait = wait < 0 ? admitIn : Math.min(wait, admitIn);
            }
            if (!starved.isEmpty()) {
                long poll = TimeUnit.NANOSECONDS.toMillis(STARVED_POLL_NANOS);
                wait = wait < 0 ? poll : Math.min(wait, poll);
            }
            sleeping.set(true);
            // re-checked after announcing sleep: a submission in between either sees sleeping or is
            // seen here
            n = epoll.await(admitIn() == 0 || !unread.isEmpty() ? 0 : wait);
            sleeping.set(false);
        }
        long woke = now = nanoTime.getAsLong();
        if (wait > 0) {
            stall(woke - before - TimeUnit.MILLISECONDS.toNanos(wait));
        }
        for (int i = 0; i < n; i++) {
            long token = epoll.token(i);
            if (token == Epoll.WAKEUP) {
                epoll.drainWakeup();
                continue;
            }
            // An event for a session finished earlier in this batch finds null. One whose socket a
            // forked child still held open (between its fork and exec) can outlive the close and
            // carry the number of a newer socket: the use count in the token tells them apart.
            Session s = byFd[(int) token];
            if (s != null && s.token == token) {
                ready(s, epoll.events(i));
            }
        }
        // before readOn, which turns what these reads leave in their sockets into next turn's
        // reading
        feedStarved();
        readOn();
        if (n > 0) {
            now = nanoTime.getAsLong();
            stall(now - woke);
        }
        expire(clock());
        admit();
    }

    private void stall(long late) {
        if (late > STALL_NANOS) {
            stalled += late - STALL_NANOS;
        }
    }

    /** The loop's clock: this turn's time, standing still while the loop is stalled. */
    private long clock() {
        return now - stalled;
    }

    /** Milliseconds to the first live deadline, at least 1; -1 (for ever) when there is none. */
    private long untilNextDeadline() {
        Session first;
        while ((first = deadlines.peek()) != null && first.finished) {
            deadlines.poll();
        }
        if (first == null) {
            return -1;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(first.deadline - clock()) + 1;
        return Math.max(1, ms);
    }

    private void expire(long now) {
        Session s;
        while ((s = deadlines.peek()) != null && (s.finished || s.deadline - now <= 0)) {
            deadlines.poll();
            if (!s.finished) {
                finish(s, End.TIMEOUT, null);
            }
        }
    }

    /**
     * Milliseconds until a probe can be started: 0 now, -1 none waiting, else until the retry after
     * running out of descriptors.
     */
    private long admitIn() {
        if (!retry.isEmpty()) {
            long left = retryAt - now;
            return left <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
        return incoming.isEmpty() ? -1 : 0;
    }

    private void admit() {
        if (admitIn() != 0) {
            return;
        }
        for (int i = 0; i < ADMIT_PER_TURN; i++) {
            Session s = retry.isEmpty() ? incoming.poll() : retry.poll();
            if (s == null) {
                return;
            }
            if (!start(s)) {
                retry.addFirst(s);
                retryAt = now + RETRY_NANOS;
                return;
            }
            queued.decrementAndGet();
        }
    }

    /**
     * Starts a probe; false when the process is out of file descriptors: that is the director's
     * shortage, not the real's failure, so the probe waits and is tried again.
     */
    private boolean start(Session s) {
        try {
            s.startedAt = now;
            s.started();
            s.deadline = clock() + s.timeoutNanos();
            s.stream = connector.connect(s.remote());
        } catch (NativeException e) {
            if (e.errno() == Errno.EMFILE || e.errno() == Errno.ENFILE) {
                if (now - warnedAt >= WARN_EVERY_NANOS) {
                    warnedAt = now;
                    LOG.warn(
                            "out of file descriptors ({}): checks wait until some are free; raise"
                                    + " LimitNOFILE (ulimit -n) if this repeats",
                            e.getMessage());
                }
                return false;
            }
            fail(s, e);
            return true;
        } catch (RuntimeException e) {
            fail(s, e);
            return true;
        }
        try {
            track(s);
            deadlines.add(s);
            // registered before the request goes out, so the answer's arrival cannot be missed
            epoll.add(s.stream.fd(), INTEREST, s.token);
            if (s.stream.connectedNow()) {
                connected(s);
            }
        } catch (IOException | RuntimeException e) {
            fail(s, e);
        }
        return true;
    }

    private void track(Session s) {
        int fd = s.stream.fd();
        if (fd >= byFd.length) {
            int size = Math.max(fd + 1, byFd.length * 2);
            byFd = Arrays.copyOf(byFd, size);
            uses = Arrays.copyOf(uses, size);
        }
        byFd[fd] = s;
        s.token = ((long) ++uses[fd] << 32) | fd;
    }

    private void ready(Session s, int events) {
        try {
            if (!s.connected) {
                // a refused or unreachable connect is reported as an error; only then ask which
                int error =
                        (events & (Epoll.EPOLLERR | Epoll.EPOLLHUP)) != 0
                                ? s.stream.pendingError()
                                : 0;
                if (error != 0) {
                    finish(s, End.FAILED, java(error, null));
                    return;
                }
                if ((events & Epoll.EPOLLOUT) == 0) {
                    return;
                }
                connected(s);
            } else if ((events & Epoll.EPOLLOUT) != 0 && s.out != null && s.out.hasRemaining()) {
                s.stream.write(s.out);
            }
            if (!s.finished && (events & (Epoll.EPOLLIN | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0) {
                read(s);
            }
        } catch (IOException | RuntimeException e) {
            fail(s, e);
        }
    }

    private void connected(Session s) throws IOException {
        s.connected = true;
        ByteBuffer request = s.connected();
        if (request == null) {
            finish(s, End.DONE, null);
            return;
        }
        s.out = request;
        // what does not fit now goes when the socket reports room (edge-triggered: it will)
        s.stream.write(s.out);
    }

    private void read(Session s) throws IOException {
        for (int i = 0; i < readsPerTurn; i++) {
            int room = s.room();
            if (room <= 0) {
                if (!s.starved) {
                    s.starved = true;
                    starved.add(s);
                }
                return;
            }
            readBuffer.clear();
            if (room < readBuffer.capacity()) {
                readBuffer.limit(room);
            }
            int n = s.stream.read(readBuffer);
            if (n < 0) {
                finish(s, End.EOF, null);
                return;
            }
            if (n == 0) {
                return;
            }
            readBuffer.flip();
            if (s.received(readBuffer)) {
                finish(s, End.DONE, null);
                return;
            }
        }
        if (!s.unread) {
            s.unread = true;
            unreadNext.add(s);
        }
    }

    /**
     * Goes on reading the sockets that had more to give last turn: epoll reports a socket once per
     * arrival.
     */
    private void readOn() {
        Session s;
        while ((s = unread.poll()) != null) {
            s.unread = false;
            readUnlessFinished(s);
        }
        // what read() queued during this turn is next turn's
        ArrayDeque<Session> drained = unread;
        unread = unreadNext;
        unreadNext = drained;
    }

    /** Reads the sessions that had no room last turn, if they have some now; the others wait on. */
    private void feedStarved() {
        // those still without room go to the back, for the next turn
        for (int i = starved.size(); i > 0; i--) {
            Session s = starved.poll();
            s.starved = false;
            readUnlessFinished(s);
        }
    }

    /**
     * Reads a session queued earlier, unless it has ended since; a failure ends that probe only.
     */
    private void readUnlessFinished(Session s) {
        if (!s.finished) {
            try {
                read(s);
            } catch (IOException | RuntimeException e) {
                fail(s, e);
            }
        }
    }

    /**
     * A failed system call, or a bug in a session's callback: that probe's down result, never the
     * loop's end.
     */
    private void fail(Session s, Exception e) {
        IOException why =
                e instanceof NativeException n
                        ? java(n.errno(), n)
                        : e instanceof IOException io ? io : new IOException(e.toString(), e);
        finish(s, End.FAILED, why);
    }

    /** The exceptions the JDK's sockets throw for these errors, so checks word them as before. */
    static IOException java(int errno, NativeException cause) {
        IOException e =
                switch (errno) {
                    case Errno.ECONNREFUSED -> new ConnectException("Connection refused");
                    case Errno.EHOSTUNREACH -> new NoRouteToHostException("No route to host");
                    case Errno.ENETUNREACH -> new ConnectException("Network is unreachable");
                    case Errno.ETIMEDOUT -> new ConnectException("Connection timed out");
                    case Errno.ECONNRESET -> new IOException("Connection reset by peer");
                    default ->
                            new IOException(cause != null ? cause.getMessage() : Errno.name(errno));
                };
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private void finish(Session s, End how, IOException error) {
        if (s.finished) {
            return;
        }
        s.finished = true;
        s.endedAt = now;
        if (s.stream != null) {
            byFd[s.stream.fd()] = null;
            s.stream.close();
        }
        end(s, how, error);
    }

    private static void end(Session s, End how, IOException error) {
        s.finished = true;
        try {
            s.ended(how, error);
        } catch (RuntimeException e) {
            LOG.error("probe session failed to end", e);
        }
    }

    private void drainIncoming() {
        Session s;
        while ((s = incoming.poll()) != null) {
            queued.decrementAndGet();
            end(s, End.FAILED, new IOException("probe loop is closed"));
        }
    }

    @Override
    public void close() {
        closed = true;
        epoll.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
