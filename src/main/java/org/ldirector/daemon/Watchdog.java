package org.ldirector.daemon;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Pings systemd's watchdog only while the daemon really works. Every half interval it sends
 * WATCHDOG=1 if the heartbeat it handed the engine's loop last time has run (so the loop is not
 * wedged in a pass or a kernel call) and the probes are alive; then it hands the loop a new one. A
 * wedged loop stops the pings and systemd restarts the service (Restart=on-failure).
 */
final class Watchdog implements AutoCloseable {
    private final Consumer<String> notify;
    private final Executor loop;
    private final BooleanSupplier probesAlive;
    private final AtomicLong handed = new AtomicLong();
    private final AtomicLong beaten = new AtomicLong();
    private final ScheduledFuture<?> timer;

    /**
     * @param timer runs the checks; not the loop, which is what is being watched
     * @param probesAlive whether the probe scheduler has fired recently enough
     */
    Watchdog(
            Duration interval,
            ScheduledExecutorService timer,
            Executor loop,
            BooleanSupplier probesAlive,
            Consumer<String> notify) {
        this.notify = notify;
        this.loop = loop;
        this.probesAlive = probesAlive;
        long half = Math.max(1, interval.toMillis() / 2);
        hand();
        this.timer = timer.scheduleAtFixedRate(this::tick, half, half, TimeUnit.MILLISECONDS);
    }

    void tick() {
        if (beaten.get() == handed.get() && probesAlive.getAsBoolean()) {
            notify.accept("WATCHDOG=1");
            hand();
        }
        // else: the last heartbeat still waits in the loop's queue; keep waiting, and stay silent
    }

    private void hand() {
        long n = handed.incrementAndGet();
        try {
            loop.execute(() -> beaten.set(n));
        } catch (RejectedExecutionException e) {
            // the loop is shut down: stopping, so no more pings
        }
    }

    @Override
    public void close() {
        timer.cancel(false);
    }
}
