package org.ldirector.daemon;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.ldirector.config.Config;
import org.ldirector.config.DaemonState;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.engine.EngineListener;
import org.ldirector.health.HealthEvent;
import org.ldirector.net.RealId;

/**
 * Tells systemd what the daemon is doing: READY=1 once the first reconcile is done (the engine's
 * start returns only then), RELOADING=1 and READY=1 around a reload, STOPPING=1, and a one-line
 * STATUS= that {@code systemctl status} shows ("2 virtual services, 3/4 real servers up").
 */
final class SystemdState implements EngineListener {
    private final Consumer<String> notify;
    private final Set<RealId> up = new HashSet<>();
    private Set<RealId> configured = Set.of();
    private int virtuals;
    private String lastStatus = "";

    /**
     * @param notify sends one sd_notify message; must not throw
     */
    SystemdState(Consumer<String> notify) {
        this.notify = notify;
    }

    @Override
    public synchronized void configured(Config config) {
        Set<RealId> reals = new HashSet<>();
        for (VirtualConfig v : config.virtuals()) {
            for (Real r : v.reals()) {
                reals.add(v.id(r));
            }
        }
        configured = reals;
        virtuals = config.virtuals().size();
        up.retainAll(reals);
    }

    @Override
    public void healthChanged(VirtualConfig virtual, Real real, HealthEvent event) {
        String status;
        synchronized (this) {
            if (event.kind() == HealthEvent.Kind.WENT_UP) {
                up.add(virtual.id(real));
            } else if (event.kind() == HealthEvent.Kind.WENT_DOWN) {
                up.remove(virtual.id(real));
            } else {
                return;
            }
            status = status();
            if (status.equals(lastStatus)) {
                return;
            }
            lastStatus = status;
        }
        notify.accept("STATUS=" + status);
    }

    @Override
    public void daemonState(DaemonState state) {
        String status;
        synchronized (this) {
            status = status();
            lastStatus = status;
        }
        switch (state) {
            case RUNNING -> notify.accept("READY=1\nSTATUS=" + status);
            case RELOADING ->
                    notify.accept(
                            "RELOADING=1\nMONOTONIC_USEC="
                                    + System.nanoTime() / 1000
                                    + "\nSTATUS=Reloading the configuration");
            case STOPPING -> notify.accept("STOPPING=1\nSTATUS=Stopping");
            default -> {}
        }
    }

    synchronized String status() {
        return virtuals
                + (virtuals == 1 ? " virtual service, " : " virtual services, ")
                + up.size()
                + "/"
                + configured.size()
                + " real servers up";
    }
}
