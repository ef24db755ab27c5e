package org.ldirector.ipvs;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * One of the kernel's IPVS connection-synchronisation threads ({@code ipvsadm --start-daemon}). A
 * master multicasts the state of its connections; a backup creates them in its own table, so the
 * standby director of a pair already knows every established connection when the VIP moves to it.
 * Both can run at once in one network namespace.
 *
 * <p>In a start request a 0 (or null group) means "the kernel's default": sync_maxlen from the
 * interface's MTU, group 224.0.0.81, port 8848, TTL 1. Read back from the kernel every field is
 * filled in.
 *
 * @param maxLength sync_maxlen, the largest sync message's payload (0: from the MTU)
 * @param group multicast group, IPv4 or IPv6 (null: 224.0.0.81)
 */
public record SyncDaemon(
        State state,
        String multicastInterface,
        int syncId,
        int maxLength,
        InetAddress group,
        int port,
        int ttl) {

    /** The kernel's IP_VS_STATE_MASTER / _BACKUP, as they travel in IPVS_DAEMON_ATTR_STATE. */
    public enum State {
        MASTER(1),
        BACKUP(2);

        private final int code;

        State(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static State ofCode(int code) {
            for (State s : values()) {
                if (s.code == code) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown IPVS sync daemon state " + code);
        }

        /** "master" or "backup", as ipvsadm and ldirectord.cf spell them. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** IFNAMSIZ is 16 with the NUL. */
    public static final int MAX_INTERFACE_LENGTH = 15;

    public static final int DEFAULT_PORT = 8848;
    public static final int DEFAULT_TTL = 1;

    public SyncDaemon {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(multicastInterface, "multicastInterface");
        int len = multicastInterface.getBytes(StandardCharsets.US_ASCII).length;
        if (len == 0 || len > MAX_INTERFACE_LENGTH) {
            throw new IllegalArgumentException(
                    "sync interface name must have 1 to "
                            + MAX_INTERFACE_LENGTH
                            + " characters: \""
                            + multicastInterface
                            + "\"");
        }
        // The sync message carries the id in one byte; ipvsadm refuses more, so do we.
        if (syncId < 0 || syncId > 255) {
            throw new IllegalArgumentException("sync id must be 0..255: " + syncId);
        }
        if (maxLength < 0 || maxLength > 65535) {
            throw new IllegalArgumentException("sync max length must be 0..65535: " + maxLength);
        }
        if (group != null && !group.isMulticastAddress()) {
            throw new IllegalArgumentException(
                    "sync group must be a multicast address: " + group.getHostAddress());
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("sync port must be 0..65535: " + port);
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("sync TTL must be 0..255: " + ttl);
        }
    }

    /** A start request with the kernel's defaults for everything optional. */
    public static SyncDaemon of(State state, String multicastInterface, int syncId) {
        return new SyncDaemon(state, multicastInterface, syncId, 0, null, 0, 0);
    }

    public boolean ipv6Group() {
        return group != null && !(group instanceof Inet4Address);
    }

    /**
     * True when a running daemon (as the kernel reports it, defaults filled in) is what this
     * request would start: every field the request leaves at 0 accepts the kernel's value.
     */
    public boolean satisfiedBy(SyncDaemon running) {
        return state == running.state
                && multicastInterface.equals(running.multicastInterface)
                && syncId == running.syncId
                && (maxLength == 0 || maxLength == running.maxLength)
                && (group == null
                        ? running.group == null || isDefaultGroup(running.group)
                        : group.equals(running.group))
                && (port == 0
                        ? running.port == DEFAULT_PORT || running.port == 0
                        : port == running.port)
                && (ttl == 0 ? running.ttl == DEFAULT_TTL || running.ttl == 0 : ttl == running.ttl);
    }

    private static boolean isDefaultGroup(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4
                && (b[0] & 0xff) == 224
                && b[1] == 0
                && b[2] == 0
                && (b[3] & 0xff) == 81;
    }

    /** As {@code ipvsadm -L --daemon} prints it. */
    public String describe() {
        return state.word()
                + " sync daemon (mcast="
                + multicastInterface
                + ", syncid="
                + syncId
                + (maxLength != 0 ? ", maxlen=" + maxLength : "")
                + (group != null ? ", group=" + group.getHostAddress() : "")
                + (port != 0 ? ", port=" + port : "")
                + (ttl != 0 ? ", ttl=" + ttl : "")
                + ")";
    }
}
