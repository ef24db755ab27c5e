package org.ldirector.check.negotiate;

import java.io.StringWriter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything the JDBC drivers log at their most verbose level while open: pgjdbc logs through
 * java.util.logging, the MariaDB driver through SLF4J (here log4j2). Used to prove that a password
 * never reaches a log line, even with driver tracing turned on.
 */
final class DriverLogs implements AutoCloseable {
    private final StringBuilder jul = new StringBuilder();
    private final StringWriter log4j = new StringWriter();
    private final Logger pg = Logger.getLogger("org.postgresql");
    private final java.util.logging.Level pgLevel = pg.getLevel();
    private final Handler handler =
            new Handler() {
                private final SimpleFormatter f = new SimpleFormatter();

                @Override
                public void publish(LogRecord r) {
                    synchronized (jul) {
                        jul.append(f.format(r));
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
    private final WriterAppender appender;
    private final String loggerName;

    DriverLogs(String log4jLogger) {
        pg.setLevel(java.util.logging.Level.ALL);
        pg.addHandler(handler);
        loggerName = log4jLogger;
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        appender =
                WriterAppender.createAppender(
                        PatternLayout.newBuilder().withPattern("%p %c %m%n").build(),
                        null,
                        log4j,
                        "driver-logs",
                        false,
                        true);
        appender.start();
        Configurator.setLevel(log4jLogger, Level.ALL);
        LoggerConfig lc = config.getLoggerConfig(log4jLogger);
        lc.addAppender(appender, Level.ALL, null);
        ctx.updateLoggers();
    }

    String text() {
        synchronized (jul) {
            return jul + log4j.toString();
        }
    }

    @Override
    public void close() {
        pg.removeHandler(handler);
        pg.setLevel(pgLevel);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getLoggerConfig(loggerName).removeAppender("driver-logs");
        Configurator.setLevel(loggerName, Level.INFO);
        appender.stop();
        ctx.updateLoggers();
    }
}
