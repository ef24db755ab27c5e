package org.ldirector.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProbeScheduleTest {

    private final ManualTicks ticks = new ManualTicks();
    private final List<String> started = new ArrayList<>();
    private final Map<String, CompletableFuture<Void>> running = new HashMap<>();
    private final ProbeSchedule<String> schedule =
            new ProbeSchedule<>(
                    ticks,
                    key -> {
                        started.add(key);
                        CompletableFuture<Void> f = new CompletableFuture<>();
                        running.put(key, f);
                        return f;
                    });

    @Test
    void aTurnThatComesWhileTheProbeRunsStartsTheNextProbeWhenItEnds() {
        schedule.apply(Map.of("a", Duration.ofSeconds(10)));
        ticks.fireAll();
        ticks.fireAll();
        ticks.fireAll();
        assertEquals(List.of("a"), started, "never two probes of a key at once");
        assertEquals(2, schedule.lateTurns());
        CompletableFuture<Void> first = running.get("a");
        first.complete(null);
        assertEquals(
                List.of("a", "a"),
                started,
                "the turns that came meanwhile make one probe, started at once");
        running.get("a").complete(null);
        assertEquals(List.of("a", "a"), started, "nothing more was owed");
        ticks.fireAll();
        assertEquals(List.of("a", "a", "a"), started, "the next turn as usual");
    }

    @Test
    void atStartEveryKeyIsProbedAtOnceAndNoSlotTurnsAgainBeforeAnInterval() {
        ProbeSchedule<String> s =
                new ProbeSchedule<>(
                        ticks,
                        key -> {
                            started.add(key);
                            return CompletableFuture.completedFuture(null);
                        },
                        1000);
        Map<String, Duration> keys = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            keys.put("r" + i, Duration.ofSeconds(1));
        }
        s.apply(keys);
        assertEquals(
                keys.keySet(),
                new HashSet<>(started),
                "all 300 probed by apply itself, before any tick");
        assertEquals(300, started.size(), "each once");
        assertTrue(
                ticks.timers.size() > 1,
                "the regular turns still spread over slots: " + ticks.timers.size());
        for (ManualTicks.Timer t : ticks.timers.values()) {
            assertTrue(
                    !t.firstDelay().isZero(), "no slot's first turn repeats the burst at 0: " + t);
        }
        s.apply(Map.of("r1", Duration.ofSeconds(1)));
        assertEquals(300, started.size(), "a later apply bursts nothing");
    }

    @Test
    void theFirstBurstProbesNoMoreKeysThanItIsAllowed() {
        ProbeSchedule<String> s =
                new ProbeSchedule<>(
                        ticks,
                        key -> {
                            started.add(key);
                            return new CompletableFuture<>();
                        },
                        50);
        Map<String, Duration> keys = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            keys.put("r" + i, Duration.ofSeconds(1));
        }
        s.apply(keys);
        assertEquals(50, started.size(), "the burst is bounded");
        assertTrue(
                ticks.timers.values().stream().anyMatch(t -> t.firstDelay().isZero()),
                "the keys left out keep their slot's turn at 0");
        ticks.fireAll();
        assertEquals(200, new HashSet<>(started).size(), "the rest at their slots' turns");
    }

    @Test
    void withoutABurstTheFirstProbesWaitForTheirSlots() {
        schedule.apply(Map.of("a", Duration.ofSeconds(1), "b", Duration.ofSeconds(1)));
        assertEquals(List.of(), started);
    }

    @Test
    void theBurstIsTheSoftOpenFileLimitLessAReserve() {
        String limits =
                """
                Limit                     Soft Limit           Hard Limit           Units
                Max cpu time              unlimited            unlimited            seconds
                Max open files            1024                 524288               files
                Max locked memory         8388608              8388608              bytes
                """;
        assertEquals(1024 - ProbeSchedule.RESERVED_FDS, ProbeSchedule.firstBurst(limits));
        assertEquals(
                0,
                ProbeSchedule.firstBurst(limits.replace("1024   ", "100    ")),
                "below the reserve: no burst");
        assertEquals(
                Integer.MAX_VALUE,
                ProbeSchedule.firstBurst(limits.replace("1024   ", "unlimited")));
        assertEquals(0, ProbeSchedule.firstBurst("garbage"), "unreadable: no burst");
        assertTrue(ProbeSchedule.firstBurst() >= 0);
    }

    @Test
    void aProbeThatEndsBeforeItsNextTurnOwesNothing() {
        schedule.apply(Map.of("a", Duration.ofSeconds(1)));
        ticks.fireAll();
        running.get("a").complete(null);
        ticks.fireAll();
        running.get("a").complete(null);
        assertEquals(List.of("a", "a"), started);
        assertEquals(0, schedule.lateTurns());
    }

    @Test
    void aKeyRemovedWhileItsProbeRunsIsNotProbedAgainWhenItEnds() {
        schedule.apply(Map.of("a", Duration.ofSeconds(1), "b", Duration.ofSeconds(1)));
        ticks.fireAll();
        ticks.fireAll();
        schedule.apply(Map.of("b", Duration.ofSeconds(1)));
        running.get("a").complete(null);
        running.get("b").complete(null);
        assertEquals(
                List.of("a", "b", "b"),
                sorted(started),
                "b's owed turn ran, a's was dropped with a");
    }

    @Test
    void aKeyIsNeverProbedTwiceAtOnceAndNoOwedTurnIsLostWhenTurnsAndEndsRace() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        LinkedBlockingQueue<CompletableFuture<Void>> open = new LinkedBlockingQueue<>();
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger probes = new AtomicInteger();
        AtomicBoolean firing = new AtomicBoolean(true);
        ProbeSchedule<String> s =
                new ProbeSchedule<>(
                        ticks,
                        key -> {
                            most.accumulateAndGet(now.incrementAndGet(), Math::max);
                            probes.incrementAndGet();
                            CompletableFuture<Void> f = new CompletableFuture<>();
                            open.add(f);
                            return f;
                        });
        // ends a probe; an owed probe starts inside complete(), so once the queue is empty nothing
        // runs
        Runnable endOne =
                () -> {
                    CompletableFuture<Void> f = open.poll();
                    if (f != null) {
                        now.decrementAndGet();
                        f.complete(null);
                    }
                };
        try {
            s.apply(Map.of("a", Duration.ofSeconds(1)));
            Thread ender =
                    new Thread(
                            () -> {
                                while (firing.get()) {
                                    endOne.run();
                                }
                            });
            ender.start();
            List<Future<?>> turns = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                turns.add(
                        pool.submit(
                                () -> {
                                    for (int i = 0; i < 20_000; i++) {
                                        s.fire("a");
                                    }
                                }));
            }
            for (Future<?> f : turns) {
                f.get(30, TimeUnit.SECONDS);
            }
            firing.set(false);
            ender.join(TimeUnit.SECONDS.toMillis(30));
            while (!open.isEmpty()) {
                endOne.run();
            }
            assertEquals(1, most.get(), "at most one probe of the key at any time");
            assertEquals(0, now.get());
            int before = probes.get();
            assertTrue(
                    before <= 60_000 && before + s.lateTurns() >= 60_000,
                    "every turn started a probe or found one running: "
                            + before
                            + " probes, "
                            + s.lateTurns()
                            + " late turns");
            s.fire("a");
            assertEquals(
                    before + 1,
                    probes.get(),
                    "idle at the end: a turn starts a probe at once, nothing stranded");
        } finally {
            firing.set(false);
            pool.shutdownNow();
        }
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        Collections.sort(c);
        return c;
    }

    @Test
    void aProbeThatFailsToStartDoesNotBlockItsNextTurn() {
        List<String> calls = new ArrayList<>();
        ProbeSchedule<String> s =
                new ProbeSchedule<>(
                        ticks,
                        key -> {
                            calls.add(key);
                            throw new IllegalStateException("boom");
                        });
        s.apply(Map.of("a", Duration.ofSeconds(1)));
        ticks.fireAll();
        ticks.fireAll();
        assertEquals(List.of("a", "a"), calls);
    }

    /** The registered timer whose tick starts {@code key}, found by firing each one alone. */
    private ManualTicks.Timer timerOf(String key) {
        for (ManualTicks.Timer t : List.copyOf(ticks.timers.values())) {
            started.clear();
            t.task().run();
            running.values().forEach(f -> f.complete(null));
            if (started.contains(key)) {
                started.clear();
                return t;
            }
        }
        started.clear();
        return null;
    }

    @Test
    void applyTouchesOnlyWhatChanged() {
        schedule.apply(Map.of("a", Duration.ofSeconds(10), "b", Duration.ofSeconds(10)));
        ManualTicks.Timer a = timerOf("a");
        schedule.apply(
                Map.of(
                        "a",
                        Duration.ofSeconds(10),
                        "b",
                        Duration.ofSeconds(5),
                        "c",
                        Duration.ofSeconds(10)));
        assertTrue(a == timerOf("a"), "a's timer is untouched");
        assertEquals(Duration.ofSeconds(5), timerOf("b").interval(), "b re-timed");
        assertEquals(Duration.ofSeconds(10), timerOf("c").interval(), "c added");
        schedule.apply(Map.of("c", Duration.ofSeconds(10)));
        assertEquals(Set.of("c"), schedule.keys());
        assertEquals(1, ticks.timers.size());
        assertEquals(1, schedule.timers());
        assertEquals(Duration.ofSeconds(10), ticks.timers.values().iterator().next().interval());
    }

    /**
     * At start the first probes are spread over the interval; a real added by a reload is probed at
     * once.
     */
    @Test
    void aKeyAddedByALaterApplyIsProbedAtOnceTheFirstOnesWaitForTheirSlots() {
        schedule.apply(Map.of("a", Duration.ofSeconds(5), "b", Duration.ofSeconds(5)));
        assertEquals(List.of(), started, "start: nothing before the slots' turns");
        schedule.apply(
                Map.of(
                        "a",
                        Duration.ofSeconds(5),
                        "b",
                        Duration.ofSeconds(10),
                        "c",
                        Duration.ofSeconds(5)));
        assertEquals(
                List.of("c"), started, "the new key at once; b, only re-timed, waits for its slot");
        running.get("c").complete(null);
        ticks.fireAll();
        assertEquals(3, new HashSet<>(started).size());
    }

    @Test
    void keysOfOneSlotShareOneTimerSoAThousandRealsNeedAtMostOneTimerPerSlot() {
        Map<String, Duration> wanted = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            wanted.put("10.77.1." + i + ":80", Duration.ofSeconds(1));
        }
        schedule.apply(wanted);
        assertEquals(ProbeSchedule.slots(Duration.ofSeconds(1), 1000), schedule.timers());
        assertEquals(5, schedule.timers(), "1 s in slots of 200 ms");
        ticks.fireAll();
        assertEquals(1000, started.size(), "one turn of every timer probes every real once");
        assertEquals(1000, new HashSet<>(started).size());
        // the last key of a slot leaving stops its timer
        schedule.apply(Map.of());
        assertEquals(0, ticks.timers.size());
    }

    @Test
    void firstProbesAreSpreadAcrossTheInterval() {
        Duration interval = Duration.ofSeconds(10);
        int[] buckets = new int[10];
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            // as one of 5,000 keys: more than 50 slots' worth, so every slot of 200 ms is open
            Duration d = ProbeSchedule.stagger("10.77.1." + i + ":80", interval, 5000);
            assertTrue(!d.isNegative() && d.compareTo(interval) < 0, d.toString());
            buckets[(int) (d.toMillis() / 1000)]++;
            distinct.add(d.toMillis());
        }
        for (int b : buckets) {
            assertTrue(
                    b > 50 && b < 150,
                    "each second of the interval gets about a tenth: " + Arrays.toString(buckets));
        }
        assertEquals(50, distinct.size(), "10 s in 50 slots of 200 ms, every one in use");
        assertEquals(
                List.of(Duration.ZERO, Duration.ofMillis(200)),
                List.of(
                        ProbeSchedule.phase(0, 5, Duration.ofSeconds(1)),
                        ProbeSchedule.phase(1, 5, Duration.ofSeconds(1))));
    }

    /**
     * Each timer's turn costs a wake-up of the scheduler and of a worker whatever it starts, so a
     * few reals share one slot; slots are opened as keys are added, and the keys are spread again.
     */
    @Test
    void aFewKeysShareOneSlotAndMoreOpenSlotsAsKeysAreAdded() {
        Map<String, Duration> wanted = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            wanted.put("10.77.1." + i + ":80", Duration.ofSeconds(1));
        }
        schedule.apply(wanted);
        assertEquals(1, schedule.timers(), "ten reals checked every second: one wake-up a second");
        assertEquals(Duration.ZERO, ticks.timers.values().iterator().next().firstDelay());
        for (int i = 10; i < ProbeSchedule.PER_SLOT + 1; i++) {
            wanted.put("10.77.1." + i + ":80", Duration.ofSeconds(1));
        }
        schedule.apply(wanted);
        assertEquals(
                2,
                schedule.timers(),
                "one more than a slot holds: a second slot, half an interval later");
        assertEquals(
                Set.of(Duration.ZERO, Duration.ofMillis(500)),
                ticks.timers.values().stream()
                        .map(ManualTicks.Timer::firstDelay)
                        .collect(Collectors.toSet()));
        ticks.fireAll();
        assertEquals(
                ProbeSchedule.PER_SLOT + 1,
                new HashSet<>(started).size(),
                "every key is still probed, once a turn");
        wanted.keySet().removeIf(k -> !k.endsWith(".1:80") && !k.endsWith(".2:80"));
        schedule.apply(wanted);
        assertEquals(1, schedule.timers(), "back to one slot when keys go");
        assertEquals(2, schedule.keys().size());
    }

    @Test
    void quartzTicksRunAndStop() throws Exception {
        try (QuartzTicks quartz = new QuartzTicks(2)) {
            CountDownLatch three = new CountDownLatch(3);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            quartz.every(
                    "t",
                    Duration.ZERO,
                    Duration.ofMillis(20),
                    () -> {
                        threads.add(Thread.currentThread().getName());
                        three.countDown();
                    });
            assertTrue(three.await(30, TimeUnit.SECONDS), "three ticks arrive");
            assertTrue(
                    threads.stream().allMatch(n -> n.matches("ldirector-\\d+-worker-\\d+-\\d+")),
                    "ticks run on the parked pool: " + threads);
            quartz.cancel("t");
            CountDownLatch none = new CountDownLatch(1);
            quartz.every("u", Duration.ofHours(1), Duration.ofHours(1), none::countDown);
            assertEquals(1, none.getCount());
        }
    }
}
