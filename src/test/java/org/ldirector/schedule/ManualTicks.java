package org.ldirector.schedule;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link Ticks} fired by hand, so tests of timing logic never sleep. */
public final class ManualTicks implements Ticks {
    /** One registered timer. */
    public record Timer(Duration firstDelay, Duration interval, Runnable task) {}

    public final Map<String, Timer> timers = new LinkedHashMap<>();
    public int everyCalls;

    @Override
    public synchronized void every(
            String id, Duration firstDelay, Duration interval, Runnable task) {
        everyCalls++;
        timers.put(id, new Timer(firstDelay, interval, task));
    }

    @Override
    public synchronized void cancel(String id) {
        timers.remove(id);
    }

    @Override
    public synchronized void close() {
        timers.clear();
    }

    /** Runs every timer's task once, in registration order. */
    public void fireAll() {
        List<Timer> now;
        synchronized (this) {
            now = List.copyOf(timers.values());
        }
        now.forEach(t -> t.task().run());
    }
}
