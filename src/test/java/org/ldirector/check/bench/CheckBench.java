package org.ldirector.check.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ldirector.check.CheckContext;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checkers;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.AddressFamily;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpMethod;
import org.ldirector.config.Protocol;
import org.ldirector.config.Secret;
import org.ldirector.config.ServiceType;

/**
 * Probe throughput benchmark (not a test; run by test-fixtures/bench/check-bench.sh): one round of
 * N checks started at once against loopback servers, per kind (http negotiate, tcp connect),
 * reporting wall time, process CPU seconds per 1,000 probes, peak heap and RSS.
 *
 * <p>Usage: {@code CheckBench SERVERS KINDS COUNTS [ROUNDS]}, e.g. {@code
 * 127.0.0.1:8081,127.0.0.2:8081 http,connect 1000,10000 3}. Each (kind, N) is run once unmeasured
 * to warm the JIT, then ROUNDS times measured; every round is printed. A running daemon is warm, so
 * the last rounds are its steady state and the first ones its start-up. {@code SERVERS paced ...}
 * measures CPU at a steady probe rate instead (see {@link #paced}).
 */
public final class CheckBench {
    private CheckBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("paced")) {
            paced(args);
            return;
        }
        if (args.length < 3) {
            System.err.println(
                    "usage: CheckBench host:port[,host:port...] http,connect 1000,10000 [rounds]");
            System.exit(2);
        }
        List<InetSocketAddr> servers = servers(args[0]);
        String[] kinds = args[1].split(",");
        String[] counts = args[2].split(",");
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        System.out.printf(
                Locale.ROOT,
                "%-8s %7s %5s %9s %9s %12s %6s %6s %9s %8s %8s %16s %10s %11s%n",
                "kind",
                "probes",
                "round",
                "wall_ms",
                "cpu_s",
                "cpu_s/1000",
                "up",
                "down",
                "peakheap",
                "rss_mb",
                "hwm_mb",
                "lat p50/p99/max",
                "user/sys",
                "alloc_kb/pr");
        try (CheckContext ctx = CheckContext.create()) {
            Checkers checkers = Kinds.checkers(ctx);
            for (String kind : kinds) {
                for (String c : counts) {
                    int n = Integer.parseInt(c);
                    List<ProbeTarget> targets = targets(kind, n, servers);
                    runRound(
                            checkers,
                            targets); // warm-up: JIT, connection pool structures, page faults
                    for (int r = 1; r <= rounds; r++) {
                        print(kind, n, r, runRound(checkers, targets));
                    }
                }
            }
        }
    }

    record InetSocketAddr(InetAddress address, int port) {}

    static List<InetSocketAddr> servers(String list) throws Exception {
        List<InetSocketAddr> servers = new ArrayList<>();
        for (String s : list.split(",")) {
            int colon = s.lastIndexOf(':');
            servers.add(
                    new InetSocketAddr(
                            InetAddress.getByName(s.substring(0, colon)),
                            Integer.parseInt(s.substring(colon + 1))));
        }
        return servers;
    }

    /**
     * {@code CheckBench SERVERS paced KIND REALS RATE WARMUP_S WINDOW_S}: the daemon's steady state
     * rather than a burst. REALS targets are checked in turn at RATE probes per second (each one
     * every REALS/RATE seconds, as a checkinterval would), the JIT warms up for WARMUP_S, then the
     * process CPU is measured over WINDOW_S: the same pacing keepalived's delay_loop gives it.
     */
    static void paced(String[] a) throws Exception {
        List<InetSocketAddr> servers = servers(a[0]);
        String kind = a[2];
        int reals = Integer.parseInt(a[3]);
        double rate = Double.parseDouble(a[4]);
        long warmup = Long.parseLong(a[5]);
        long window = Long.parseLong(a[6]);
        List<ProbeTarget> targets = targets(kind, reals, servers);
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        AtomicLong done = new AtomicLong();
        AtomicLong down = new AtomicLong();
        var timer = Executors.newSingleThreadScheduledExecutor();
        try (CheckContext ctx = CheckContext.create()) {
            Checkers checkers = Kinds.checkers(ctx);
            long t0 = System.nanoTime();
            long[] launched = {0};
            // every 10 ms, launch the probes that are due by now: an even spread, like staggered
            // timers
            timer.scheduleAtFixedRate(
                    () -> {
                        long due = (long) ((System.nanoTime() - t0) / 1e9 * rate);
                        for (; launched[0] < due; launched[0]++) {
                            checkers.check(targets.get((int) (launched[0] % reals)))
                                    .thenAccept(
                                            r -> {
                                                done.incrementAndGet();
                                                if (!r.up()) {
                                                    down.incrementAndGet();
                                                }
                                            });
                        }
                    },
                    0,
                    10,
                    TimeUnit.MILLISECONDS);
            Thread.sleep(warmup * 1000);
            long cpu0 = os.getProcessCpuTime();
            long n0 = done.get();
            long d0 = down.get();
            long[] ticks0 = ticks();
            Thread.sleep(window * 1000);
            long cpu = os.getProcessCpuTime() - cpu0;
            long n = done.get() - n0;
            long[] ticks1 = ticks();
            timer.shutdownNow();
            System.out.printf(
                    Locale.ROOT,
                    "ldirector paced %s: %d reals at %.0f probes/s, %d probes in %d s (%d down),"
                            + " cpu %.3f s (user/sys ticks %d/%d), cpu_s/1000 probes %.4f, rss %.1f"
                            + " MB%n",
                    kind,
                    reals,
                    rate,
                    n,
                    window,
                    down.get() - d0,
                    cpu / 1e9,
                    ticks1[0] - ticks0[0],
                    ticks1[1] - ticks0[1],
                    n == 0 ? Double.NaN : cpu / 1e9 / n * 1000,
                    status("VmRSS") / 1024.0);
        }
    }

    record Round(
            long wallNanos,
            long cpuNanos,
            int up,
            int down,
            long peakHeap,
            String firstDown,
            long p50,
            long p99,
            long max,
            long userTicks,
            long sysTicks,
            long allocatedBytes) {}

    static List<ProbeTarget> targets(String kind, int n, List<InetSocketAddr> servers) {
        CheckType type = kind.equals("http") ? CheckType.NEGOTIATE : CheckType.CONNECT;
        CheckSpec spec =
                new CheckSpec(
                        type,
                        0,
                        ServiceType.HTTP,
                        "/bin/true",
                        Optional.empty(),
                        "/check.html",
                        "ok",
                        HttpMethod.GET,
                        Optional.empty(),
                        "",
                        Secret.EMPTY,
                        "",
                        Secret.EMPTY,
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10),
                        1);
        List<ProbeTarget> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetSocketAddr s = servers.get(i % servers.size());
            out.add(
                    new ProbeTarget(
                            spec,
                            Protocol.TCP,
                            AddressFamily.INET,
                            Optional.of(s.address()),
                            s.port(),
                            s.address(),
                            s.port(),
                            Optional.of(s.port()),
                            "/check.html",
                            "ok"));
        }
        return out;
    }

    static Round runRound(Checkers checkers, List<ProbeTarget> targets) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> heap =
                ManagementFactory.getMemoryPoolMXBeans().stream()
                        .filter(p -> p.getType() == MemoryType.HEAP)
                        .toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long[] ticks0 = ticks();
        long alloc0 = allocated();
        long t0 = System.nanoTime();
        List<CompletableFuture<CheckResult>> all = new ArrayList<>(targets.size());
        for (ProbeTarget t : targets) {
            all.add(checkers.check(t));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long[] ticks1 = ticks();
        long alloc = allocated() - alloc0;
        int up = 0;
        String firstDown = "";
        for (CompletableFuture<CheckResult> f : all) {
            CheckResult r = f.join();
            if (r.up()) {
                up++;
            } else if (firstDown.isEmpty()) {
                firstDown = r.reason();
            }
        }
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long[] lat = all.stream().mapToLong(f -> f.join().latency().toMillis()).sorted().toArray();
        return new Round(
                wall,
                cpu,
                up,
                all.size() - up,
                peak,
                firstDown,
                lat[lat.length / 2],
                lat[(int) (lat.length * 0.99)],
                lat[lat.length - 1],
                ticks1[0] - ticks0[0],
                ticks1[1] - ticks0[1],
                alloc);
    }

    /**
     * Bytes allocated so far by the threads alive now (the checkers' threads live across rounds;
     * the difference over a round is what its probes allocated, the garbage collector's work).
     */
    static long allocated() {
        var threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    static void print(String kind, int n, int round, Round r) throws Exception {
        System.out.printf(
                Locale.ROOT,
                "%-8s %7d %5d %9.1f %9.3f %12.4f %6d %6d %8.1fM %8.1f %8.1f %16s %10s %11.2f%s%n",
                kind,
                n,
                round,
                r.wallNanos() / 1e6,
                r.cpuNanos() / 1e9,
                r.cpuNanos() / 1e9 / n * 1000,
                r.up(),
                r.down(),
                r.peakHeap() / 1048576.0,
                status("VmRSS") / 1024.0,
                status("VmHWM") / 1024.0,
                r.p50() + "/" + r.p99() + "/" + r.max() + "ms",
                r.userTicks() + "/" + r.sysTicks(),
                r.allocatedBytes() / 1024.0 / n,
                r.down() > 0 ? "   first down: " + r.firstDown() : "");
    }

    /** utime and stime of this process in clock ticks (1/100 s), from /proc/self/stat. */
    static long[] ticks() throws Exception {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** A /proc/self/status field in kB. */
    static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
