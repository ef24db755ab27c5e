package org.ldirector.ipvs;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.ldirector.net.InetText;

/**
 * Renders a table exactly as ipvsadm 1.31 prints it with {@code -Ln} and {@code -Sn} (checked byte
 * for byte against the real ipvsadm in User-Mode Linux). Pure functions of the dump.
 */
public final class IpvsadmFormat {
    private IpvsadmFormat() {}

    /** {@code ipvsadm -Ln}. */
    public static String list(IpvsInfo info, List<ServiceDump> table) {
        StringBuilder out = new StringBuilder();
        out.append("IP Virtual Server version ")
                .append(info.versionText())
                .append(" (size=")
                .append(info.connTableSize())
                .append(")\n");
        out.append("Prot LocalAddress:Port Scheduler Flags\n");
        out.append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        for (ServiceDump s : sortServices(table)) {
            VirtualService vs = s.entry().service();
            out.append(listName(vs.key())).append(' ').append(vs.scheduler());
            String schedFlags = schedulerFlags(vs);
            if (!schedFlags.isEmpty()) {
                out.append(" (").append(schedFlags).append(')');
            }
            if (vs.isPersistent()) {
                out.append(" persistent ").append(Integer.toUnsignedString(vs.timeout()));
                appendMask(out, vs, " mask ");
            }
            if (vs.isOnePacket()) {
                out.append(" ops");
            }
            out.append('\n');
            for (DestinationEntry d : sortDestinations(s.destinations())) {
                Destination dest = d.destination();
                // ipvsadm: "  -> %-28s %-7s %-6d %-10u %-10u\n" (numeric IPv4 never reaches its
                // 28-char cut)
                out.append(
                        String.format(
                                "  -> %-28s %-7s %-6d %-10s %-10s\n",
                                InetText.withPort(dest.address(), dest.port()),
                                dest.forwarding().listName(),
                                dest.weight(),
                                Integer.toUnsignedString(d.activeConnections()),
                                Integer.toUnsignedString(d.inactiveConnections())));
            }
        }
        return out.toString();
    }

