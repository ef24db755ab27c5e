package org.ldirector.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Config;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.engine.EngineListener;
import org.ldirector.health.Health;
import org.ldirector.health.HealthEvent;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.reconcile.Reconciler;

/**
 * The numbers behind {@code /metrics}, kept from the engine's events.
 *
 * <p>The probe path only touches adders in maps keyed by the real, so thousands of probes a second
 * cost no locks. Series belong to the config in force: a real or virtual dropped by a reload loses
 * its series at once, so the page never grows with the history of edits.
 */
public final class Metrics implements EngineListener {
    /**
     * Upper bounds in seconds: LAN checks answer in well under a second; the tail shows timeouts.
     */
    static final double[] BUCKETS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    /**
     * A series' labels: the virtual and the real as the log names them (both printed by {@link
     * org.ldirector.net.VirtualId} and {@link org.ldirector.net.RealId}, so the pair is as unique
     * as the identity), ordered as the page lists them.
     */
    record RealKey(String virtual, String real) implements Comparable<RealKey> {
        @Override
        public int compareTo(RealKey o) {
            int c = virtual.compareTo(o.virtual);
            return c != 0 ? c : real.compareTo(o.real);
        }
    }

    static final class RealSeries {
        volatile Health health = Health.UNKNOWN;
        volatile double lastLatency = Double.NaN;
        final LongAdder probesUp = new LongAdder();
        final LongAdder probesDown = new LongAdder();
        final LongAdder wentUp = new LongAdder();
        final LongAdder wentDown = new LongAdder();
    }

