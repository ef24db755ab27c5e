package org.ldirector.ipvs;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Address family of a virtual service or destination, with the kernel's AF_* number. */
public enum Family {
    INET(2, 4),
    INET6(10, 16);

    private final int af;
    private final int addressLength;

    Family(int af, int addressLength) {
        this.af = af;
        this.addressLength = addressLength;
    }

    public int af() {
        return af;
    }

    public int addressLength() {
        return addressLength;
    }

    public static Family of(InetAddress address) {
        return address instanceof Inet6Address ? INET6 : INET;
    }

    public static Family ofAf(int af) {
        for (Family f : values()) {
            if (f.af == af) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown address family " + af);
    }
}
