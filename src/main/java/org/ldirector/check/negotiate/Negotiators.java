package org.ldirector.check.negotiate;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.ldirector.check.Checker;
import org.ldirector.config.ServiceType;

/**
 * The negotiate dialogues other than HTTP(S): one small class per service in this package.
 */
public final class Negotiators {
    private Negotiators() {
    }

    /**
     * The checker for a service's negotiate dialogue, or empty when this package has none
     * (http, https and http_proxy live in the http package).
     *
     * @param blockingIo where dialogues that use blocking sockets run (never a scheduler thread)
     * @param timer      for enforcing total deadlines
     */
    public static Optional<Checker> forService(ServiceType type, ExecutorService blockingIo, ScheduledExecutorService timer) {
        return Optional.empty();
    }
}
