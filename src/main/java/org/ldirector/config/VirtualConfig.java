package org.ldirector.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.ldirector.net.RealId;
import org.ldirector.net.VirtualId;

/**
 * One {@code virtual=} / {@code virtual6=} block with every default and global inherited value
 * already resolved, so a consumer never has to look at {@link GlobalConfig} to know what applies.
 *
 * @param line the line of the {@code virtual=} directive
 * @param family INET for virtual=, INET6 for virtual6=
 * @param protocol tcp, udp (inferred for port 53) or fwm (a firewall mark)
 * @param address the resolved virtual address; empty for a firewall mark
 * @param port the resolved port; 0 for a firewall mark
 * @param fwmark the firewall mark; empty for an address. An unsigned 32-bit number in an int
 *     (3000000000 is held as -1294967296): print it through {@link #id()}
 * @param written the virtual as written in the file (for messages)
 * @param check how its reals are checked
 * @param checkInterval effective checkinterval (the virtual's own, else the global one)
 * @param checkIntervalOwn whether the virtual set its own checkinterval (ldirectord ignores it
 *     unless fork=yes; ldirector honours it)
 * @param failureCount effective failurecount
 * @param scheduler scheduler name (default wrr)
 * @param schedFlags {@code schedflags=}, if given (as written, e.g. "sh-fallback,sh-port")
 * @param persistent persistence timeout in seconds, if given
 * @param netmask persistence netmask (dotted quad for IPv4, prefix length for IPv6), if given
 * @param ops one-packet scheduling (udp only)
 * @param reals the reals, ranges expanded, in file order
 * @param fallback effective fallback: the virtual's own, else the global one for its family
 * @param fallbackCommand effective fallbackcommand
 * @param quiescent effective quiescent
 * @param cleanstop effective cleanstop
 * @param emailAlert effective email alert settings
 * @param monitorFile {@code monitorfile=}, if given
 * @param serviceName {@code servicename=}, if given
 * @param comment {@code comment=}, if given
 * @param successCount ldirector extension {@code successcount=}: consecutive passed checks before a
 *     down real is put back (rise count; default 1, ldirectord's behaviour)
 */
public record VirtualConfig(
        int line,
        AddressFamily family,
        Protocol protocol,
        Optional<InetAddress> address,
        int port,
        Optional<Integer> fwmark,
        String written,
        CheckSpec check,
        Duration checkInterval,
        boolean checkIntervalOwn,
        int failureCount,
        String scheduler,
        Optional<String> schedFlags,
        Optional<Integer> persistent,
        Optional<String> netmask,
        boolean ops,
        List<Real> reals,
        Optional<Fallback> fallback,
        Optional<String> fallbackCommand,
        boolean quiescent,
        boolean cleanstop,
        EmailAlert emailAlert,
        Optional<String> monitorFile,
        Optional<String> serviceName,
        Optional<String> comment,
        int successCount) {

    public VirtualConfig {
        reals = List.copyOf(reals);
    }

    public boolean isFwmark() {
        return fwmark.isPresent();
    }

    /**
     * The port IPVS is given for a real: its own, else the virtual's; always 0 for a firewall-mark
     * virtual without a port on the real. Not always what the kernel ends up with: ldirectord
     * passes a masq real without port as {@code ip:0}, which the kernel keeps (it then uses the
     * packet's port), and ipvsadm forces the service's port onto gate/ipip reals even when they
     * name another one (see {@code ConfigPrinter}, which shows the kernel's port).
     */
    public int ipvsPort(Real real) {
        return real.port() > 0 ? real.port() : port;
    }

    /**
     * ldirectord's {@code ld_checkport}: checkport=, else the real's own port, else the service's
     * well-known port. Note a real without a port is checked on the service's port, not the
     * virtual's: that is ldirectord's rule and operators' configs rely on it.
     */
    public Optional<Integer> checkPort(Real real) {
        if (check.checkPort().isPresent()) {
            return check.checkPort();
        }
        if (real.port() > 0) {
            return Optional.of(real.port());
        }
        return check.service().defaultPort();
    }

    /** The fallback's port: its own, else the virtual's. */
    public Optional<Integer> fallbackPort() {
        return fallback.map(f -> f.port().orElse(port));
    }

    /**
     * The virtual's identity: what keys its state and what every line naming it prints ({@code
     * tcp:10.0.0.1:80}, {@code fwm6:5}). tcp and udp on one address:port are two virtuals.
     */
    public VirtualId id() {
        if (fwmark.isPresent()) {
            // the mark is an unsigned 32-bit number held in an int
            return VirtualId.mark(
                    Integer.toUnsignedLong(fwmark.get()), family == AddressFamily.INET6);
        }
        VirtualId.Protocol p =
                protocol == Protocol.UDP ? VirtualId.Protocol.UDP : VirtualId.Protocol.TCP;
        return VirtualId.service(p, address.orElseThrow(), port);
    }

    /** The identity of one of its reals: the real's address and the port as written (0 if none). */
    public RealId id(Real real) {
        return new RealId(id(), real.address(), real.port());
    }
}
