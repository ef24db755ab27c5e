package org.ldirector.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GridTest {
    @Test
    void aDelayEndsOnTheLastWholeSecondBeforeItsDeadline() {
        assertEquals(1000, Grid.align(5_000, 1000), "on a grid line: a whole step");
        assertEquals(999, Grid.align(5_001, 1000));
        assertEquals(1, Grid.align(5_999, 1000), "late: the next grid line, not a step later");
        assertEquals(7_800, Grid.align(1_001_200, 8000), "longer delays end on a grid line too");
    }

    @Test
    void tasksOfOnePeriodScheduledWithinTheSameSecondFireAtTheSameInstant() {
        for (long a = 10_000; a < 11_000; a += 37) {
            for (long b = 10_000; b < 11_000; b += 53) {
                assertEquals(11_000, a + Grid.align(a, 1000), "scheduled at " + a);
                assertEquals(
                        a + Grid.align(a, 1000),
                        b + Grid.align(b, 1000),
                        "scheduled at " + a + " and " + b);
            }
        }
    }

    @Test
    void aSelfReschedulingTaskFiresOncePerGridLineAtMost() {
        long now = 123_456;
        for (int i = 0; i < 100; i++) {
            long d = Grid.align(now, 1000);
            assertTrue(d > 0 && d <= 1000, "delay " + d + " at " + now);
            long fired = now + d;
            assertEquals(0, fired % 1000);
            now = fired + (i % 7) * 50; // the task takes a while
        }
    }

    @Test
    void shortDelaysAndNegativeClocksAreHandled() {
        assertEquals(250, Grid.align(5_123, 250), "below a step: unchanged");
        assertEquals(0, Grid.align(5_123, 0));
        assertEquals(
                1000, Grid.align(-3_000, 1000), "a clock before 1970 still lands on a grid line");
        assertEquals(500, Grid.align(-2_500, 1000));
    }

    @Test
    void aRestThatMustLastEndsOnTheFirstWholeSecondAfterIt() {
        assertEquals(8_000, Grid.alignAfter(1_001_000, 8000), "already on a grid line");
        assertEquals(8_800, Grid.alignAfter(1_001_200, 8000), "never shorter than asked");
        assertEquals(1, Grid.alignAfter(999, 0));
        assertEquals(500, Grid.alignAfter(-2_500, 100), "a clock before 1970 too");
    }

    @Test
    void repeatRunsOnGridLinesSurvivesAThrowingRunAndEndsWithItsExecutor() throws Exception {
        AtomicLong now = new AtomicLong(40_321);
        List<Long> dueAt = new CopyOnWriteArrayList<>();
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(1) {
                    @Override
                    public ScheduledFuture<?> schedule(Runnable r, long delay, TimeUnit unit) {
                        // a fake clock: the run happens at once, at the time it was due
                        long due = now.get() + unit.toMillis(delay);
                        dueAt.add(due);
                        return super.schedule(
                                () -> {
                                    now.set(due);
                                    r.run();
                                },
                                0,
                                unit);
                    }
                };
        CountDownLatch five = new CountDownLatch(5);
        AtomicInteger runs = new AtomicInteger();
        Grid.repeat(
                executor,
                now::get,
                10_000,
                "a test task",
                () -> {
                    five.countDown();
                    if (runs.incrementAndGet() == 2) {
                        throw new IllegalStateException("a failed run");
                    }
                });
        assertTrue(five.await(30, TimeUnit.SECONDS), "runs go on after one threw");
        executor.shutdown();
        assertTrue(
                executor.awaitTermination(30, TimeUnit.SECONDS),
                "the repetition ends with the executor");
        assertEquals(
                50_000,
                dueAt.get(0),
                "the first run on the last grid line within a period of 40,321");
        for (int i = 0; i < dueAt.size(); i++) {
            assertEquals(0, dueAt.get(i) % Grid.STEP_MILLIS, "due on whole seconds: " + dueAt);
            if (i > 0) {
                assertEquals(10_000, dueAt.get(i) - dueAt.get(i - 1), "one period apart: " + dueAt);
            }
        }
    }

    @Test
    void aCancelledRepetitionStartsNoFurtherRun() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch three = new CountDownLatch(3);
            // a period below a step is kept as it is (align): 1 ms runs, fast
            Grid.Repetition r =
                    Grid.repeat(
                            executor,
                            System::currentTimeMillis,
                            1,
                            "a test task",
                            () -> {
                                runs.incrementAndGet();
                                three.countDown();
                            });
            assertTrue(three.await(30, TimeUnit.SECONDS));
            r.cancel();
            // a run under way when cancel came finishes on the executor's one thread: after this,
            // none is
            executor.submit(() -> {}).get(30, TimeUnit.SECONDS);
            int after = runs.get();
            // an empty task queued behind what the executor holds now: had a run been pending, it
            // was due in 1 ms
            Thread.sleep(50);
            executor.submit(() -> {}).get(30, TimeUnit.SECONDS);
            assertEquals(after, runs.get(), "no run after cancel");
        } finally {
            executor.shutdownNow();
        }
    }
}
