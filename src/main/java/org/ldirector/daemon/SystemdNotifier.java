package org.ldirector.daemon;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;

/**
 * sd_notify(3) without libsystemd: one datagram per state change to {@code $NOTIFY_SOCKET}. The JDK
 * has no UNIX datagram sockets, so the socket comes from the sys package. Absent when systemd did
 * not ask (no NOTIFY_SOCKET), so callers never check whether they run under systemd.
 */
final class SystemdNotifier implements AutoCloseable {
    private final SockAddr target;
    private final NativeSocket socket;
    private final Optional<Duration> watchdog;

    private SystemdNotifier(SockAddr target, NativeSocket socket, Optional<Duration> watchdog) {
        this.target = target;
        this.socket = socket;
        this.watchdog = watchdog;
    }

    /**
     * From {@code NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace) and {@code
     * WATCHDOG_USEC}/{@code WATCHDOG_PID} (the watchdog is ours only when the pid is ours or unset,
     * as sd_watchdog_enabled(3) says).
     */
    static Optional<SystemdNotifier> fromEnvironment(Map<String, String> env, long pid)
            throws NativeException {
        String path = env.get("NOTIFY_SOCKET");
        if (path == null || path.isEmpty() || !(path.startsWith("/") || path.startsWith("@"))) {
            return Optional.empty();
        }
        Optional<Duration> watchdog = Optional.empty();
        String usec = env.get("WATCHDOG_USEC");
        String wpid = env.get("WATCHDOG_PID");
        if (usec != null
                && usec.matches("\\d{1,18}")
                && Long.parseLong(usec) > 0
                && (wpid == null || wpid.equals(Long.toString(pid)))) {
            watchdog = Optional.of(Duration.ofNanos(Long.parseLong(usec) * 1000));
        }
        NativeSocket s = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0);
        return Optional.of(new SystemdNotifier(SockAddr.unix(path), s, watchdog));
    }

    /** The watchdog interval systemd expects pings within, if it wants them. */
    Optional<Duration> watchdog() {
        return watchdog;
    }

    /**
     * Sends newline-separated assignments ("READY=1\nSTATUS=..."); one datagram, synchronized as
     * callers come from several threads.
     */
    synchronized void send(String assignments) throws NativeException {
        socket.sendTo(ByteBuffer.wrap(assignments.getBytes(StandardCharsets.UTF_8)), target);
    }

    @Override
    public synchronized void close() throws NativeException {
        socket.close();
    }
}
