package org.ldirector.ipvs;

import java.net.InetAddress;
import org.ldirector.net.InetText;

/** Address text exactly as ipvsadm prints it (inet_ntop: compressed IPv6, brackets with ports). */
public final class Addresses {
    private Addresses() {
    }

    /** inet_ntop(3) output: dotted quad, or RFC 5952 compressed IPv6 (Java's own form is not compressed). */
    public static String text(InetAddress address) {
        return InetText.ntop(address);
    }

    /** "10.0.0.1:80" or "[2001:db8::1]:443". */
    public static String withPort(InetAddress address, int port) {
        return InetText.bracketed(address) + ":" + port;
    }
}
