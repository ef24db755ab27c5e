package org.ldirector.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;

/**
 * Polling until something holds, for the tests that have no event to wait on (a process starting, a
 * server taking logins). Deadlines are generous on purpose: a loaded CI machine is slow, and the
 * poll returns as soon as the condition holds, so a fast machine does not pay for them.
 */
public final class Await {
    private Await() {}

    /** A check that may throw; what it throws fails the test at once. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} every {@code every}; fails the test, naming {@code what}, after
     * {@code within}.
     */
    public static void until(String what, Duration within, Duration every, Condition condition)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + within.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(every.toMillis());
        }
    }
}
