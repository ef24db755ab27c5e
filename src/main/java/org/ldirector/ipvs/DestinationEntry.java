package org.ldirector.ipvs;

/**
 * A destination read back from the table: its settings plus the connection counters that {@code
 * status} and graceful drain need.
 */
public record DestinationEntry(
        Destination destination,
        int activeConnections,
        int inactiveConnections,
        int persistentConnections,
        Stats stats) {
    public static DestinationEntry idle(Destination destination) {
        return new DestinationEntry(destination, 0, 0, 0, Stats.ZERO);
    }
}
