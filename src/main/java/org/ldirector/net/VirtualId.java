package org.ldirector.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * What a virtual service is: protocol and address:port, or an unsigned 32-bit firewall mark and its
 * address family. Two virtuals are the same service exactly when their ids are equal, so every map
 * of per-virtual state is keyed by it, and every line that names a virtual prints it from here
 * (keepalived's {@code FMT_VS} is the model). Identity text built in several places drifts apart:
 * tcp and udp on one VIP:port end up sharing state, and marks above 2^31 print as negative ints.
 *
 * <p>It lives here, below both {@code config} (which builds it from {@code virtual=}) and {@code
 * ipvs} (whose {@code ServiceKey} is this id with the kernel's protocol and family numbers),
 * because config must not know IPVS and IPVS must not know the config.
 *
 * @param protocol tcp, udp, sctp, or fwm for a firewall mark
 * @param inet6 a virtual6= (an IPv6 address, or a mark matched on IPv6 packets)
 * @param address the address; null for a mark
 * @param port the port; 0 for a mark
 * @param mark the firewall mark, 1..4294967295; 0 for an address
 */
public record VirtualId(
        Protocol protocol, boolean inet6, InetAddress address, int port, long mark) {

    /** The protocols of a virtual service as ldirectord names them ({@code protocol=}). */
    public enum Protocol {
        TCP,
        UDP,
        SCTP,
        FWM;

        /** "tcp", "udp", "sctp", "fwm". */
        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The largest firewall mark: marks are unsigned 32-bit. */
    public static final long MAX_MARK = 0xffff_ffffL;

    public VirtualId {
        Objects.requireNonNull(protocol, "protocol");
        if (protocol == Protocol.FWM) {
            if (address != null || port != 0) {
                throw new IllegalArgumentException(
                        "a firewall-mark virtual has no address or port");
            }
            if (mark < 1 || mark > MAX_MARK) {
                throw new IllegalArgumentException(
                        "firewall mark " + mark + " is not in 1.." + MAX_MARK);
            }
        } else {
            Objects.requireNonNull(address, "address");
            if (inet6 != address instanceof Inet6Address) {
                throw new IllegalArgumentException(
                        address + (inet6 ? " is not" : " is") + " an IPv6 address");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (mark != 0) {
                throw new IllegalArgumentException("an address virtual has no firewall mark");
            }
        }
    }

    /** An address:port virtual; the family follows from the address. */
    public static VirtualId service(Protocol protocol, InetAddress address, int port) {
        if (protocol == Protocol.FWM) {
            throw new IllegalArgumentException("fwm is for a firewall mark, not an address");
        }
        return new VirtualId(protocol, address instanceof Inet6Address, address, port, 0);
    }

    /**
     * A firewall-mark virtual. {@code mark} is unsigned: a mark held in an int (the kernel's u32,
     * the config's value) comes here through {@link Integer#toUnsignedLong}.
     */
    public static VirtualId mark(long mark, boolean inet6) {
        return new VirtualId(Protocol.FWM, inet6, null, 0, mark);
    }

    public boolean isMark() {
        return protocol == Protocol.FWM;
    }

    /**
     * ldirectord's {@code get_virtual}, the virtual as its add/delete lines name it: {@code
     * 10.0.0.1:80}, {@code [2001:db8::1]:80}, or the bare mark {@code 3000000000}. It does not tell
     * tcp from udp; {@link #toString()} does.
     */
    public String vip() {
        return isMark() ? Long.toString(mark) : InetText.withPort(address, port);
    }

    /**
     * ldirectord's {@code get_virtual_id_str}, the virtual as its check and status lines name it:
     * {@code tcp:10.0.0.1:80}, {@code udp:[2001:db8::1]:53}, {@code fwm:5}, {@code fwm6:5}.
     */
    @Override
    public String toString() {
        if (isMark()) {
            return "fwm" + (inet6 ? "6" : "") + ":" + mark;
        }
        return protocol.keyword() + ":" + vip();
    }
}
