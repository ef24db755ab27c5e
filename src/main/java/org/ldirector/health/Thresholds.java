package org.ldirector.health;

/**
 * How many consecutive results change a real's state: failurecount failures take an up real down
 * (ldirectord), successcount successes bring a real up (an ldirector extension; 1 is ldirectord's
 * rule).
 */
public record Thresholds(int failureCount, int successCount) {
    public static final Thresholds LDIRECTORD = new Thresholds(1, 1);

    public Thresholds {
        if (failureCount < 1 || successCount < 1) {
            throw new IllegalArgumentException(
                    "thresholds must be at least 1: " + failureCount + "/" + successCount);
        }
    }
}
