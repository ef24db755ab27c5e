package org.ldirector.schedule;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timer coalescing, as the kernel's {@code round_jiffies}: the director's periodic housekeeping
 * (the table repair pass, the config file poll) is due on whole seconds of the clock, so tasks with
 * the same period wake the loop thread once between them instead of once each: an idle director's
 * wake-ups are its cost.
 */
public final class Grid {
    private static final Logger LOG = LoggerFactory.getLogger(Grid.class);

    /** The spacing of the grid lines, in milliseconds. */
    public static final long STEP_MILLIS = 1000;

    private Grid() {}

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
     * Runs {@code task} on {@code executor} about every {@code periodMillis}, each run due on a
     * grid line ({@link #align}), until {@link Repetition#cancel} or the executor shuts down. A run
     * that throws is logged and does not end the repetition, unlike {@code scheduleWithFixedDelay},
     * which stops for good without a word: the next run may find things put right.
     *
     * @param name what the task is, for the log
     */
    public static Repetition repeat(
            ScheduledExecutorService executor,
            LongSupplier nowMillis,
            long periodMillis,
            String name,
            Runnable task) {
        Repetition r = new Repetition(executor, nowMillis, periodMillis, name, task);
        r.next();
        return r;
    }

    /** A running {@link #repeat}. */
    public static final class Repetition {
        private final ScheduledExecutorService executor;
        private final LongSupplier nowMillis;
        private final long periodMillis;
        private final String name;
        private final Runnable task;
        private volatile ScheduledFuture<?> pending;
        private volatile boolean cancelled;

        private Repetition(
                ScheduledExecutorService executor,
                LongSupplier nowMillis,
                long periodMillis,
                String name,
                Runnable task) {
            this.executor = executor;
            this.nowMillis = nowMillis;
            this.periodMillis = periodMillis;
            this.name = name;
            this.task = task;
        }

        private void next() {
            if (cancelled) {
                return;
            }
            try {
                pending =
                        executor.schedule(
                                this::runOnce,
                                align(nowMillis.getAsLong(), periodMillis),
                                TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the executor is shut down: the repetition ends with it
            }
        }

        private void runOnce() {
            if (cancelled) {
                return; // cancelled while this run was queued
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed; it runs again in {} ms", name, periodMillis, e);
            } finally {
                next();
            }
        }

        /** No run starts after this returns; one under way finishes. */
        public void cancel() {
            cancelled = true;
            ScheduledFuture<?> p = pending;
            if (p != null) {
                p.cancel(false);
            }
        }
    }
}
