package org.ldirector.schedule;

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
}
