package org.ldirector.net;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What a real server is: a virtual ({@link VirtualId}) and the real's address and port, so the same
 * host in a tcp and a udp virtual on one VIP:port are two reals with their own state. Keepalived's
 * {@code FMT_RS} is the model; see {@link VirtualId} for why identity is built and printed once.
 *
 * @param virtual the virtual it serves
 * @param address the real's address
 * @param port the port as written on the {@code real=} line, 0 when none was (ldirectord's log
 *     lines name a real by what was written, not by the port IPVS ends up with)
 */
public record RealId(VirtualId virtual, InetAddress address, int port) {

    public RealId {
        Objects.requireNonNull(virtual, "virtual");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** The real as ldirectord's log lines name it: {@code 10.0.0.2:80}, {@code [2001:db8::2]:0}. */
    public String server() {
        return InetText.withPort(address, port);
    }

    /**
     * {@code 10.0.0.2:80 (tcp:10.0.0.1:80)}: the real and its virtual, as ldirectord's check lines
     * write them.
     */
    @Override
    public String toString() {
        return server() + " (" + virtual + ")";
    }
}
