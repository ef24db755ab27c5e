package org.ldirector.config;

import java.util.Optional;
import java.util.Set;

/**
 * Email alerting for a virtual (or the global defaults): {@code emailalert}, {@code
 * emailalertfrom}, {@code emailalertfreq}, {@code emailalertstatus}, {@code smtp}. No address means
 * no alerts.
 */
public record EmailAlert(
        Optional<String> to,
        Optional<String> from,
        int frequencySeconds,
        Set<DaemonState> states,
        Optional<String> smtp) {}
