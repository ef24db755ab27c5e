package org.ldirector.check;

import java.time.Duration;

/**
 * The outcome of one probe: up or down, how long it took, and a one-line reason an operator can
 * read in the log and in {@code status} ("connect refused", "HTTP 503", "timeout after 3.0 s").
 */
public record CheckResult(boolean up, Duration latency, String reason) {
    public static CheckResult up(Duration latency, String reason) {
        return new CheckResult(true, latency, reason);
    }

    public static CheckResult down(Duration latency, String reason) {
        return new CheckResult(false, latency, reason);
    }
}
