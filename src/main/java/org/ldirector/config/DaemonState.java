package org.ldirector.config;

/** The daemon states {@code emailalertstatus=} selects (ldirectord: starting, running, stopping, reloading). */
public enum DaemonState {
    STARTING, RUNNING, STOPPING, RELOADING;

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
