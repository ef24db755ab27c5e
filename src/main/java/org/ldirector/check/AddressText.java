package org.ldirector.check;

import java.net.InetAddress;
import org.ldirector.net.InetText;

/** Addresses written the way ldirectord writes them in URLs, Host headers and external-check arguments. */
public final class AddressText {
    private AddressText() {
    }

    /** The real's address as ldirectord writes it: dotted quad, or an IPv6 address in brackets. */
    public static String ldirectord(InetAddress a) {
        // getnameinfo's RFC 5952 form, bracketed by ld_gethostbyname
        return InetText.bracketed(a);
    }
}