    /**
     * {@code ipvsadm -Sn}: the rules that rebuild the table (thresholds are not saved by ipvsadm).
     */
    public static String save(List<ServiceDump> table) {
        StringBuilder out = new StringBuilder();
        for (ServiceDump s : sortServices(table)) {
            VirtualService vs = s.entry().service();
            String name = ruleName(vs.key());
            out.append("-A ").append(name).append(" -s ").append(vs.scheduler());
            if (vs.isPersistent()) {
                out.append(" -p ").append(Integer.toUnsignedString(vs.timeout()));
                appendMask(out, vs, " -M ");
            }
            if (vs.isOnePacket()) {
                out.append(" -o");
            }
            String schedFlags = schedulerFlags(vs);
            if (!schedFlags.isEmpty()) {
                out.append(" -b ").append(schedFlags);
            }
            out.append('\n');
            for (DestinationEntry d : sortDestinations(s.destinations())) {
                Destination dest = d.destination();
                out.append("-a ")
                        .append(name)
                        .append(" -r ")
                        .append(InetText.withPort(dest.address(), dest.port()))
                        .append(' ')
                        .append(dest.forwarding().ipvsadmSwitch())
                        .append(" -w ")
                        .append(dest.weight());
                if (dest.forwarding() == Forwarding.TUNNEL) {
                    // ipvsadm 1.31 names the tunnel type; ldirector only creates plain ipip
                    // tunnels.
                    out.append(" --tun-type ipip");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String listName(ServiceKey key) {
        if (key.isFwmark()) {
            // ipvsadm prints the mark with %d: marks above 2^31 come out negative, and so do we.
            return "FWM  " + key.fwmark() + (key.family() == Family.INET6 ? " IPv6" : "");
        }
        return String.format(
                "%-4s %s", key.protocol().name(), InetText.withPort(key.address(), key.port()));
    }

    private static String ruleName(ServiceKey key) {
        if (key.isFwmark()) {
            return "-f " + key.fwmark() + (key.family() == Family.INET6 ? " -6" : "");
        }
        return key.protocol().ipvsadmOption() + " " + InetText.withPort(key.address(), key.port());
    }

    private static void appendMask(StringBuilder out, VirtualService vs, String label) {
        if (vs.key().family() == Family.INET) {
            if (vs.netmask() != 0xffffffff) {
                int m = vs.netmask();
                out.append(label)
                        .append((m >>> 24) & 0xff)
                        .append('.')
                        .append((m >>> 16) & 0xff)
                        .append('.')
                        .append((m >>> 8) & 0xff)
                        .append('.')
                        .append(m & 0xff);
            }
        } else if (vs.netmask() != 128) {
            out.append(label).append(vs.netmask());
        }
    }

    private static String schedulerFlags(VirtualService vs) {
        List<String> names = new ArrayList<>();
        int f = vs.flags();
        boolean sh = vs.scheduler().equals("sh");
        if ((f & VirtualService.F_SCHED1) != 0) {
            names.add(sh ? "sh-fallback" : "flag-1");
        }
        if ((f & VirtualService.F_SCHED2) != 0) {
            names.add(sh ? "sh-port" : "flag-2");
        }
        if ((f & VirtualService.F_SCHED3) != 0) {
            names.add("flag-3");
        }
        return String.join(",", names);
    }

    /**
     * libipvs's ipvs_cmp_services: fwmark, af, protocol, address, port, each compared by C
     * subtraction. The 32-bit differences wrap (10.x sorts after 200.x), so this is not a total
     * order; Java's List.sort may reject it, hence glibc's own stable merge sort below.
     */
    static List<ServiceDump> sortServices(List<ServiceDump> table) {
        return mergeSort(
                table,
                (a, b) -> {
                    ServiceKey x = a.entry().service().key();
                    ServiceKey y = b.entry().service().key();
                    int r = x.fwmark() - y.fwmark();
                    if (r != 0) {
                        return r;
                    }
                    r = x.family().af() - y.family().af();
                    if (r != 0) {
                        return r;
                    }
                    r = protocolNumber(x) - protocolNumber(y);
                    if (r != 0) {
                        return r;
                    }
                    r = compareAddress(x.family(), x.address(), y.address());
                    return r != 0 ? r : x.port() - y.port();
                });
    }

    /** libipvs's ipvs_cmp_dests: address (family of the first operand), then port. */
    static List<DestinationEntry> sortDestinations(List<DestinationEntry> dests) {
        return mergeSort(
                dests,
                (a, b) -> {
                    Destination x = a.destination();
                    Destination y = b.destination();
                    int r = compareAddress(x.family(), x.address(), y.address());
                    return r != 0 ? r : x.port() - y.port();
                });
    }

    private static int protocolNumber(ServiceKey key) {
        return key.protocol() == null ? 0 : key.protocol().number();
    }

    private static int compareAddress(Family family, InetAddress a, InetAddress b) {
        int[] x = words(a);
        int[] y = words(b);
        if (family == Family.INET) {
            return x[x.length - 1] - y[y.length - 1];
        }
        int r = 0;
        for (int i = 0; r == 0 && i < 4; i++) {
            r = x[i] - y[i];
        }
        return r;
    }

    /** An address as host-order 32-bit words (a fwmark service has none: all zero). */
    private static int[] words(InetAddress address) {
        if (address == null) {
            return new int[4];
        }
        byte[] b = address.getAddress();
        int[] w = new int[b.length / 4];
        for (int i = 0; i < w.length; i++) {
            w[i] =
                    ((b[4 * i] & 0xff) << 24)
                            | ((b[4 * i + 1] & 0xff) << 16)
                            | ((b[4 * i + 2] & 0xff) << 8)
                            | (b[4 * i + 3] & 0xff);
        }
        return w;
    }

    /**
     * glibc msort: split at n/2, sort halves, merge taking the left element unless it compares
     * greater.
     */
    private static <T> List<T> mergeSort(List<T> in, Comparator<T> cmp) {
        List<T> list = new ArrayList<>(in);
        msort(list, 0, list.size(), cmp, new ArrayList<>(list));
        return list;
    }

    private static <T> void msort(List<T> b, int from, int to, Comparator<T> cmp, List<T> tmp) {
        int n = to - from;
        if (n <= 1) {
            return;
        }
        int mid = from + n / 2;
        msort(b, from, mid, cmp, tmp);
        msort(b, mid, to, cmp, tmp);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            tmp.set(k++, cmp.compare(b.get(i), b.get(j)) <= 0 ? b.get(i++) : b.get(j++));
        }
        while (i < mid) {
            tmp.set(k++, b.get(i++));
        }
        for (int x = from; x < k; x++) {
            b.set(x, tmp.get(x));
        }
    }
}
