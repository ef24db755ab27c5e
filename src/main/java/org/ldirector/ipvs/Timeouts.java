package org.ldirector.ipvs;

/**
 * Connection timeouts in seconds (ipvsadm --set tcp tcpfin udp); 0 in a set request means
 * "unchanged".
 */
public record Timeouts(int tcp, int tcpFin, int udp) {
    /** The kernel's defaults (ipvsadm -L --timeout on a fresh boot prints 900 120 300). */
    public static final Timeouts DEFAULTS = new Timeouts(900, 120, 300);
}
