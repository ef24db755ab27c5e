package org.ldirector.config;

/** How IPVS forwards to a real: gate (LVS-DR), masq (LVS-NAT), ipip (LVS-TUN). */
public enum ForwardMethod {
    GATE, MASQ, IPIP;

    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
