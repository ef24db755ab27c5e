package org.ldirector.uml;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.ldirector.config.Config;
import org.ldirector.config.Fallback;
import org.ldirector.config.ForwardMethod;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;

/**
 * What ldirector must program for a parsed config when every real is up (checktype=on), written as
 * {@code ipvsadm -R} input in {@code ipvsadm -Sn} style. The differential test loads these lines into
 * a real kernel and compares the kernel's {@code ipvsadm -Sn} with the one the Perl ldirectord leaves,
 * so both sides are rendered by the same ipvsadm.
 *
 * <p>Rules taken from ldirectord's ld_setup/_restore_service/fallback_on: {@code -p} only with
 * persistent= and {@code -M} only together with it; {@code -o} only for udp; reals carry their
 * thresholds; the fallback (weight 1) is present only when the virtual has no real at all, because
 * ldirectord takes it out as soon as any real, even one of weight 0, is up.
 */
final class ExpectedIpvsRules {

    private ExpectedIpvsRules() {
    }

    static List<String> of(Config config) {
        List<String> lines = new ArrayList<>();
        for (VirtualConfig v : config.virtuals()) {
            lines.addAll(of(v));
        }
        return lines;
    }

    static List<String> of(VirtualConfig v) {
        List<String> lines = new ArrayList<>();
        String key = serviceKey(v);
        StringBuilder add = new StringBuilder("-A ").append(key).append(" -s ").append(v.scheduler());
        if (v.ops() && v.protocol() == org.ldirector.config.Protocol.UDP) {
            add.append(" -o");
        }
        if (v.persistent().isPresent()) {
            add.append(" -p ").append(v.persistent().get());
            v.netmask().ifPresent(m -> add.append(" -M ").append(m));
        }
        v.schedFlags().ifPresent(f -> add.append(" -b ").append(f));
        lines.add(add.toString());
        for (Real r : v.reals()) {
            StringBuilder real = new StringBuilder("-a ").append(key)
                    .append(" -r ").append(endpoint(r.address(), realPort(v, r)))
                    .append(' ').append(forwardFlag(r.forward()))
                    .append(" -w ").append(r.weight());
            r.upperThreshold().ifPresent(u -> real.append(" -x ").append(u));
            r.lowerThreshold().ifPresent(l -> real.append(" -y ").append(l));
            lines.add(real.toString());
        }
        if (v.reals().isEmpty() && v.fallback().isPresent()) {
            Fallback f = v.fallback().get();
            lines.add("-a " + key + " -r " + endpoint(f.address(), v.fallbackPort().orElse(v.port()))
                    + " " + forwardFlag(f.forward()) + " -w " + Fallback.WEIGHT);
        }
        return lines;
    }

    /**
     * ldirectord passes a real without a port as {@code ip:0}; ipvsadm then substitutes the virtual's
     * port for gate and ipip (they cannot change the port) but keeps 0 for masq, where the kernel
     * uses the packet's port. Seen in UML: {@code real=10.0.0.2->10.0.0.4 masq} on 10.0.0.1:80 is
     * listed as 10.0.0.2:0. (VirtualConfig.ipvsPort answers the virtual's port for masq too.)
     */
    static int realPort(VirtualConfig v, Real r) {
        if (r.port() > 0) {
            return r.port();
        }
        return r.forward() == ForwardMethod.MASQ ? 0 : v.port();
    }

    static String serviceKey(VirtualConfig v) {
        return switch (v.protocol()) {
            case FWM -> "-f " + v.fwmark().orElseThrow()
                    + (v.family() == org.ldirector.config.AddressFamily.INET6 ? " -6" : "");
            case TCP -> "-t " + endpoint(v.address().orElseThrow(), v.port());
            case UDP -> "-u " + endpoint(v.address().orElseThrow(), v.port());
        };
    }

    static String endpoint(InetAddress address, int port) {
        if (address instanceof Inet6Address) {
            return "[" + ipv6Text(address.getAddress()) + "]:" + port;
        }
        return address.getHostAddress() + ":" + port;
    }

    /** RFC 5952 text (as ipvsadm prints it); Java's getHostAddress never compresses zeros. */
    static String ipv6Text(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    static String forwardFlag(ForwardMethod m) {
        return switch (m) {
            case GATE -> "-g";
            case MASQ -> "-m";
            case IPIP -> "-i";
        };
    }
}
