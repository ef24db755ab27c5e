package org.ldirector.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each probe runs: every probe key on its own interval, its turns staggered across the
 * interval so a thousand reals do not fire in the same millisecond, and a probe is never started
 * twice: a turn that comes while the key's previous probe still runs is owed, and the next probe
 * starts as soon as that one ends (several such turns make one). It knows nothing of what a probe
 * does.
 *
 * <p>Owing rather than skipping matters on a director short of CPU, where probes wait in a queue
 * and some outlast their interval: a skipped turn would leave that real unprobed for two intervals,
 * and its failure noticed up to two intervals late, while the others are probed every interval.
 * Owed turns spread the shortage evenly: every real is probed as often as the director can, none is
 * passed over. A real whose check takes longer than its interval (a black hole with a timeout above
 * the interval) is probed again when its check ends, as keepalived re-arms a checker when it
 * finishes, instead of at the slot's next turn.
 *
 * <p>Keys of one interval share a timer per time slot (about {@link #SLOT} wide, at most {@link
 * #MAX_SLOTS} per interval): one wake-up starts every probe of the slot, because each timer turn
 * wakes the scheduler and a worker thread, and those hand-offs, not the probes, would otherwise be
 * most of the daemon's CPU. Slots are wide, and a slot is only opened when the others would hold
 * more than {@link #PER_SLOT} keys each, for the same reason: ten reals checked every second are
 * one wake-up a second, not five (the measurements are in test-fixtures/bench/results/FINDINGS.md).
 * A slot's probes do not leave at once: the {@code ProbeLoop} opens their connections in batches
 * between reading answers.
 *
 * <p>{@link #apply} takes the wanted set after every (re)load and touches only what changed: a key
 * with the same interval keeps its timer and phase, unless the number of keys of its interval
 * crosses a multiple of {@link #PER_SLOT} and its interval gets more (or fewer) slots. Then the
 * keys of that interval are spread again; a probe still running is not started twice for it, and no
 * key waits more than two intervals for its next probe.
 *
 * <p>At start (the first {@link #apply}) up to {@code firstBurst} keys are probed at once, so the
 * table is full after one round trip instead of one interval; their regular turns then follow the
 * slots as above. The burst is bounded by the open-file limit ({@link #firstBurst(String)}): each
 * probe holds a descriptor until it ends, and the probe loop opens its connections in batches.
 *
 * @param <K> the probe identity (its {@code toString()} only appears in logs)
 */
public final class ProbeSchedule<K> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSchedule.class);

    private final Ticks ticks;
    private final Function<K, CompletableFuture<?>> probe;
    private final int firstBurst;

    /**
     * Descriptors left to the rest of the daemon (logs, sockets, the jar) when the first probes
     * burst.
     */
    static final int RESERVED_FDS = 128;

    /** The width a slot aims at: wide enough to batch, narrow enough to keep the load even. */
    static final Duration SLOT = Duration.ofMillis(200);

    static final int MAX_SLOTS = 64;

    /** Keys a slot holds before the next slot of their interval is opened. */
    static final int PER_SLOT = 64;

    /** The keys of one interval that start in the same slot (of {@code slots}), and their timer. */
    private record Group(Duration interval, int slots, int slot) {}

    /** Each scheduled key's group, which holds its interval and slot. */
    private final Map<K, Group> groupOf = new HashMap<>();

    private final Map<Group, Set<K>> members = new HashMap<>();
    private final Map<Group, String> ids = new HashMap<>();

    /** Where a key's probe is; a key that is idle has no entry. */
    private enum Turn {
        RUNNING,
        /** Running, and a turn came meanwhile: the next probe starts when this one ends. */
        OWED
    }

    private final ConcurrentHashMap<K, Turn> running = new ConcurrentHashMap<>();
    private final AtomicLong late = new AtomicLong();
    private long nextId;

    /**
     * Whether {@link #apply} ran before: the first one bursts, later ones probe new keys at once.
     */
    private boolean applied;

    /** During the first apply: every key was probed at once, so no slot needs a turn at 0. */
    private boolean burstAll;

    /**
     * @param probe starts one probe of a key and returns without blocking; the future completes
     *     when the probe has finished (its result is handled by the probe itself)
     */
    public ProbeSchedule(Ticks ticks, Function<K, CompletableFuture<?>> probe) {
        this(ticks, probe, 0);
    }

    /**
     * @param firstBurst how many keys the first {@link #apply} probes at once (0: each at its
     *     slot's turn)
     */
    public ProbeSchedule(Ticks ticks, Function<K, CompletableFuture<?>> probe, int firstBurst) {
        this.ticks = ticks;
        this.probe = probe;
        this.firstBurst = Math.max(0, firstBurst);
    }

    /**
     * Makes the schedule match {@code wanted}: adds new keys, drops gone ones, re-times changed
     * ones.
     */
    public synchronized void apply(Map<K, Duration> wanted) {
        Map<Duration, Integer> perInterval = new HashMap<>();
        wanted.values().forEach(interval -> perInterval.merge(interval, 1, Integer::sum));
        Map<K, Group> target = new HashMap<>();
        wanted.forEach(
                (key, interval) -> {
                    int n = slots(interval, perInterval.get(interval));
                    target.put(key, new Group(interval, n, slot(key, n)));
                });
        List<K> burst = applied ? List.of() : wanted.keySet().stream().limit(firstBurst).toList();
        burstAll = !burst.isEmpty() && burst.size() == wanted.size();
        Set<K> known = Set.copyOf(groupOf.keySet());
        for (K key : known) {
            Group g = target.get(key);
            if (g == null || !g.equals(groupOf.get(key))) {
                leave(key);
            }
        }
        List<K> fresh = new ArrayList<>();
        target.forEach(
                (key, g) -> {
                    if (!groupOf.containsKey(key)) {
                        if (applied && !known.contains(key)) {
                            fresh.add(key);
                        }
                        join(key, g);
                    }
                });
        applied = true;
        burstAll = false;
        // A real added by a reload is checked now, not at its slot's next turn up to an interval
        // later: an operator who adds one expects it in the table as soon as it answers.
        fresh.forEach(this::fire);
        burst.forEach(this::fire);
    }

    private void join(K key, Group g) {
        Set<K> group = members.get(g);
        groupOf.put(key, g);
        if (group != null) {
            group.add(key); // its timer runs already: the key's first turn is the slot's next
            return;
        }
        // concurrent: the timer's thread walks it while apply adds and removes keys
        Set<K> fresh = ConcurrentHashMap.newKeySet();
        fresh.add(key);
        members.put(g, fresh);
        String id = "probes-" + (nextId++);
        ids.put(g, id);
        Duration first = phase(g.slot(), g.slots(), g.interval());
        if (burstAll && first.isZero()) {
            first = g.interval(); // its keys are probed now, by the burst
        }
        ticks.every(
                id,
                first,
                g.interval(),
                () -> {
                    for (K k : fresh) {
                        fire(k);
                    }
                });
    }

    private void leave(K key) {
        running.replace(key, Turn.OWED, Turn.RUNNING); // no longer scheduled: nothing more is owed
        Group g = groupOf.remove(key);
        Set<K> group = members.get(g);
        group.remove(key);
        if (group.isEmpty()) {
            members.remove(g);
            ticks.cancel(ids.remove(g));
        }
    }

    /** How many timers run: one per slot in use, not one per key. */
    public synchronized int timers() {
        return ids.size();
    }

    /** A turn of {@code key}: its probe starts now, or when the one still running ends. */
    void fire(K key) {
        while (true) {
            Turn state = running.putIfAbsent(key, Turn.RUNNING);
            if (state == null) {
                start(key);
                return;
            }
            if (state == Turn.OWED || running.replace(key, Turn.RUNNING, Turn.OWED)) {
                late.incrementAndGet();
                LOG.debug(
                        "probe of {} still running at its next turn; the next starts when it ends",
                        key);
                return;
            }
            // it ended between the two looks: this turn can start it after all
        }
    }

    private void start(K key) {
        CompletableFuture<?> f;
        try {
            f = probe.apply(key);
        } catch (RuntimeException e) {
            running.remove(key);
            LOG.error("probe of {} failed to start", key, e);
            return;
        }
        f.whenComplete((r, e) -> ended(key));
    }

    private void ended(K key) {
        if (running.remove(key, Turn.RUNNING)) {
            return;
        }
        // a turn came while it ran: the real has waited long enough for its next probe
        if (running.replace(key, Turn.OWED, Turn.RUNNING)) {
            start(key);
        }
    }

    /**
     * How many turns found the key's previous probe still running (each put off until that probe
     * ended).
     */
    public long lateTurns() {
        return late.get();
    }

    public synchronized Set<K> keys() {
        return Set.copyOf(groupOf.keySet());
    }

    /**
     * How many slots {@code keys} keys of one interval take: one per {@link #PER_SLOT} keys, and at
     * most one per {@link #SLOT} of the interval (at least 1, at most {@link #MAX_SLOTS}).
     */
    static int slots(Duration interval, int keys) {
        int most = (int) Math.max(1, Math.min(MAX_SLOTS, interval.toMillis() / SLOT.toMillis()));
        return Math.max(1, Math.min(most, (keys + PER_SLOT - 1) / PER_SLOT));
    }

    /**
     * A key's slot of {@code slots}: derived from the key, so probes spread evenly and a key keeps
     * its phase across restarts.
     */
    static int slot(Object key, int slots) {
        long mixed = (key.hashCode() & 0xffffffffL) * 0x9E3779B97F4A7C15L;
        return (int) Math.floorMod(mixed >>> 16, (long) slots);
    }

    /**
     * How many probes may start at once at start, from the text of /proc/self/limits: the soft
     * open-file limit less {@link #RESERVED_FDS}; 0 (no burst) when the limit cannot be read.
     * Unlimited counts as {@link Integer#MAX_VALUE}.
     */
    public static int firstBurst(String procLimits) {
        for (String line : procLimits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                if (f.length > 0) {
                    if (f[0].equals("unlimited")) {
                        return Integer.MAX_VALUE;
                    }
                    try {
                        return (int)
                                Math.max(
                                        0,
                                        Math.min(
                                                Integer.MAX_VALUE,
                                                Long.parseLong(f[0]) - RESERVED_FDS));
                    } catch (NumberFormatException e) {
                        return 0;
                    }
                }
            }
        }
        return 0;
    }

    /** {@link #firstBurst(String)} for this process. */
    public static int firstBurst() {
        try {
            return firstBurst(Files.readString(Path.of("/proc/self/limits")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The delay before a slot's first turn. */
    static Duration phase(int slot, int slots, Duration interval) {
        return Duration.ofMillis(interval.toMillis() * slot / slots);
    }

    /** The delay before a key's first probe, when its interval has {@code keys} keys. */
    static Duration stagger(Object key, Duration interval, int keys) {
        int n = slots(interval, keys);
        return phase(slot(key, n), n, interval);
    }

    @Override
    public synchronized void close() {
        running.replaceAll((k, v) -> Turn.RUNNING);
        for (String id : ids.values()) {
            ticks.cancel(id);
        }
        ids.clear();
        members.clear();
        groupOf.clear();
    }
}
