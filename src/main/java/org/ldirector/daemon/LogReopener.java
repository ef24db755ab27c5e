package org.ldirector.daemon;

import org.ldirector.config.Config;
import org.ldirector.engine.EngineListener;

/**
 * Re-opens the log with every config that comes into force: after a SIGHUP (so logrotate's
 * postrotate can signal ldirector, as it does ldirectord) and after an edit that changes {@code
 * logfile=}. Between rotations, appending with O_APPEND keeps copytruncate safe as well.
 */
final class LogReopener implements EngineListener {
    private final String configName;
    private final boolean console;
    private final boolean debug;

    LogReopener(String configName, boolean console, boolean debug) {
        this.configName = configName;
        this.console = console;
        this.debug = debug;
    }

    @Override
    public void configured(Config config) {
        Logging.configure(configName, config.global().logTarget(), console, debug)
                .ifPresent(Logging.events()::info);
    }
}
