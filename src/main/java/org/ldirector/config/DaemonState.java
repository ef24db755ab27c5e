package org.ldirector.config;

import java.util.Locale;

/**
 * The daemon states {@code emailalertstatus=} selects (ldirectord: starting, running, stopping,
 * reloading).
 */
public enum DaemonState {
    STARTING,
    RUNNING,
    STOPPING,
    RELOADING;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
