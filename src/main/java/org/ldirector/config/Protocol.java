package org.ldirector.config;

import java.util.Locale;

/** ldirectord's {@code protocol=}: tcp and udp for ip:port virtuals, fwm for a firewall mark. */
public enum Protocol {
    TCP,
    UDP,
    FWM;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
