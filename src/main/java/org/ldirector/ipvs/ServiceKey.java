package org.ldirector.ipvs;

import java.net.InetAddress;
import java.util.Objects;
import org.ldirector.net.VirtualId;

/**
 * What identifies a virtual service in the kernel: the {@link VirtualId} every other part of
 * ldirector uses, seen with IPVS's protocol and address-family numbers. It wraps the id rather than
 * repeating its fields, so a key read back from the kernel equals the key of the configured virtual
 * exactly when their ids are equal, and it prints through the same formatter.
 *
 * <p>For fwmark services {@link #protocol()} and {@link #address()} are null and {@link #port()} is
 * 0; {@link #fwmark()} is the mark as the kernel's u32 (negative above 2^31 as a Java int: print it
 * through {@link #id()}, never as an int).
 */
public record ServiceKey(VirtualId id) {

    public ServiceKey {
        Objects.requireNonNull(id, "id");
    }

    public static ServiceKey of(IpvsProtocol protocol, InetAddress address, int port) {
        return new ServiceKey(
                VirtualId.service(VirtualId.Protocol.valueOf(protocol.name()), address, port));
    }

    /** A fwmark service; marks are unsigned 32-bit, 0 is not a mark. */
    public static ServiceKey fwmark(int mark, Family family) {
        if (mark == 0) {
            throw new IllegalArgumentException("fwmark 0 is not a firewall mark");
        }
        return new ServiceKey(VirtualId.mark(Integer.toUnsignedLong(mark), family == Family.INET6));
    }

    public boolean isFwmark() {
        return id.isMark();
    }

    public Family family() {
        return id.inet6() ? Family.INET6 : Family.INET;
    }

    /** Null for a fwmark service. */
    public IpvsProtocol protocol() {
        return id.isMark() ? null : IpvsProtocol.valueOf(id.protocol().name());
    }

    /** Null for a fwmark service. */
    public InetAddress address() {
        return id.address();
    }

    public int port() {
        return id.port();
    }

    /**
     * The mark as the kernel's u32 in an int (0 for an address service); for the codec, not for
     * text.
     */
    public int fwmark() {
        return (int) id.mark();
    }

    /**
     * "10.0.0.1:80/tcp", "[2001:db8::1]:443/tcp", "fwmark 7", "fwmark 8/IPv6": used in operator
     * messages.
     */
    @Override
    public String toString() {
        if (isFwmark()) {
            return "fwmark " + id.mark() + (id.inet6() ? "/IPv6" : "");
        }
        return id.vip() + "/" + id.protocol().keyword();
    }
}
