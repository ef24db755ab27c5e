package org.ldirector.check.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldirector.check.CheckContext;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Targets;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.CheckType;
import org.ldirector.config.ServiceType;

/**
 * The two scenarios of issue 25, on loopback: a real whose answer makes the receive regex backtrack
 * must not hold up the other probes, and a crowd of reals streaming huge bodies must not exhaust
 * the heap nor hold up the other probes. Each is bounded to well under a minute.
 */
class AnswerCostScenarioTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    /** The bound on seeing a refused real down, beyond the interval. */
    private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * How late a real's next probe may start: its interval, plus what a shared two-core test host
     * (the cadence's own timer thread included) can add; a probe the loop held up would be seconds
     * late.
     */
    private static final long CADENCE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /**
     * A socket bound to {@code port}, not listening: connects to it are refused and nobody else can
     * take the port. The closed listener's last connections may hold the port for a moment (a
     * loaded machine closes them late), so the bind is retried.
     */
    private static Socket holdPort(int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Socket hold = new Socket();
            try {
                hold.setReuseAddress(true);
                hold.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return hold;
            } catch (BindException e) {
                hold.close();
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    /**
     * One real answers a 4 MiB single line to ".*OK.*" while 100 others are probed every interval;
     * one of them starts refusing connections, and is seen down within the interval plus 100 ms.
     */
    @Test
    @Timeout(60)
    void aBacktrackingRealHoldsUpNoOtherProbe() throws Exception {
        List<RawServer> others = new ArrayList<>();
        byte[] ok = RawServer.ok("ok".getBytes(StandardCharsets.ISO_8859_1));
        try (CheckContext ctx = CheckContext.create();
                RawServer slow = RawServer.fixed(RawServer.ok(RawServer.line(4 << 20, "")));
                RawServer refusing = RawServer.fixed(ok);
                Cadence cadence = new Cadence(Kinds.checkers(ctx), INTERVAL)) {
            for (int i = 0; i < 100; i++) {
                others.add(RawServer.fixed(ok));
            }
            cadence.start("slow", slow.http().receive(".*OK.*").target(), Duration.ZERO);
            cadence.start("refusing", refusing.http().receive("ok").target(), Duration.ofMillis(5));
            for (int i = 0; i < others.size(); i++) {
                cadence.start(
                        "real" + i,
                        others.get(i).http().receive("ok").target(),
                        Duration.ofMillis(10L * i));
            }
            waitUntil(() -> cadence.of("slow").size() >= 3, Duration.ofSeconds(20));

            // the real stops listening; a socket bound to its port (not listening) keeps it
            // refusing
            int port = refusing.port();
            refusing.socket.close();
            long refusedAt = System.nanoTime();
            try (Socket hold = holdPort(port)) {
                waitUntil(
                        () -> cadence.of("refusing").stream().anyMatch(p -> !p.result().up()),
                        Duration.ofSeconds(10));
                long seenAt =
                        cadence.of("refusing").stream()
                                .filter(p -> !p.result().up())
                                .findFirst()
                                .orElseThrow()
                                .end();
                // enough rounds for the others to show their cadence, however fast the refusal was
                // seen
                int n = others.size();
                waitUntil(
                        () ->
                                IntStream.range(0, n)
                                        .allMatch(i -> cadence.of("real" + i).size() >= 4),
                        Duration.ofSeconds(20));
                cadence.stop();
                long detection = seenAt - refusedAt;
                assertTrue(
                        detection <= INTERVAL.toNanos() + SLACK_NANOS,
                        "the refused real was seen down "
                                + TimeUnit.NANOSECONDS.toMillis(detection)
                                + " ms after it refused");
                CheckResult down =
                        cadence.of("refusing").stream()
                                .filter(p -> !p.result().up())
                                .findFirst()
                                .orElseThrow()
                                .result();
                assertEquals("connect refused", down.reason());
            }
            for (Cadence.Probe p : cadence.of("slow")) {
                assertFalse(p.result().up());
                assertEquals(
                        "receive: regex took more than 200 ms on 4194304 bytes",
                        p.result().reason());
            }
            for (int i = 0; i < others.size(); i++) {
                List<Cadence.Probe> probes = cadence.of("real" + i);
                assertTrue(
                        probes.size() >= 4, "real" + i + " was probed " + probes.size() + " times");
                for (Cadence.Probe p : probes) {
                    assertTrue(p.result().up(), "real" + i + ": " + p.result().reason());
                }
                long gap = cadence.longestGapNanos("real" + i);
                assertTrue(
                        gap <= INTERVAL.toNanos() + CADENCE_SLACK_NANOS,
                        "real"
                                + i
                                + " waited "
                                + TimeUnit.NANOSECONDS.toMillis(gap)
                                + " ms between two probes: "
                                + cadence.timeline("real" + i));
            }
        } finally {
            for (RawServer s : others) {
                s.close();
            }
        }
    }

    /**
     * 200 reals each stream a 50 MB body (and 20 small ones answer a page) to a director in its own
     * JVM with a 256 MiB heap, for 12 s: it must not run out of memory, the heap that survives a
     * collection stays under 128 MiB, the answers in flight never hold more than the budget (an
     * eighth of the heap), and once the first 4 s are over (the JVM compiling its code while 220
     * connections open at once) every small real is up and keeps its interval.
     */
    @Test
    @Timeout(90)
    void twoHundredRealsStreamingFiftyMegabytesFitInTheHeap() throws Exception {
        List<RawServer> servers = new ArrayList<>();
        try {
            byte[] chunk = new byte[64 * 1024];
            byte[] head =
                    ("HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\nhealthy")
                            .getBytes(StandardCharsets.ISO_8859_1);
            List<String> big = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                RawServer s =
                        new RawServer(
                                (out, in) -> {
                                    out.write(head);
                                    for (long sent = 7; sent < 50_000_000; sent += chunk.length) {
                                        out.write(
                                                chunk,
                                                0,
                                                (int) Math.min(chunk.length, 50_000_000 - sent));
                                    }
                                });
                servers.add(s);
                big.add(Integer.toString(s.port()));
            }
            List<String> small = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                RawServer s =
                        RawServer.fixed(RawServer.ok("ok".getBytes(StandardCharsets.ISO_8859_1)));
                servers.add(s);
                small.add(Integer.toString(s.port()));
            }
            List<String> cmd =
                    List.of(
                            ProcessHandle.current().info().command().orElse("java"),
                            "-Xmx256m",
                            "-XX:+ExitOnOutOfMemoryError",
                            "-cp",
                            System.getProperty("java.class.path"),
                            Director.class.getName(),
                            String.join(",", big),
                            String.join(",", small),
                            "12000",
                            "4000");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Map<String, String> result = new HashMap<>();
            StringBuilder output = new StringBuilder();
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.append(line).append('\n');
                    if (line.startsWith("RESULT ")) {
                        String[] kv = line.substring(7).split("=", 2);
                        result.put(kv[0], kv[1]);
                    }
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the director did not finish");
            assertEquals(0, p.exitValue(), "the director failed (3: out of memory):\n" + output);
            System.out.println("director with -Xmx256m: " + result);
            long budget = Long.parseLong(result.get("budget"));
            assertEquals(32L << 20, budget, "an eighth of 256 MiB");
            assertTrue(Long.parseLong(result.get("budgetPeak")) <= budget, output.toString());
            assertTrue(
                    Long.parseLong(result.get("budgetPeak")) > 4 << 20,
                    "the big answers did draw on the budget: " + output);
            assertTrue(Long.parseLong(result.get("collections")) > 0, output.toString());
            assertTrue(Long.parseLong(result.get("liveAfterGc")) < 128L << 20, output.toString());
            assertTrue(
                    Long.parseLong(result.get("bigUp")) > 0,
                    "some 50 MB answers were judged: " + output);
            assertEquals("0", result.get("smallDown"), output.toString());
            assertTrue(Long.parseLong(result.get("smallProbes")) >= 20 * 7, output.toString());
            assertTrue(
                    Long.parseLong(result.get("smallLongestGapNanos"))
                            <= INTERVAL.toNanos() + CADENCE_SLACK_NANOS,
                    output.toString());
        } finally {
            for (RawServer s : servers) {
                s.close();
            }
        }
    }

    /**
     * The director side of the second scenario, run in a JVM of its own so its heap is the one
     * measured.
     */
    public static final class Director {
        public static void main(String[] args) throws Exception {
            String[] big = args[0].split(",");
            String[] small = args[1].split(",");
            long window = Long.parseLong(args[2]);
            long warmUp = Long.parseLong(args[3]);
            HeapWatch heap = new HeapWatch();
            heap.start();
            try (CheckContext ctx = CheckContext.create();
                    Cadence cadence = new Cadence(Kinds.checkers(ctx), INTERVAL)) {
                for (int i = 0; i < big.length; i++) {
                    cadence.start(
                            "big" + i,
                            Targets.of(CheckType.NEGOTIATE, Integer.parseInt(big[i]))
                                    .service(ServiceType.HTTP)
                                    .receive("^healthy")
                                    .timeouts(Duration.ofSeconds(20), Duration.ofSeconds(20))
                                    .target(),
                            Duration.ofMillis(5L * i));
                }
                for (int i = 0; i < small.length; i++) {
                    cadence.start(
                            "small" + i,
                            Targets.of(CheckType.NEGOTIATE, Integer.parseInt(small[i]))
                                    .service(ServiceType.HTTP)
                                    .receive("ok")
                                    .target(),
                            Duration.ofMillis(50L * i));
                }
                long measuredFrom = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmUp);
                Thread.sleep(window);
                cadence.stop();
                long smallDown = 0;
                long smallProbes = 0;
                long gap = 0;
                for (int i = 0; i < small.length; i++) {
                    smallProbes += cadence.countFrom("small" + i, measuredFrom);
                    for (Cadence.Probe p : cadence.of("small" + i)) {
                        if (!p.result().up()) {
                            boolean measured = p.start() - measuredFrom >= 0;
                            smallDown += measured ? 1 : 0;
                            System.out.println(
                                    "small"
                                            + i
                                            + " down"
                                            + (measured ? "" : " while warming up")
                                            + ": "
                                            + p.result().reason());
                        }
                    }
                    gap = Math.max(gap, cadence.longestGapNanos("small" + i, measuredFrom));
                    System.out.println(
                            "small" + i + " (start+latency ms): " + cadence.timeline("small" + i));
                }
                long bigUp = 0;
                Map<String, Integer> reasons = new TreeMap<>();
                for (int i = 0; i < big.length; i++) {
                    for (Cadence.Probe p : cadence.of("big" + i)) {
                        bigUp += p.result().up() ? 1 : 0;
                        reasons.merge(p.result().reason(), 1, Integer::sum);
                    }
                }
                System.out.println("big reals' reasons: " + reasons);
                System.out.println("RESULT budget=" + ctx.answerBudget().total());
                System.out.println("RESULT budgetPeak=" + ctx.answerBudget().peak());
                System.out.println("RESULT liveAfterGc=" + heap.liveAfterGc.get());
                System.out.println("RESULT collections=" + heap.collections.get());
                System.out.println("RESULT bigUp=" + bigUp);
                System.out.println("RESULT smallDown=" + smallDown);
                System.out.println("RESULT smallProbes=" + smallProbes);
                System.out.println("RESULT smallLongestGapNanos=" + gap);
            }
            System.exit(0);
        }
    }

    /** The most heap in use right after any garbage collection: what the director really keeps. */
    static final class HeapWatch {
        private final AtomicLong liveAfterGc = new AtomicLong();
        private final AtomicInteger collections = new AtomicInteger();

        void start() {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc)
                        .addNotificationListener(
                                (n, handback) -> {
                                    if (!n.getType()
                                            .equals(
                                                    GarbageCollectionNotificationInfo
                                                            .GARBAGE_COLLECTION_NOTIFICATION)) {
                                        return;
                                    }
                                    GarbageCollectionNotificationInfo info =
                                            GarbageCollectionNotificationInfo.from(
                                                    (CompositeData) n.getUserData());
                                    long live = 0;
                                    for (MemoryPoolMXBean pool :
                                            ManagementFactory.getMemoryPoolMXBeans()) {
                                        MemoryUsage u =
                                                pool.getType() == MemoryType.HEAP
                                                        ? info.getGcInfo()
                                                                .getMemoryUsageAfterGc()
                                                                .get(pool.getName())
                                                        : null;
                                        live += u == null ? 0 : u.getUsed();
                                    }
                                    collections.incrementAndGet();
                                    liveAfterGc.accumulateAndGet(live, Math::max);
                                },
                                null,
                                null);
            }
        }
    }

    private static void waitUntil(BooleanSupplier condition, Duration atMost)
            throws InterruptedException {
        long until = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - until > 0) {
                throw new AssertionError("not within " + atMost);
            }
            Thread.sleep(10);
        }
    }
}
