package org.ldirector.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Optional;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.ldirector.config.LogTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log setup. The operator log keeps ldirectord's line format, so existing tail -f habits and
 * grep-based alerting keep working: {@code [Mon Nov 23 18:47:32 2026|ldirectord.cf|773] Added real
 * server: ...} (the middle field is the config file's name, the day of month space-padded).
 */
public final class Logging {
    /** The logger whose lines are the operator's event log. */
    public static final String EVENTS = "ldirector.events";

    private static final String[] NOISY = {
        "org.quartz", "org.apache.hc", "org.apache.commons", "org.postgresql", "org.mariadb"
    };

    private Logging() {}

    public static Logger events() {
        return LoggerFactory.getLogger(EVENTS);
    }

    /** Where the log goes when its file cannot be opened: syslog, with the facility of daemons. */
    static final String FALLBACK_FACILITY = "daemon";

    /**
     * @param target logfile= (a path, or a syslog facility)
     * @param console also (or only, when supervised) write to stdout
     * @param debug -d: debug lines too
     * @return why the log file could not be opened and where the log goes instead, in one line for
     *     the caller to show; empty when it opened
     */
    public static Optional<String> configure(
            String configName, LogTarget target, boolean console, boolean debug) {
        return configure(configName, target, console, debug, SyslogAppender.DEV_LOG);
    }

    /**
     * Throws what opening the log file for append would, without creating it where it could be
     * created: a new file is for log4j to make once its appender is in place, so that a file
     * appearing (after a rotation) means the log goes there.
     */
    private static void probe(Path file) throws IOException {
        if (Files.exists(file)) {
            Files.newByteChannel(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            // fails, with the system's reason (had it succeeded, the file is simply there early)
            Files.newByteChannel(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                    .close();
        }
    }

    /**
     * @param syslogSocket where syslog lines go ({@code /dev/log}; tests bind their own)
     */
    static Optional<String> configure(
            String configName,
            LogTarget target,
            boolean console,
            boolean debug,
            Path syslogSocket) {
        // The file is opened here first: log4j, when it cannot, prints pages of stack traces on
        // stderr and goes on logging nowhere. One line and syslog instead (ldirectord dies there).
        Optional<String> problem = Optional.empty();
        if (target.file().isPresent()) {
            try {
                probe(target.file().get());
            } catch (IOException e) {
                problem =
                        Optional.of(
                                "cannot open logfile "
                                        + target.file().get()
                                        + ": "
                                        + IoErrors.reason(e)
                                        + "; logging to syslog (facility "
                                        + FALLBACK_FACILITY
                                        + ")"
                                        + (console ? " and stdout" : ""));
            }
        }
        Optional<Path> logFile = problem.isEmpty() ? target.file() : Optional.empty();
        Optional<String> syslogFacility =
                problem.isEmpty() ? target.syslogFacility() : Optional.of(FALLBACK_FACILITY);
        LineLayout layout = LineLayout.ldirectord(configName, ProcessHandle.current().pid());
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        // Built in code, appenders and all, not through log4j's ConfigurationBuilder: its plugin
        // machinery loads hundreds of classes to build two appenders.
        Configuration config =
                new AbstractConfiguration(ctx, ConfigurationSource.NULL_SOURCE) {
                    @Override
                    protected void doConfigure() {
                        setName("ldirector");
                        LoggerConfig root = getRootLogger();
                        root.setLevel(debug ? Level.DEBUG : Level.INFO);
                        if (console) {
                            attachToRoot(
                                    this,
                                    ConsoleAppender.newBuilder()
                                            .setName("stdout")
                                            .setTarget(ConsoleAppender.Target.SYSTEM_OUT)
                                            .setLayout(layout)
                                            .setConfiguration(this)
                                            .build());
                        }
                        if (logFile.isPresent()) {
                            // append, never truncate: copytruncate rotation and tail -f both keep
                            // working
                            attachToRoot(
                                    this,
                                    FileAppender.newBuilder()
                                            .setName("file")
                                            .withFileName(logFile.get().toString())
                                            .withAppend(true)
                                            .setLayout(layout)
                                            .setConfiguration(this)
                                            .build());
                        }
                        // Library chatter (Quartz's start-up banner, httpclient, JDBC drivers)
                        // stays out of the operator log even with -d: it would bury ldirector's
                        // own lines.
                        for (String noisy : NOISY) {
                            LoggerConfig quiet = new LoggerConfig(noisy, Level.WARN, true);
                            quiet.setParent(root);
                            addLogger(noisy, quiet);
                        }
                        if (syslogFacility.isPresent()) {
                            attachToRoot(
                                    this,
                                    new SyslogAppender(
                                            syslogFacility.get(),
                                            syslogSocket,
                                            Clock.systemDefaultZone(),
                                            ProcessHandle.current().pid()));
                        }
                    }
                };
        // log4j hands a reconfigured file appender the old one's open file (its managers are shared
        // by name), so a renamed log would keep being written: close the old file first, so that
        // reconfiguring is a reopen (SIGHUP after logrotate renamed it, or a new logfile=).
        for (String name : new String[] {"file", "syslog"}) {
            Appender old = ctx.getConfiguration().getAppender(name);
            if (old != null) {
                old.stop();
            }
        }
        Configurator.reconfigure(config);
        return problem;
    }

    /** Starts {@code appender} and has {@code config}'s root logger write to it. */
    static void attachToRoot(Configuration config, Appender appender) {
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
    }
}
