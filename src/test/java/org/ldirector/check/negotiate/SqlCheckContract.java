package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The cases mysql and pgsql share, run against each one's real server: refused, a query slower than
 * the timeout, a silent peer, and the password kept out of the JDBC driver's own logs.
 */
interface SqlCheckContract {
    /** A probe of the running server with working credentials and request. */
    Probe upProbe();

    /** The JDBC driver's logger root, whose tracing must never show a password. */
    String driverLogger();

    /** A request that sleeps 10 s on the server. */
    String sleepRequest();

    @Test
    default void passwordNeverReachesTheDriversLogsEvenWhenTracing() {
        String log;
        try (DriverLogs logs = new DriverLogs(driverLogger())) {
            upProbe().assertUp();
            upProbe().login("checker", "wrong-pw-xyzzy").assertDown("login rejected");
            log = logs.text();
        }
        assertFalse(log.isEmpty(), "the driver logged nothing: capture is broken");
        assertFalse(log.contains("s3cret") || log.contains("wrong-pw-xyzzy"), log);
    }

    @Test
    default void refused() {
        upProbe().port(Probe.closedTcpPort()).assertDown("connect refused");
    }

    @Test
    default void slowQueryTimesOut() {
        upProbe().request(sleepRequest()).timeout(Duration.ofMillis(1500)).assertTimesOut();
    }

    @Test
    default void silentServerTimesOut() throws Exception {
        try (ScriptedPeer p = ScriptedPeer.start(ScriptedPeer.Conn::hold)) {
            upProbe().port(p.port()).timeout(Duration.ofMillis(700)).assertTimesOut();
        }
    }
}
