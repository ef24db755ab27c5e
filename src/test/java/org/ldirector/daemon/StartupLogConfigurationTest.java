package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh JVM on the project's classpath, as at every start and verb: log4j takes its start-up
 * configuration from {@link StartupLogConfiguration} (named in log4j2.component.properties), not
 * from an XML file: warnings on stderr in the same layout as before, info dropped, and the JDK's
 * XML parser never loaded.
 */
class StartupLogConfigurationTest {
    /** The child: one info line and one warning before the daemon configures anything. */
    public static void main(String[] args) {
        Logger log = LoggerFactory.getLogger("org.example.Lib");
        log.info("not shown");
        log.warn("careful");
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        System.out.println(
                ctx.getConfiguration()
                        .getClass()
                        .getName()
                        .startsWith(StartupLogConfiguration.class.getName()));
    }

    @Test
    void aFreshJvmLogsWarningsToStderrWithoutParsingXml() throws Exception {
        Process p =
                new ProcessBuilder(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-Xmx64m",
                                "-Xlog:class+load=info:stdout",
                                "-cp",
                                System.getProperty("java.class.path"),
                                StartupLogConfigurationTest.class.getName())
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        // the layout the XML start-up file had: %d{ISO8601} %-5level %logger{1}: %msg%n
        assertTrue(
                lines.get(0)
                        .matches(
                                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d{3} WARN  Lib:"
                                        + " careful"),
                err);
        // the child's answer among the class loading lines (the JVM's exit loads a few more after
        // it)
        assertTrue(
                out.lines().anyMatch("true"::equals) && out.lines().noneMatch("false"::equals),
                "log4j's configuration is ours");
        assertTrue(
                !out.contains("javax.xml.parsers.DocumentBuilderFactory "),
                "the XML parser was loaded");
    }
}
