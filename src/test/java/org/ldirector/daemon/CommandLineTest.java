package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    static CommandLine parse(String... args) throws CommandLine.UsageException {
        return CommandLine.parse(List.of(args));
    }

    @Test
    void verbAloneUsesTheDefaultConfig() throws Exception {
        CommandLine c = parse("start");
        assertEquals("ldirectord.cf", c.config());
        assertEquals(Optional.of("start"), c.verb());
        assertFalse(c.debug());
    }

    @Test
    void configAndVerbWithOptions() throws Exception {
        CommandLine c = parse("-d", "web.cf", "reload");
        assertTrue(c.debug());
        assertEquals("web.cf", c.config());
        assertEquals(Optional.of("reload"), c.verb());
        assertTrue(parse("--debug", "--", "-odd-name.cf", "status").debug());
        assertEquals("-odd-name.cf", parse("--", "-odd-name.cf", "status").config());
    }

    @Test
    void testModeTakesAnOptionalConfigAndNoVerb() throws Exception {
        CommandLine t = parse("-t");
        assertTrue(t.test());
        assertEquals("ldirectord.cf", t.config());
        assertEquals(Optional.empty(), t.verb());
        assertEquals("/tmp/x.cf", parse("--test", "/tmp/x.cf").config());
        CommandLine bundled = parse("-dt", "x.cf");
        assertTrue(bundled.debug() && bundled.test());
    }

    @Test
    void everyVerbOfLdirectord() throws Exception {
        for (String v :
                List.of(
                        "start",
                        "stop",
                        "restart",
                        "try-restart",
                        "reload",
                        "force-reload",
                        "status")) {
            assertEquals(Optional.of(v), parse("x.cf", v).verb());
        }
    }

    @Test
    void usageErrorsSayWhatWasWrong() {
        assertEquals(
                "unknown command 'begin'; expected one of start, stop, restart, try-restart,"
                        + " reload, force-reload, status, sync",
                assertThrows(CommandLine.UsageException.class, () -> parse("begin")).getMessage());
        assertEquals(
                "unknown option -x",
                assertThrows(CommandLine.UsageException.class, () -> parse("-x", "start"))
                        .getMessage());
        assertTrue(
                assertThrows(CommandLine.UsageException.class, CommandLineTest::parse)
                        .getMessage()
                        .startsWith("no command"));
        assertTrue(
                assertThrows(CommandLine.UsageException.class, () -> parse("a", "b", "c"))
                        .getMessage()
                        .startsWith("too many"));
    }

    @Test
    void helpAndVersionNeedNothingElse() throws Exception {
        assertTrue(parse("-h").help());
        assertTrue(parse("--version").version());
    }

    @Test
    void configLookupAsLdirectord() throws Exception {
        CommandLine c = parse("web.cf", "start");
        assertEquals(
                Path.of("/etc/ha.d/web.cf"),
                c.resolveConfig(
                        Set.of(
                                        Path.of("/etc/ha.d/web.cf"),
                                        Path.of("/etc/ha.d/conf/web.cf"),
                                        Path.of("web.cf"))
                                ::contains));
        assertEquals(
                Path.of("/etc/ha.d/conf/web.cf"),
                c.resolveConfig(
                        Set.of(Path.of("/etc/ha.d/conf/web.cf"), Path.of("web.cf"))::contains));
        assertEquals(Path.of("web.cf"), c.resolveConfig(Set.of(Path.of("web.cf"))::contains));
        assertEquals(
                Path.of("web.cf"),
                c.resolveConfig(p -> false),
                "as given: the caller says why it is unusable");
        assertEquals(
                Path.of("/etc/ha.d/ldirectord.cf"),
                parse("status")
                        .resolveConfig(Set.of(Path.of("/etc/ha.d/ldirectord.cf"))::contains));
    }

    /** Issue 24: "-t ./ldirectord.cf" tested /etc/ha.d/./ldirectord.cf and said successful. */
    @Test
    void aNameWithASlashIsAPathUsedAsGivenNeverLookedUpInEtcHaD() throws Exception {
        Set<Path> everywhere =
                Set.of(
                        Path.of("/etc/ha.d/./ldirectord.cf"),
                        Path.of("/etc/ha.d/ldirectord.cf"),
                        Path.of("/etc/ha.d/conf/./ldirectord.cf"),
                        Path.of("/etc/ha.d/conf/sub/x.cf"),
                        Path.of("/etc/ha.d/sub/x.cf"));
        assertEquals(
                Path.of("./ldirectord.cf"),
                parse("-t", "./ldirectord.cf").resolveConfig(everywhere::contains));
        assertEquals(
                Path.of("sub/x.cf"),
                parse("sub/x.cf", "status").resolveConfig(everywhere::contains));
        assertEquals(
                Path.of("/srv/x.cf"),
                parse("/srv/x.cf", "status").resolveConfig(everywhere::contains));
    }

    /**
     * Issue 24: the usage promised an optional verb; a config alone said only "unknown command".
     */
    @Test
    void theCommandIsRequiredAsInLdirectordAndAMissingOneIsNamed() {
        assertEquals(
                "no command after the config file '/etc/ha.d/x.cf': ldirector /etc/ha.d/x.cf start,"
                    + " or one of start, stop, restart, try-restart, reload, force-reload, status,"
                    + " sync",
                assertThrows(
                                CommandLine.UsageException.class,
                                () -> parse("--foreground", "/etc/ha.d/x.cf"))
                        .getMessage());
        assertTrue(
                assertThrows(CommandLine.UsageException.class, () -> parse("web.cf"))
                        .getMessage()
                        .startsWith("no command after the config file 'web.cf'"));
        assertEquals(
                "the config file goes before the command: ldirector web.cf start",
                assertThrows(CommandLine.UsageException.class, () -> parse("start", "web.cf"))
                        .getMessage());
        assertTrue(
                CommandLine.USAGE.startsWith(
                        "Usage: ldirector [-d|--debug] [--foreground] [--] [configfile]"
                                + " start|stop|"),
                "the usage line shows the command as required");
        assertTrue(CommandLine.USAGE.contains("ldirector -t|--test [-d] [--] [configfile]\n"));
    }

    /** Issue 24: "-t CONF stop" tested the config and silently dropped the stop. */
    @Test
    void testModeRefusesACommandInsteadOfDroppingIt() {
        assertEquals(
                "-t tests the configuration and runs no command: drop 'stop'",
                assertThrows(CommandLine.UsageException.class, () -> parse("-t", "x.cf", "stop"))
                        .getMessage());
        assertEquals(
                "-t tests the configuration and runs no command: drop 'start'",
                assertThrows(CommandLine.UsageException.class, () -> parse("-t", "start"))
                        .getMessage());
        assertEquals(
                "-t tests the configuration and runs no command: drop 'sync'",
                assertThrows(CommandLine.UsageException.class, () -> parse("-t", "sync", "master"))
                        .getMessage());
        assertTrue(
                assertThrows(CommandLine.UsageException.class, () -> parse("-t", "a.cf", "b.cf"))
                        .getMessage()
                        .startsWith("-t takes one config file"));
    }

    @Test
    void foregroundAndJsonMayComeAnywhereAndTheDaemonChildIsForeground() throws Exception {
        CommandLine c = CommandLine.parse(List.of("web.cf", "status", "--json"));
        Assertions.assertTrue(c.json());
        Assertions.assertEquals("web.cf", c.config());
        CommandLine f = CommandLine.parse(List.of("--foreground", "web.cf", "start"));
        Assertions.assertTrue(f.foreground() && !f.debug() && !f.daemonChild());
        CommandLine child =
                CommandLine.parse(List.of(CommandLine.DAEMON_CHILD, "/etc/ha.d/web.cf", "start"));
        Assertions.assertTrue(child.foreground() && child.daemonChild());
    }

    @Test
    void statusJsonQuotesWhatJsonRequires() {
        Assertions.assertEquals(
                "\"a\\\"b\\\\c\\nd\\u0001\"", StatusFormat.quote("a\"b\\c\nd\u0001"));
    }

    @Test
    void syncTakesARoleWithOrWithoutAConfig() throws Exception {
        CommandLine c = parse("web.cf", "sync", "master");
        assertEquals("web.cf", c.config());
        assertEquals(Optional.of("sync"), c.verb());
        assertEquals(Optional.of("master"), c.syncRole());
        assertEquals(Optional.of("backup"), parse("sync", "backup").syncRole());
        assertEquals("ldirectord.cf", parse("sync", "status").config());
        assertEquals(
                "sync needs a role: sync master, backup, none or status",
                assertThrows(CommandLine.UsageException.class, () -> parse("web.cf", "sync"))
                        .getMessage());
        assertEquals(
                "sync 'primary': expected sync master, backup, none or status",
                assertThrows(CommandLine.UsageException.class, () -> parse("sync", "primary"))
                        .getMessage());
        assertEquals(Optional.empty(), parse("web.cf", "start").syncRole());
    }
}
