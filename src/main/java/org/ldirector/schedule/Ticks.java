package org.ldirector.schedule;

import java.time.Duration;

/**
 * Repeating timers, the one thing the probe schedule needs from a scheduler. Quartz implements it
 * in production ({@link QuartzTicks}); tests fire ticks by hand.
 */
public interface Ticks extends AutoCloseable {
    /**
     * Runs {@code task} after {@code firstDelay} and then every {@code interval}. A tick that could
     * not run on time is dropped, never queued: after a stall the task runs once, not once per
     * missed tick. Replaces any timer of the same id.
     */
    void every(String id, Duration firstDelay, Duration interval, Runnable task);

    /** Stops the timer of that id, if any. */
    void cancel(String id);

    @Override
    void close();
}
