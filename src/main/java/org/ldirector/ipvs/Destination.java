package org.ldirector.ipvs;

import java.net.InetAddress;
import java.util.Objects;
import org.ldirector.net.InetText;

/**
 * A real server inside a virtual service. Thresholds are connection counts, 0 = unlimited. For
 * fwmark services the port may be 0 (use the packet's port).
 */
public record Destination(
        InetAddress address,
        int port,
        Forwarding forwarding,
        int weight,
        int upperThreshold,
        int lowerThreshold) {
    public Destination {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(forwarding, "forwarding");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Destination of(InetAddress address, int port, Forwarding forwarding, int weight) {
        return new Destination(address, port, forwarding, weight, 0, 0);
    }

    public Family family() {
        return Family.of(address);
    }

    public DestinationKey key() {
        return new DestinationKey(address, port);
    }

    public Destination withWeight(int newWeight) {
        return new Destination(
                address, port, forwarding, newWeight, upperThreshold, lowerThreshold);
    }

    public Destination withThresholds(int upper, int lower) {
        return new Destination(address, port, forwarding, weight, upper, lower);
    }

    /** What identifies a destination within its service. */
    public record DestinationKey(InetAddress address, int port) {
        @Override
        public String toString() {
            return InetText.withPort(address, port);
        }
    }
}
