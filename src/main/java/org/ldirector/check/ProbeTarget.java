package org.ldirector.check;

import java.net.InetAddress;
import java.util.Optional;
import org.ldirector.config.AddressFamily;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.Protocol;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;

/**
 * What one probe of one real needs, and nothing about IPVS. The per-real request/receive of
 * ldirectord ({@code real=... "request", "receive"}) are already folded into {@link #request} and
 * {@link #receive}.
 *
 * @param spec the virtual's check settings
 * @param protocol the virtual's protocol (a connect check on udp is a ping, as ldirectord)
 * @param family address family
 * @param virtualAddress the virtual's address (empty for a firewall mark)
 * @param virtualPort the virtual's port (0 for a firewall mark)
 * @param realAddress the real's address
 * @param realPort the real's port as IPVS has it
 * @param checkPort ldirectord's check port for this real (checkport, real port, service port)
 * @param request effective request
 * @param receive effective receive
 * @param fwmark the virtual's firewall mark (external checks pass it where ldirectord passes the
 *     mark in place of the virtual address)
 * @param writtenRealPort the real's port as written in the file, 0 when none was (the 4th argument
 *     ldirectord gives an external check, unlike {@code realPort})
 */
public record ProbeTarget(
        CheckSpec spec,
        Protocol protocol,
        AddressFamily family,
        Optional<InetAddress> virtualAddress,
        int virtualPort,
        InetAddress realAddress,
        int realPort,
        Optional<Integer> checkPort,
        String request,
        String receive,
        Optional<Integer> fwmark,
        int writtenRealPort) {

    /**
     * Without the external-check extras: no firewall mark, the written port taken as {@code
     * realPort}.
     */
    public ProbeTarget(
            CheckSpec spec,
            Protocol protocol,
            AddressFamily family,
            Optional<InetAddress> virtualAddress,
            int virtualPort,
            InetAddress realAddress,
            int realPort,
            Optional<Integer> checkPort,
            String request,
            String receive) {
        this(
                spec,
                protocol,
                family,
                virtualAddress,
                virtualPort,
                realAddress,
                realPort,
                checkPort,
                request,
                receive,
                Optional.empty(),
                realPort);
    }

    public static ProbeTarget of(VirtualConfig v, Real r) {
        return new ProbeTarget(
                v.check(),
                v.protocol(),
                v.family(),
                v.address(),
                v.port(),
                r.address(),
                v.ipvsPort(r),
                v.checkPort(r),
                r.request().orElse(v.check().request()),
                r.receive().orElse(v.check().receive()),
                v.fwmark(),
                r.port());
    }
}
