package org.ldirector.net;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as the C library writes them (inet_ntop, and getnameinfo with NI_NUMERICHOST): what
 * ipvsadm prints, what ldirectord puts in URLs, Host headers and log lines. Java's own form does
 * not compress IPv6 ("0:0:0:0:0:0:0:1" for "::1"), so every place that must match those tools uses
 * this.
 */
public final class InetText {
    private InetText() {}

    /**
     * inet_ntop(3) output: dotted quad, or RFC 5952 compressed IPv6 (Java's own form is not
     * compressed).
     */
    public static String ntop(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] a = address.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        // Longest run of zero words (length >= 2, first one wins on ties) becomes "::".
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        // glibc prints IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible addresses with a dotted
        // tail.
        boolean dottedTail =
                bestStart == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff));
        StringBuilder sb = new StringBuilder();
        int limit = dottedTail ? 6 : 8;
        for (int i = 0; i < limit; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(words[i]));
            if (i < limit - 1) {
                sb.append(':');
            }
        }
        if (dottedTail) {
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(a[12] & 0xff)
                    .append('.')
                    .append(a[13] & 0xff)
                    .append('.')
                    .append(a[14] & 0xff)
                    .append('.')
                    .append(a[15] & 0xff);
        }
        return sb.toString();
    }

    /**
     * Dotted quad, or compressed IPv6 in brackets, as ldirectord and ipvsadm write an address next
     * to a port.
     */
    public static String bracketed(InetAddress address) {
        return address instanceof Inet6Address ? "[" + ntop(address) + "]" : ntop(address);
    }

    /**
     * "10.0.0.1:80" or "[2001:db8::1]:443": an address next to a port, as ipvsadm and ldirectord
     * write it.
     */
    public static String withPort(InetAddress address, int port) {
        return bracketed(address) + ":" + port;
    }
}
