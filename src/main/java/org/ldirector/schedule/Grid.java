package org.ldirector.schedule;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Timer coalescing, as the kernel's {@code round_jiffies}: the director's periodic housekeeping
 * (the table repair pass, the config file poll) is due on whole seconds of the clock, so tasks
 * with the same period wake the loop thread once between them instead of once each. Measured in
 * User-Mode Linux (10 connect reals, {@code test-fixtures/bench/diag-threads.sh}): the loop
 * thread's futex calls, its wake-ups, fell from 128 to 66 in 30 s.
 */
public final class Grid {
    /** The spacing of the grid lines, in milliseconds. */
    public static final long STEP_MILLIS = 1000;

    private Grid() {
    }

    /**
     * The delay from {@code nowMillis} to the last grid line at or before {@code nowMillis +
     * delayMillis}: never longer than asked (a task promised within an interval stays within it),
     * at most one step shorter, and never zero for a delay of a step or more, so a task that
     * reschedules itself fires once per grid line at most. Delays shorter than a step are kept.
     */
    public static long align(long nowMillis, long delayMillis) {
        if (delayMillis < STEP_MILLIS) {
            return delayMillis;
        }
        long due = nowMillis + delayMillis;
        return due - Math.floorMod(due, STEP_MILLIS) - nowMillis;
    }

    /**
     * The delay from {@code nowMillis} to the first grid line at or after {@code nowMillis +
     * delayMillis}: for a rest that must last at least as long as asked.
     */
    public static long alignAfter(long nowMillis, long delayMillis) {
        long due = nowMillis + delayMillis;
        long past = Math.floorMod(due, STEP_MILLIS);
        return past == 0 ? delayMillis : due - past + STEP_MILLIS - nowMillis;
    }

    /**
     * Runs {@code task} on {@code executor} about every {@code periodMillis}, each run due on a grid
     * line ({@link #align}), until the executor shuts down. A run that throws does not end the
     * repetition, unlike {@code scheduleWithFixedDelay}: the next run may find things put right.
     */
    public static void repeat(ScheduledExecutorService executor, LongSupplier nowMillis, long periodMillis, Runnable task) {
        try {
            executor.schedule(() -> {
                try {
                    task.run();
                } finally {
                    repeat(executor, nowMillis, periodMillis, task);
                }
            }, align(nowMillis.getAsLong(), periodMillis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the executor is shut down: the repetition ends with it
        }
    }
}
