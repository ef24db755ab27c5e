package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.CheckType;
import org.ldirector.uml.UmlHarness;

/**
 * Inside UML only (see {@link PingUmlTest}): 10.77.99.9 exists only in this guest, behind a dummy
 * interface.
 */
@Tag("in-uml")
class PingInUmlTest {
    private static CheckContext ctx;
    private static Checkers checkers;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(
                UmlHarness.insideUml(),
                "pings a non-loopback address: only inside User-Mode Linux");
        ctx = CheckContext.create();
        checkers = Kinds.checkers(ctx);
    }

    @AfterAll
    static void stop() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @Test
    void socketKindIsTheExpectedOne() throws Exception {
        String expected = Files.readString(Path.of("/tmp/expect-ping-kind")).strip();
        assertEquals(expected, ctx.pinger().socketKind(Targets.address("127.0.0.1")));
    }

    @Test
    void loopbackAnswersOnBothFamilies() throws Exception {
        assertTrue(
                checkers.check(Targets.of(CheckType.PING, 0).target())
                        .get(30, TimeUnit.SECONDS)
                        .up());
        CheckResult v6 =
                checkers.check(
                                Targets.of(CheckType.PING, 0)
                                        .real(Targets.address("::1"), 0, 0)
                                        .target())
                        .get(30, TimeUnit.SECONDS);
        assertTrue(v6.up(), v6.reason());
    }

    @Test
    void silentHostIsDownAfterCheckcountAttemptsOfChecktimeout() throws Exception {
        CheckResult r =
                checkers.check(
                                Targets.of(CheckType.PING, 0)
                                        .real(Targets.address("10.77.99.9"), 0, 0)
                                        .timeouts(Duration.ofMillis(1500), Duration.ofSeconds(5))
                                        .checkCount(2)
                                        .target())
                        .get(60, TimeUnit.SECONDS);
        assertFalse(r.up());
        assertEquals("no echo reply to 2 requests (1.5 s each)", r.reason());
        // UML is slow, so only a lower bound and a generous upper one
        assertTrue(
                r.latency().toMillis() >= 2900 && r.latency().toMillis() < 15000,
                "latency " + r.latency());
    }

    @Test
    void theGuestsOwnAddressAnswers() throws Exception {
        assertTrue(
                checkers.check(
                                Targets.of(CheckType.PING, 0)
                                        .real(Targets.address("10.77.99.1"), 0, 0)
                                        .target())
                        .get(30, TimeUnit.SECONDS)
                        .up());
    }
}