    static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i].increment();
                    break;
                }
            }
            count.increment();
            sum.add(seconds);
        }
    }

    private final String version;
    private final Map<RealKey, RealSeries> reals = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> operations = new ConcurrentHashMap<>();
    private final LongAdder repairs = new LongAdder();
    private final LongAdder reloadsOk = new LongAdder();
    private final LongAdder reloadsFailed = new LongAdder();
    private volatile Set<RealKey> live = Set.of();
    private volatile Set<String> liveVirtuals = Set.of();

    private volatile IntSupplier probesWaiting = () -> 0;

    public Metrics(String version) {
        this.version = version;
    }

    /**
     * Where {@code ldirector_probes_waiting} comes from: checks due but not started (the probe
     * loop's queue).
     */
    public void probesWaiting(IntSupplier waiting) {
        this.probesWaiting = waiting;
    }

    @Override
    public void configured(Config config) {
        Set<RealKey> keys = new HashSet<>();
        Set<String> virtuals = new HashSet<>();
        for (VirtualConfig v : config.virtuals()) {
            virtuals.add(v.id().toString());
            for (Real r : v.reals()) {
                keys.add(key(v, r));
            }
        }
        live = Set.copyOf(keys);
        liveVirtuals = Set.copyOf(virtuals);
        reals.keySet().retainAll(keys);
        latency.keySet().retainAll(virtuals);
    }

    @Override
    public void probed(VirtualConfig virtual, Real real, CheckResult result, Instant at) {
        RealKey k = key(virtual, real);
        if (!live.contains(k)) {
            return; // a probe of a real a reload just removed: no series for it again
        }
        RealSeries s = reals.computeIfAbsent(k, x -> new RealSeries());
        double seconds = seconds(result.latency());
        s.lastLatency = seconds;
        (result.up() ? s.probesUp : s.probesDown).increment();
        latency.computeIfAbsent(k.virtual(), x -> new Histogram()).observe(seconds);
    }

    @Override
    public void healthChanged(VirtualConfig virtual, Real real, HealthEvent event) {
        RealKey k = key(virtual, real);
        if (!live.contains(k)) {
            return;
        }
        RealSeries s = reals.computeIfAbsent(k, x -> new RealSeries());
        switch (event.kind()) {
            case WENT_UP -> {
                s.health = Health.UP;
                s.wentUp.increment();
            }
            case WENT_DOWN -> {
                s.health = Health.DOWN;
                s.wentDown.increment();
            }
            default -> {}
        }
    }

    @Override
    public void applied(Optional<VirtualConfig> virtual, Reconciler.Step step, boolean ok) {
        operations
                .computeIfAbsent(kind(step.op()) + (ok ? ",ok" : ",failed"), x -> new LongAdder())
                .increment();
        if (ok && step.repair()) {
            repairs.increment();
        }
    }

    @Override
    public void reloaded(boolean ok) {
        (ok ? reloadsOk : reloadsFailed).increment();
    }

    /** The exposition text (format 0.0.4), families and series in a stable order. */
    public String scrape() {
        StringBuilder b = new StringBuilder(256 + reals.size() * 256);
        family(b, "ldirector_build_info", "gauge", "The running ldirector version.");
        b.append("ldirector_build_info{version=\"").append(escape(version)).append("\"} 1\n");

        Map<RealKey, RealSeries> sorted = new TreeMap<>(reals);
        family(
                b,
                "ldirector_real_up",
                "gauge",
                "1 if the checks put the real server in service, 0 if they took it out; absent"
                        + " before the first verdict.");
        sorted.forEach(
                (k, s) -> {
                    if (s.health != Health.UNKNOWN) {
                        sample(b, "ldirector_real_up", k, "", s.health == Health.UP ? 1 : 0);
                    }
                });
        family(
                b,
                "ldirector_probe_last_latency_seconds",
                "gauge",
                "How long the real server's last check took.");
        sorted.forEach(
                (k, s) -> {
                    if (!Double.isNaN(s.lastLatency)) {
                        sample(b, "ldirector_probe_last_latency_seconds", k, "", s.lastLatency);
                    }
                });
        family(b, "ldirector_probes_total", "counter", "Checks of the real server, by result.");
        sorted.forEach(
                (k, s) -> {
                    sample(b, "ldirector_probes_total", k, ",result=\"up\"", s.probesUp.sum());
                    sample(b, "ldirector_probes_total", k, ",result=\"down\"", s.probesDown.sum());
                });
        family(
                b,
                "ldirector_real_transitions_total",
                "counter",
                "Times the real server was put in or taken out of service.");
        sorted.forEach(
                (k, s) -> {
                    sample(b, "ldirector_real_transitions_total", k, ",to=\"up\"", s.wentUp.sum());
                    sample(
                            b,
                            "ldirector_real_transitions_total",
                            k,
                            ",to=\"down\"",
                            s.wentDown.sum());
                });

        family(
                b,
                "ldirector_probe_duration_seconds",
                "histogram",
                "How long checks took, per virtual service.");
        new TreeMap<>(latency)
                .forEach(
                        (v, h) -> {
                            String label = "virtual=\"" + escape(v) + "\"";
                            long cumulative = 0;
                            for (int i = 0; i < BUCKETS.length; i++) {
                                cumulative += h.buckets[i].sum();
                                b.append("ldirector_probe_duration_seconds_bucket{")
                                        .append(label)
                                        .append(",le=\"")
                                        .append(number(BUCKETS[i]))
                                        .append("\"} ")
                                        .append(cumulative)
                                        .append('\n');
                            }
                            long count = h.count.sum();
                            b.append("ldirector_probe_duration_seconds_bucket{")
                                    .append(label)
                                    .append(",le=\"+Inf\"} ")
                                    .append(count)
                                    .append('\n');
                            b.append("ldirector_probe_duration_seconds_sum{")
                                    .append(label)
                                    .append("} ")
                                    .append(number(h.sum.sum()))
                                    .append('\n');
                            b.append("ldirector_probe_duration_seconds_count{")
                                    .append(label)
                                    .append("} ")
                                    .append(count)
                                    .append('\n');
                        });

        family(
                b,
                "ldirector_kernel_operations_total",
                "counter",
                "IPVS table changes ldirector made, by kind and result.");
        new TreeMap<>(operations)
                .forEach(
                        (k, n) -> {
                            String[] parts = k.split(",");
                            b.append("ldirector_kernel_operations_total{op=\"")
                                    .append(parts[0])
                                    .append("\",result=\"")
                                    .append(parts[1])
                                    .append("\"} ")
                                    .append(n.sum())
                                    .append('\n');
                        });
        family(
                b,
                "ldirector_probes_waiting",
                "gauge",
                "Checks due but not started yet; above 0 for long, the director is short of CPU and"
                        + " checks reals less often.");
        b.append("ldirector_probes_waiting ").append(probesWaiting.getAsInt()).append('\n');
        family(
                b,
                "ldirector_kernel_repairs_total",
                "counter",
                "Table entries changed by someone else and put back.");
        b.append("ldirector_kernel_repairs_total ").append(repairs.sum()).append('\n');
        family(
                b,
                "ldirector_config_reloads_total",
                "counter",
                "Configuration reloads; failed ones kept the running config.");
        b.append("ldirector_config_reloads_total{result=\"ok\"} ")
                .append(reloadsOk.sum())
                .append('\n');
        b.append("ldirector_config_reloads_total{result=\"failed\"} ")
                .append(reloadsFailed.sum())
                .append('\n');
        return b.toString();
    }

    private static RealKey key(VirtualConfig v, Real r) {
        return new RealKey(v.id().toString(), v.id(r).server());
    }

    static String kind(IpvsOp op) {
        // AddService -> add_service
        return op.getClass()
                .getSimpleName()
                .replaceAll("([a-z])([A-Z])", "$1_$2")
                .toLowerCase(Locale.ROOT);
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(
            StringBuilder b, String name, RealKey k, String moreLabels, double value) {
        b.append(name)
                .append("{virtual=\"")
                .append(escape(k.virtual()))
                .append("\",real=\"")
                .append(escape(k.real()))
                .append('"')
                .append(moreLabels)
                .append("} ")
                .append(number(value))
                .append('\n');
    }

    /** Label values escape backslash, double quote and newline (the exposition format's rule). */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /**
     * Integers without ".0", others in Java's shortest round-trip form (Prometheus parses both).
     */
    static String number(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
