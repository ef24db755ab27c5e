package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ReasonsTest {
    @Test
    void controlAndFormatCharactersAreEscapedNotPassedRaw() {
        assertEquals("220 ready\\x0d\\x0aBcc: x", Reasons.quote("220 ready\r\nBcc: x"));
        assertEquals("a\\x1b[2Jb\\x7f\\x85", Reasons.quote("a\u001b[2Jb\u007f\u0085"));
        assertEquals("evil\\u202etxt.exe", Reasons.quote("evil\u202etxt.exe"));
        assertEquals("caf\u00e9 \u4e2d", Reasons.quote("caf\u00e9 \u4e2d"));
    }

    @Test
    void outsideTextIsCutAtItsBoundEscapesCounted() {
        String cut = Reasons.quote("x".repeat(10_000));
        assertEquals("x".repeat(Reasons.QUOTE_MAX) + "...", cut);
        String escapes = Reasons.quote("\n".repeat(1_000));
        assertTrue(escapes.length() <= Reasons.QUOTE_MAX + 4 + 3, escapes);
        assertTrue(escapes.endsWith("\\x0a..."), escapes);
        assertEquals("x".repeat(Reasons.QUOTE_MAX), Reasons.quote("x".repeat(Reasons.QUOTE_MAX)));
    }

    @Test
    void aMissingMessageIsSaidSo() {
        assertEquals("(no message)", Reasons.quote(null));
    }

    @Test
    void theGuardLeavesACleanResultAloneAndBoundsAnyOther() {
        CheckResult clean = CheckResult.down(Duration.ofMillis(3), "HTTP 503");
        assertSame(clean, Reasons.guard(clean));
        CheckResult raw =
                new CheckResult(
                        true,
                        Duration.ofMillis(3),
                        "exit 2\n" + "y".repeat(5_000),
                        OptionalInt.of(7));
        CheckResult g = Reasons.guard(raw);
        assertEquals("exit 2\\x0a" + "y".repeat(Reasons.LINE_MAX - 10) + "...", g.reason());
        assertEquals(raw.up(), g.up());
        assertEquals(raw.latency(), g.latency());
        assertEquals(raw.weight(), g.weight());
    }

    @Test
    void secondsWithOneDecimal() {
        assertEquals("3.0 s", Reasons.seconds(Duration.ofSeconds(3)));
        assertEquals("0.3 s", Reasons.seconds(Duration.ofMillis(250)));
    }

    @Test
    void aConnectFailureReadsTheSameFromEveryCheck() {
        assertEquals(
                Optional.of("no route to host"),
                Reasons.connectFailure(new NoRouteToHostException("x")));
        assertEquals(
                Optional.of("connect refused"),
                Reasons.connectFailure(new ConnectException("Connection refused")));
        assertEquals(
                Optional.of("connect failed: Network is unreachable\\x0a"),
                Reasons.connectFailure(new ConnectException("Network is unreachable\n")));
        assertEquals(Optional.empty(), Reasons.connectFailure(new IOException("refused")));
        assertEquals("timeout after 2.5 s", Reasons.timeout(Duration.ofMillis(2500)));
    }
}
