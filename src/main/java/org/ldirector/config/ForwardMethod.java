package org.ldirector.config;

import java.util.Locale;

/** How IPVS forwards to a real: gate (LVS-DR), masq (LVS-NAT), ipip (LVS-TUN). */
public enum ForwardMethod {
    GATE,
    MASQ,
    IPIP;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
