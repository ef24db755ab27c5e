package org.ldirector.check.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.ProbeTarget;

/**
 * Probes each real every interval, as the director's schedule does: the next probe of a real starts
 * one interval after the last one started, or at once when that one ended later. Keeps every
 * probe's start, end and result, on the monotonic clock, for the test to read.
 */
final class Cadence implements AutoCloseable {
    record Probe(long start, long end, CheckResult result) {}

    private final Checker checker;
    private final long intervalNanos;
    private final ScheduledExecutorService schedule =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "cadence");
                        t.setDaemon(true);
                        return t;
                    });
    private final Map<String, List<Probe>> probes = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    Cadence(Checker checker, Duration interval) {
        this.checker = checker;
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Starts probing {@code target} under {@code name}, first after {@code delay} (stagger the
     * first probes).
     */
    void start(String name, ProbeTarget target, Duration delay) {
        probes.put(name, new CopyOnWriteArrayList<>());
        schedule.schedule(() -> probe(name, target), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void probe(String name, ProbeTarget target) {
        if (stopped) {
            return;
        }
        long start = System.nanoTime();
        checker.check(target)
                .whenComplete(
                        (r, e) -> {
                            long end = System.nanoTime();
                            probes.get(name)
                                    .add(
                                            new Probe(
                                                    start,
                                                    end,
                                                    r != null
                                                            ? r
                                                            : CheckResult.down(
                                                                    Duration.ZERO,
                                                                    "failed: " + e)));
                            if (!stopped) {
                                long next = Math.max(0, start + intervalNanos - end);
                                schedule.schedule(
                                        () -> probe(name, target), next, TimeUnit.NANOSECONDS);
                            }
                        });
    }

    List<Probe> of(String name) {
        return new ArrayList<>(probes.get(name));
    }

    /**
     * The longest time between two consecutive starts of the real's probes (0 for fewer than two).
     */
    long longestGapNanos(String name) {
        return longestGapNanos(name, Long.MIN_VALUE);
    }

    /** The same among the probes that started at {@code from} (System.nanoTime) or later. */
    long longestGapNanos(String name, long from) {
        List<Probe> p = of(name).stream().filter(x -> x.start() - from >= 0).toList();
        long worst = 0;
        for (int i = 1; i < p.size(); i++) {
            worst = Math.max(worst, p.get(i).start() - p.get(i - 1).start());
        }
        return worst;
    }

    /** How many of the real's probes started at {@code from} or later. */
    long countFrom(String name, long from) {
        return of(name).stream().filter(x -> x.start() - from >= 0).count();
    }

    /** For a failure message: each probe's start (from the first) and how long it took, in ms. */
    String timeline(String name) {
        List<Probe> p = of(name);
        StringBuilder b = new StringBuilder();
        for (Probe x : p) {
            b.append(TimeUnit.NANOSECONDS.toMillis(x.start() - p.get(0).start()))
                    .append('+')
                    .append(TimeUnit.NANOSECONDS.toMillis(x.end() - x.start()))
                    .append(' ');
        }
        return b.toString().strip();
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void close() {
        stop();
        schedule.shutdownNow();
    }
}
