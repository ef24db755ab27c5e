package org.ldirector.ipvs;

import java.util.Objects;

/**
 * A virtual service as the kernel stores it. {@code flags} holds the IP_VS_SVC_F_* bits ldirector
 * may set (persistent, one-packet, scheduler flags 1-3); {@code timeout} is the persistence timeout
 * in seconds; {@code netmask} is the persistence granularity: an IPv4 mask as a 32-bit value
 * (0xffffffff = per client address) or an IPv6 prefix length (128).
 */
public record VirtualService(
        ServiceKey key, String scheduler, int flags, int timeout, int netmask) {
    public static final int F_PERSISTENT = 0x0001;

    /**
     * Set by the kernel on every service it has hashed; never meaningful to us, stripped on read.
     */
    public static final int F_HASHED = 0x0002;

    public static final int F_ONEPACKET = 0x0004;
    public static final int F_SCHED1 = 0x0008;
    public static final int F_SCHED2 = 0x0010;
    public static final int F_SCHED3 = 0x0020;

    /** The bits ldirector owns; everything else is masked away on read. */
    public static final int SETTABLE = F_PERSISTENT | F_ONEPACKET | F_SCHED1 | F_SCHED2 | F_SCHED3;

    /** IP_VS_SCHEDNAME_MAXLEN includes the terminating NUL. */
    public static final int SCHEDNAME_MAX = 15;

    public VirtualService {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(scheduler, "scheduler");
        if (scheduler.isEmpty() || scheduler.length() > SCHEDNAME_MAX) {
            throw new IllegalArgumentException(
                    "scheduler name must be 1-15 characters: '" + scheduler + "'");
        }
        if ((flags & ~SETTABLE) != 0) {
            throw new IllegalArgumentException(
                    "unsupported service flags 0x" + Integer.toHexString(flags));
        }
    }

    /** A service with ipvsadm's defaults: not persistent, netmask 255.255.255.255 or /128. */
    public static VirtualService of(ServiceKey key, String scheduler) {
        return new VirtualService(key, scheduler, 0, 0, defaultNetmask(key.family()));
    }

    public static int defaultNetmask(Family family) {
        return family == Family.INET6 ? 128 : 0xffffffff;
    }

    /** Persistent with the given timeout (seconds) and netmask (IPv4 mask value or IPv6 prefix). */
    public VirtualService persistent(int timeoutSeconds, int mask) {
        return new VirtualService(key, scheduler, flags | F_PERSISTENT, timeoutSeconds, mask);
    }

    public VirtualService persistent(int timeoutSeconds) {
        return persistent(timeoutSeconds, netmask);
    }

    public VirtualService onePacket() {
        return new VirtualService(key, scheduler, flags | F_ONEPACKET, timeout, netmask);
    }

    /** Scheduler flags (sh-fallback = F_SCHED1, sh-port = F_SCHED2, ...). */
    public VirtualService withSchedulerFlags(int schedFlags) {
        int clean = flags & ~(F_SCHED1 | F_SCHED2 | F_SCHED3);
        return new VirtualService(key, scheduler, clean | schedFlags, timeout, netmask);
    }

    public VirtualService withScheduler(String name) {
        return new VirtualService(key, name, flags, timeout, netmask);
    }

    public boolean isPersistent() {
        return (flags & F_PERSISTENT) != 0;
    }

    public boolean isOnePacket() {
        return (flags & F_ONEPACKET) != 0;
    }
}
