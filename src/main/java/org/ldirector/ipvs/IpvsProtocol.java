package org.ldirector.ipvs;

import java.util.Locale;

/** The transport protocols IPVS balances, with their IPPROTO numbers and ipvsadm spellings. */
public enum IpvsProtocol {
    TCP(6, "-t"),
    UDP(17, "-u"),
    SCTP(132, "--sctp-service");

    private final int number;
    private final String ipvsadmOption;

    IpvsProtocol(int number, String ipvsadmOption) {
        this.number = number;
        this.ipvsadmOption = ipvsadmOption;
    }

    public int number() {
        return number;
    }

    /** The option ipvsadm -S writes for a service of this protocol. */
    public String ipvsadmOption() {
        return ipvsadmOption;
    }

    /** Lower-case name, as in "10.0.0.1:80/tcp". */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static IpvsProtocol ofNumber(int number) {
        for (IpvsProtocol p : values()) {
            if (p.number == number) {
                return p;
            }
        }
        throw new IllegalArgumentException("IPVS protocol " + number + " is not tcp, udp or sctp");
    }
}
