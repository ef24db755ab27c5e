package org.ldirector.check;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * The outcome of one probe: up or down, how long it took, and a one-line reason an operator can
 * read in the log and in {@code status} ("connect refused", "HTTP 503", "timeout after 3.0 s").
 * {@code weight} is the weight an up result asks for (keepalived's misc_dynamic: an external check
 * that exits 2 to 255 asks for its status minus 2); empty = the configured weight.
 */
public record CheckResult(boolean up, Duration latency, String reason, OptionalInt weight) {
    public CheckResult(boolean up, Duration latency, String reason) {
        this(up, latency, reason, OptionalInt.empty());
    }

    public static CheckResult up(Duration latency, String reason) {
        return new CheckResult(true, latency, reason);
    }

    public static CheckResult down(Duration latency, String reason) {
        return new CheckResult(false, latency, reason);
    }

    /** Up, with the weight the check asks for. */
    public static CheckResult upWithWeight(Duration latency, String reason, int weight) {
        return new CheckResult(true, latency, reason, OptionalInt.of(weight));
    }
}
