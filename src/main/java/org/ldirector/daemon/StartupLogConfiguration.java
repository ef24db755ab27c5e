package org.ldirector.daemon;

import java.net.URI;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;

/**
 * log4j2's configuration from the JVM's start until {@link Logging#configure} sets up the daemon's
 * log: library warnings on stderr, nothing else (it also keeps log4j from printing its "no
 * configuration found" notice). Built in code and named in log4j2.component.properties, so log4j
 * neither looks for nor parses an XML file at start: a few hundred classes (the JDK's XML parser)
 * fewer to load for every start and every verb that logs.
 */
public final class StartupLogConfiguration extends ConfigurationFactory {
    @Override
    protected String[] getSupportedTypes() {
        return new String[] {"*"};
    }

    @Override
    public Configuration getConfiguration(LoggerContext ctx, ConfigurationSource source) {
        return build(ctx);
    }

    @Override
    public Configuration getConfiguration(LoggerContext ctx, String name, URI location) {
        return build(ctx);
    }

    static Configuration build(LoggerContext ctx) {
        return new AbstractConfiguration(ctx, ConfigurationSource.NULL_SOURCE) {
            @Override
            protected void doConfigure() {
                getRootLogger().setLevel(Level.WARN);
                Logging.attachToRoot(
                        this,
                        ConsoleAppender.newBuilder()
                                .setName("stderr")
                                .setTarget(ConsoleAppender.Target.SYSTEM_ERR)
                                .setLayout(LineLayout.startup())
                                .setConfiguration(this)
                                .build());
            }
        };
    }
}
