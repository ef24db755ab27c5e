package org.ldirector.health;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.ldirector.check.CheckResult;

/**
 * The health of every probed real, and the one place where results are dampened into state changes,
 * so that no checker and no caller counts failures itself.
 *
 * <p>Rules (ldirectord's, see {@code _service_up}/{@code _service_down}): an up real goes down
 * after failurecount consecutive failures, and each failure short of that is a soft failure; a real
 * that is not up goes up after successcount consecutive successes (1 in ldirectord). A real that is
 * down and keeps failing produces no events. Maintenance forces a real down without a probe; it
 * then needs a passing check to come back, like a new real.
 *
 * <p>State is keyed by {@link ProbeKey}; {@link #retain} after a reload drops the keys the new
 * config no longer has, and every key it still has keeps its state, so a reload never resets
 * health. Methods are synchronized: results arrive on probe threads, the director reads.
 */
public final class HealthBook {

    /** What is known of one real; a snapshot, never mutated once handed out. */
    public record Entry(
            Health health,
            int failStreak,
            int successStreak,
            Optional<CheckResult> last,
            Optional<Instant> lastProbe,
            Optional<Instant> since) {
        static final Entry NEW =
                new Entry(
                        Health.UNKNOWN, 0, 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private final Map<ProbeKey, Entry> entries = new HashMap<>();

    /** The weight an up real's last passing check asked for; absent = its configured weight. */
    private final Map<ProbeKey, Integer> weights = new HashMap<>();

    /** Applies one probe result and returns what it changed (often nothing). */
    public synchronized List<HealthEvent> record(
            ProbeKey key, Thresholds t, CheckResult result, Instant at) {
        Entry e = entries.getOrDefault(key, Entry.NEW);
        List<HealthEvent> events = new ArrayList<>(1);
        Entry next;
        if (result.up()) {
            int successes = e.successStreak() + 1;
            if (e.health() == Health.UP) {
                if (e.failStreak() > 0) {
                    events.add(
                            new HealthEvent(
                                    key,
                                    HealthEvent.Kind.SOFT_FAILURE_RESET,
                                    Health.UP,
                                    Health.UP,
                                    e.failStreak(),
                                    t.failureCount(),
                                    result));
                }
                next =
                        new Entry(
                                Health.UP,
                                0,
                                successes,
                                Optional.of(result),
                                Optional.of(at),
                                e.since());
            } else if (successes >= t.successCount()) {
                events.add(
                        new HealthEvent(
                                key,
                                HealthEvent.Kind.WENT_UP,
                                e.health(),
                                Health.UP,
                                successes,
                                t.successCount(),
                                result));
                next =
                        new Entry(
                                Health.UP,
                                0,
                                successes,
                                Optional.of(result),
                                Optional.of(at),
                                Optional.of(at));
            } else {
                events.add(
                        new HealthEvent(
                                key,
                                HealthEvent.Kind.RISING,
                                e.health(),
                                e.health(),
                                successes,
                                t.successCount(),
                                result));
                next =
                        new Entry(
                                e.health(),
                                0,
                                successes,
                                Optional.of(result),
                                Optional.of(at),
                                e.since());
            }
        } else {
            int failures = e.failStreak() + 1;
            if (e.health() == Health.UP && failures < t.failureCount()) {
                events.add(
                        new HealthEvent(
                                key,
                                HealthEvent.Kind.SOFT_FAILURE,
                                Health.UP,
                                Health.UP,
                                failures,
                                t.failureCount(),
                                result));
                next =
                        new Entry(
                                Health.UP,
                                failures,
                                0,
                                Optional.of(result),
                                Optional.of(at),
                                e.since());
            } else if (e.health() != Health.DOWN) {
                // UNKNOWN goes straight to DOWN on its first failure: it was never in service, so
                // there is nothing to dampen.
                events.add(
                        new HealthEvent(
                                key,
                                HealthEvent.Kind.WENT_DOWN,
                                e.health(),
                                Health.DOWN,
                                failures,
                                t.failureCount(),
                                result));
                next =
                        new Entry(
                                Health.DOWN,
                                failures,
                                0,
                                Optional.of(result),
                                Optional.of(at),
                                Optional.of(at));
            } else {
                next =
                        new Entry(
                                Health.DOWN,
                                failures,
                                0,
                                Optional.of(result),
                                Optional.of(at),
                                e.since());
            }
        }
        entries.put(key, next);
        if (result.up()) {
            Integer before = weights.get(key);
            Integer now = result.weight().isPresent() ? result.weight().getAsInt() : null;
            if (now == null) {
                weights.remove(key);
            } else {
                weights.put(key, now);
            }
            // a real that went up is placed with its weight anyway; one that stays up needs telling
            if (e.health() == Health.UP && !Objects.equals(before, now)) {
                events.add(
                        new HealthEvent(
                                key,
                                HealthEvent.Kind.WEIGHT_CHANGED,
                                Health.UP,
                                Health.UP,
                                0,
                                0,
                                result));
            }
        } else if (next.health() == Health.DOWN) {
            weights.remove(key);
        }
        return events;
    }

    /**
     * The weight the real's last passing check asked for while it is up; empty = its configured
     * weight.
     */
    public synchronized OptionalInt weight(ProbeKey key) {
        Integer w = weights.get(key);
        return w == null || health(key) != Health.UP ? OptionalInt.empty() : OptionalInt.of(w);
    }

    /**
     * Takes a real out without probing it (a maintenance file). Returns the WENT_DOWN event if it
     * was not down already.
     */
    public synchronized Optional<HealthEvent> forceDown(
            ProbeKey key, CheckResult reason, Instant at) {
        Entry e = entries.getOrDefault(key, Entry.NEW);
        weights.remove(key);
        entries.put(
                key,
                new Entry(
                        Health.DOWN,
                        e.failStreak(),
                        0,
                        Optional.of(reason),
                        Optional.of(at),
                        e.health() == Health.DOWN ? e.since() : Optional.of(at)));
        if (e.health() == Health.DOWN) {
            return Optional.empty();
        }
        return Optional.of(
                new HealthEvent(
                        key, HealthEvent.Kind.WENT_DOWN, e.health(), Health.DOWN, 0, 0, reason));
    }

    public synchronized Health health(ProbeKey key) {
        return entries.getOrDefault(key, Entry.NEW).health();
    }

    public synchronized Entry entry(ProbeKey key) {
        return entries.getOrDefault(key, Entry.NEW);
    }

    /** After a reload: forget every key not in {@code live}; the others keep their state. */
    public synchronized void retain(Set<ProbeKey> live) {
        entries.keySet().retainAll(live);
        weights.keySet().retainAll(live);
    }

    public synchronized Map<ProbeKey, Entry> snapshot() {
        return Map.copyOf(entries);
    }
}
