package org.ldirector.check;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Addresses written the way ldirectord writes them in URLs, Host headers and external-check arguments. */
public final class AddressText {
    private AddressText() {
    }

    /** The real's address as ldirectord writes it: dotted quad, or an IPv6 address in brackets. */
    public static String ldirectord(InetAddress a) {
        if (a instanceof Inet6Address) {
            // getnameinfo's RFC 5952 form ("::1", not Java's "0:0:0:0:0:0:0:1"), bracketed by ld_gethostbyname
            return "[" + compress(a.getAddress()) + "]";
        }
        return a.getHostAddress();
    }

    private static String compress(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestAt = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
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

}
