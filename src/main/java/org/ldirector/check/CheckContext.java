package org.ldirector.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.io.CloseMode;

/**
 * The resources every probe shares, owned here and released by {@link #close()}: one async HTTP
 * client (plus one per distinct https CA file), a timer that keeps deadlines, a bounded executor
 * for the blocking work (negotiate dialogues, starting external commands), the {@link ProbeLoop} of
 * connect and plain-HTTP checks, the clock probes measure latency with, and what bounds the cost of
 * a peer's answer: the {@link BoundedMatch} every receive regex runs under, the small executor http
 * answers are matched on (never the probe loop), and the {@link AnswerBudget} of bytes that answers
 * in flight share. One context serves thousands of concurrent probes; nothing here is static, so
 * tests build their own with their own clock.
 */
public final class CheckContext implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final ExecutorService blockingIo;
    private final ExecutorService matching;
    private final BoundedMatch match;
    private final AnswerBudget answerBudget;
    private final LongSupplier nanoTime;
    private final int ioThreads;
    private final Map<Optional<Path>, CloseableHttpAsyncClient> httpClients =
            new ConcurrentHashMap<>();
    private final Object lazyLock = new Object();
    private Pinger pinger;
    private volatile ProbeLoop probeLoop;
    private volatile boolean closed;

    private CheckContext(Builder b) throws IOException {
        this.nanoTime = b.nanoTime;
        this.ioThreads = b.ioThreads;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("check-timer"));
        // thousands of deadlines are cancelled early; without this they would sit in the queue
        // until due
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        ThreadPoolExecutor io =
                new ThreadPoolExecutor(
                        b.blockingThreads,
                        b.blockingThreads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(b.blockingQueue),
                        daemon("check-io"));
        io.allowCoreThreadTimeOut(true);
        this.blockingIo = io;
        ThreadPoolExecutor m =
                new ThreadPoolExecutor(
                        b.matchThreads,
                        b.matchThreads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(b.matchQueue),
                        daemon("check-match"));
        m.allowCoreThreadTimeOut(true);
        this.matching = m;
        this.match = b.match != null ? b.match : BoundedMatch.standard();
        this.answerBudget =
                new AnswerBudget(
                        b.answerBudget > 0
                                ? b.answerBudget
                                : AnswerBudget.defaultBytes(Runtime.getRuntime().maxMemory()));
    }

    public static CheckContext create() throws IOException {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * Bounded: a flood of hung dialogues fills the queue and further probes are refused (down), not
     * queued forever.
     */
    public ExecutorService blockingIo() {
        return blockingIo;
    }

    /**
     * Where http answers are searched for their receive regex: off the probe loop, a few threads
     * (each search is bounded by {@link #match()}), a bounded queue; a full queue is a down result.
     */
    public ExecutorService matching() {
        return matching;
    }

    /** The limit every receive regex runs under. */
    public BoundedMatch match() {
        return match;
    }

    /** The bytes answers in flight share. */
    public AnswerBudget answerBudget() {
        return answerBudget;
    }

    /** The shared loop of connect and plain-HTTP probes, started on first use. */
    public ProbeLoop probeLoop() {
        ProbeLoop started = probeLoop;
        if (started != null) {
            return started;
        }
        synchronized (lazyLock) {
            if (closed) {
                throw new IllegalStateException("check context is closed");
            }
            if (probeLoop == null) {
                try {
                    probeLoop = new ProbeLoop("check-loop", nanoTime);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open the probe loop (epoll)", e);
                }
            }
            return probeLoop;
        }
    }

    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    public LongSupplier clock() {
        return nanoTime;
    }

    public Duration since(long startNanos) {
        return Duration.ofNanos(nanoTime.getAsLong() - startNanos);
    }

    /**
     * The shared async HTTP client: the default one (no certificate verification, as ldirectord)
     * for an empty {@code caFile}, else one that verifies against that CA file, built on first use.
     */
    public CloseableHttpAsyncClient httpClient(Optional<Path> caFile)
            throws IOException, GeneralSecurityException {
        if (closed) {
            throw new IllegalStateException("check context is closed");
        }
        CloseableHttpAsyncClient c = httpClients.get(caFile);
        if (c != null) {
            return c;
        }
        synchronized (httpClients) {
            c = httpClients.get(caFile);
            if (c == null) {
                c = HttpClients.start(caFile, ioThreads);
                httpClients.put(caFile, c);
            }
            return c;
        }
    }

    /** Probes submitted to the probe loop and not started yet (0 before its first use). */
    public int probesWaiting() {
        ProbeLoop started = probeLoop;
        return started == null ? 0 : started.queued();
    }

    /** The shared ICMP echo engine, opened on first use. */
    public Pinger pinger() {
        synchronized (lazyLock) {
            if (closed) {
                throw new IllegalStateException("check context is closed");
            }
            if (pinger == null) {
                pinger = new Pinger(timer, nanoTime);
            }
            return pinger;
        }
    }

    @Override
    public void close() {
        closed = true;
        List<CloseableHttpAsyncClient> clients;
        synchronized (httpClients) {
            clients = new ArrayList<>(httpClients.values());
            httpClients.clear();
        }
        // GRACEFUL: IMMEDIATE races httpcore's reactor teardown (ClosedSelectorException logged at
        // ERROR)
        clients.forEach(c -> c.close(CloseMode.GRACEFUL));
        synchronized (lazyLock) {
            if (pinger != null) {
                pinger.close();
            }
            if (probeLoop != null) {
                probeLoop.close();
            }
        }
        blockingIo.shutdownNow();
        matching.shutdownNow();
        timer.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory base = Executors.defaultThreadFactory();
        return r -> {
            Thread t = base.newThread(r);
            t.setName(name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public static final class Builder {
        private LongSupplier nanoTime = System::nanoTime;
        private int blockingThreads = 64;
        private int blockingQueue = 100_000;
        private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int matchThreads = 2;
        private int matchQueue = 10_000;
        private BoundedMatch match;
        private long answerBudget;

        private Builder() {}

        /** The clock latencies are measured with (deadlines themselves run on the real timer). */
        public Builder nanoTime(LongSupplier clock) {
            this.nanoTime = clock;
            return this;
        }

        public Builder blockingThreads(int threads, int queue) {
            this.blockingThreads = threads;
            this.blockingQueue = queue;
            return this;
        }

        /** Threads of the HTTP I/O reactor (https, proxies and redirects). */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /**
         * Threads that search http answers for receive (two by default: one slow regex, bounded by
         * its limit, still leaves one for everyone else) and how many answers may wait for them.
         */
        public Builder matchThreads(int threads, int queue) {
            this.matchThreads = threads;
            this.matchQueue = queue;
            return this;
        }

        /** The limit receive regexes run under (default {@link BoundedMatch#standard()}). */
        public Builder match(BoundedMatch m) {
            this.match = m;
            return this;
        }

        /**
         * Bytes answers in flight share (default {@link AnswerBudget#defaultBytes} of the JVM's max
         * heap).
         */
        public Builder answerBudget(long bytes) {
            this.answerBudget = bytes;
            return this;
        }

        public CheckContext build() throws IOException {
            return new CheckContext(this);
        }
    }
}
