package org.ldirector.ipvs;

/**
 * Traffic counters and rates the kernel keeps per service and per destination (IPVS_STATS_ATTR_*).
 */
public record Stats(
        long conns,
        long inPackets,
        long outPackets,
        long inBytes,
        long outBytes,
        long cps,
        long inPps,
        long outPps,
        long inBps,
        long outBps) {
    public static final Stats ZERO = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
