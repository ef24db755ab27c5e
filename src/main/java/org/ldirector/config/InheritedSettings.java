package org.ldirector.config;

import java.util.Set;

/**
 * The settings both the global section and a virtual block may give, as read: null where the scope
 * did not give one. A virtual's effective value is its own, else the global one, else the
 * directive's default in {@link Directives}; {@link ConfigAssembly} resolves them.
 */
final class InheritedSettings {
    /**
     * Whether these are the global section's (a few values are read slightly differently there).
     */
    final boolean global;

    Integer checkTimeout;
    Integer negotiateTimeout;
    Integer checkInterval;
    int checkIntervalLine;
    Integer checkCount;
    Integer failureCount;
    Integer successCount;
    String fallbackCommand;
    int fallbackCommandLine;
    Boolean quiescent;
    Boolean cleanstop;
    String emailAlert;
    Integer emailAlertFreq;
    Set<DaemonState> emailAlertStatus;
    String smtp;

    InheritedSettings(boolean global) {
        this.global = global;
    }
}
