package org.ldirector.schedule;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each probe runs: every probe key on its own interval, first runs staggered across the
 * interval so a thousand reals do not fire in the same millisecond, and a probe still running
 * when its next turn comes is skipped, never started twice. It knows nothing of what a probe does.
 *
 * <p>{@link #apply} takes the wanted set after every (re)load and touches only what changed: a
 * key with the same interval keeps its timer and phase.
 *
 * @param <K> the probe identity (its {@code toString()} only appears in logs)
 */
public final class ProbeSchedule<K> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSchedule.class);

    private final Ticks ticks;
    private final Function<K, CompletableFuture<?>> probe;
    private final Map<K, Duration> scheduled = new HashMap<>();
    private final Map<K, String> ids = new HashMap<>();
    private final Set<K> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong skipped = new AtomicLong();
    private long nextId;

    /**
     * @param probe starts one probe of a key and returns without blocking; the future completes
     *              when the probe has finished (its result is handled by the probe itself)
     */
    public ProbeSchedule(Ticks ticks, Function<K, CompletableFuture<?>> probe) {
        this.ticks = ticks;
        this.probe = probe;
    }

    /** Makes the schedule match {@code wanted}: adds new keys, drops gone ones, re-times changed ones. */
    public synchronized void apply(Map<K, Duration> wanted) {
        for (K gone : Set.copyOf(scheduled.keySet())) {
            if (!wanted.containsKey(gone)) {
                ticks.cancel(ids.remove(gone));
                scheduled.remove(gone);
            }
        }
        for (Map.Entry<K, Duration> w : wanted.entrySet()) {
            K key = w.getKey();
            Duration interval = w.getValue();
            if (interval.equals(scheduled.get(key))) {
                continue;
            }
            String id = ids.computeIfAbsent(key, k -> "probe-" + (nextId++));
            scheduled.put(key, interval);
            ticks.every(id, stagger(key, interval), interval, () -> fire(key));
        }
    }

    /** Runs one probe of {@code key} unless the previous one is still running. */
    void fire(K key) {
        if (!inFlight.add(key)) {
            skipped.incrementAndGet();
            LOG.debug("probe of {} still running at its next turn; skipped", key);
            return;
        }
        CompletableFuture<?> running;
        try {
            running = probe.apply(key);
        } catch (RuntimeException e) {
            inFlight.remove(key);
            LOG.error("probe of {} failed to start", key, e);
            return;
        }
        running.whenComplete((r, e) -> inFlight.remove(key));
    }

    /** How many turns were skipped because the previous probe was still running. */
    public long skippedTurns() {
        return skipped.get();
    }

    public synchronized Set<K> keys() {
        return Set.copyOf(scheduled.keySet());
    }

    /**
     * The delay before a key's first probe: a fixed point of its interval derived from the key, so
     * probes spread evenly and a key keeps its phase across restarts.
     */
    static Duration stagger(Object key, Duration interval) {
        long span = Math.max(1, interval.toMillis());
        long mixed = (key.hashCode() & 0xffffffffL) * 0x9E3779B97F4A7C15L;
        return Duration.ofMillis(Math.floorMod(mixed >>> 16, span));
    }

    @Override
    public synchronized void close() {
        for (String id : ids.values()) {
            ticks.cancel(id);
        }
        ids.clear();
        scheduled.clear();
    }
}
