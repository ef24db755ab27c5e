package org.ldirector.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Config;
import org.ldirector.config.DaemonState;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.health.HealthEvent;
import org.ldirector.reconcile.Reconciler;
import org.slf4j.LoggerFactory;

/**
 * What the running director tells the parts that only watch it: monitor files, email alerts,
 * metrics. They see events, never the engine's state, so none of them can disturb the loop.
 *
 * <p>Every method must return quickly and must not throw: probe events arrive on the probe threads,
 * the others on the loop thread. Slow work (SMTP, file I/O) belongs on the listener's own executor.
 */
public interface EngineListener {
    /** Listens to nothing. */
    EngineListener NONE = new EngineListener() {};

    /**
     * A config is in force: at start and after every successful reload, before the pass that
     * applies it. Series, files and timers kept per virtual or real follow it.
     */
    default void configured(Config config) {}

    /**
     * A probe finished; called once for each virtual that uses the real (as ldirectord logs it).
     */
    default void probed(VirtualConfig virtual, Real real, CheckResult result, Instant at) {}

    /** The real's health moved (soft failures and resets included), for each virtual using it. */
    default void healthChanged(VirtualConfig virtual, Real real, HealthEvent event) {}

    /**
     * One kernel operation was applied (or failed). {@code virtual} is the configured virtual the
     * operation belongs to, empty for an entry ldirector adopted but no longer has a config for.
     */
    default void applied(Optional<VirtualConfig> virtual, Reconciler.Step step, boolean ok) {}

    /** The daemon entered a state ({@code emailalertstatus=} filters on these). */
    default void daemonState(DaemonState state) {}

    /**
     * A reload (SIGHUP, verb or autoreload) ended; {@code ok} false when the running config was
     * kept.
     */
    default void reloaded(boolean ok) {}

    /** All of them, in order; one that throws does not keep the others from hearing the event. */
    static EngineListener all(List<EngineListener> listeners) {
        List<EngineListener> copy = List.copyOf(listeners);
        return new EngineListener() {
            @Override
            public void configured(Config config) {
                each(l -> l.configured(config));
            }

            @Override
            public void probed(VirtualConfig virtual, Real real, CheckResult result, Instant at) {
                each(l -> l.probed(virtual, real, result, at));
            }

            @Override
            public void healthChanged(VirtualConfig virtual, Real real, HealthEvent event) {
                each(l -> l.healthChanged(virtual, real, event));
            }

            @Override
            public void applied(Optional<VirtualConfig> virtual, Reconciler.Step step, boolean ok) {
                each(l -> l.applied(virtual, step, ok));
            }

            @Override
            public void daemonState(DaemonState state) {
                each(l -> l.daemonState(state));
            }

            @Override
            public void reloaded(boolean ok) {
                each(l -> l.reloaded(ok));
            }

            private void each(Consumer<EngineListener> call) {
                for (EngineListener l : copy) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(EngineListener.class)
                                .error("listener {} failed", l.getClass().getName(), e);
                    }
                }
            }
        };
    }
}
