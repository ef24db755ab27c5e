package org.ldirector.ipvs;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What identifies a virtual service in the kernel: protocol + address + port, or a firewall mark
 * plus address family. For fwmark services {@code protocol} and {@code address} are null and
 * {@code port} is 0.
 */
public record ServiceKey(Family family, IpvsProtocol protocol, InetAddress address, int port, int fwmark) {

    public ServiceKey {
        Objects.requireNonNull(family, "family");
        if (fwmark != 0) {
            if (protocol != null || address != null || port != 0) {
                throw new IllegalArgumentException("a fwmark service has no protocol, address or port");
            }
        } else {
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(address, "address");
            if (Family.of(address) != family) {
                throw new IllegalArgumentException(address + " is not " + family);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
    }

    public static ServiceKey of(IpvsProtocol protocol, InetAddress address, int port) {
        return new ServiceKey(Family.of(address), protocol, address, port, 0);
    }

    /** A fwmark service; marks are unsigned 32-bit, 0 is not a mark. */
    public static ServiceKey fwmark(int mark, Family family) {
        if (mark == 0) {
            throw new IllegalArgumentException("fwmark 0 is not a firewall mark");
        }
        return new ServiceKey(family, null, null, 0, mark);
    }

    public boolean isFwmark() {
        return fwmark != 0;
    }

    /** "10.0.0.1:80/tcp", "[2001:db8::1]:443/tcp", "fwmark 7", "fwmark 8/IPv6": used in operator messages. */
    @Override
    public String toString() {
        if (isFwmark()) {
            return "fwmark " + Integer.toUnsignedString(fwmark) + (family == Family.INET6 ? "/IPv6" : "");
        }
        return Addresses.withPort(address, port) + "/" + protocol.keyword();
    }
}
