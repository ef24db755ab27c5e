package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.sys.NativeSocket;
import org.ldirector.sys.Sock;
import org.ldirector.sys.SockAddr;

class SystemdNotifierTest {
    @TempDir Path dir;

    /** What systemd's side reads: the next datagram on the bound socket. */
    private static String receive(NativeSocket systemd) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        assertTrue(
                systemd.receive(b, Duration.ofSeconds(10)).isPresent(), "no datagram within 10 s");
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    @Test
    void sendsEachMessageAsOneDatagramToAPathSocket() throws Exception {
        String path = dir.resolve("notify").toString();
        try (NativeSocket systemd = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0)) {
            systemd.bind(SockAddr.unix(path));
            try (SystemdNotifier n =
                    SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path), 42)
                            .orElseThrow()) {
                n.send("READY=1\nSTATUS=1 virtual service, 2/3 real servers up");
                n.send("STOPPING=1");
                assertEquals(
                        "READY=1\nSTATUS=1 virtual service, 2/3 real servers up", receive(systemd));
                assertEquals("STOPPING=1", receive(systemd));
                assertEquals(Optional.empty(), n.watchdog());
            }
        }
    }

    @Test
    void reachesAnAbstractNamespaceSocketAsSystemdUsesThem() throws Exception {
        String name = "@ldirector-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (NativeSocket systemd = NativeSocket.open(Sock.AF_UNIX, Sock.SOCK_DGRAM, 0)) {
            systemd.bind(SockAddr.unix(name));
            try (SystemdNotifier n =
                    SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", name), 42)
                            .orElseThrow()) {
                n.send("WATCHDOG=1");
                assertEquals("WATCHDOG=1", receive(systemd));
            }
        }
    }

    @Test
    void absentOutsideSystemdAndTheWatchdogIsOursOnlyForOurPid() throws Exception {
        assertEquals(Optional.empty(), SystemdNotifier.fromEnvironment(Map.of(), 42));
        assertEquals(
                Optional.empty(), SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", ""), 42));
        String path = dir.resolve("n").toString();
        try (SystemdNotifier mine =
                        SystemdNotifier.fromEnvironment(
                                        Map.of(
                                                "NOTIFY_SOCKET",
                                                path,
                                                "WATCHDOG_USEC",
                                                "30000000",
                                                "WATCHDOG_PID",
                                                "42"),
                                        42)
                                .orElseThrow();
                SystemdNotifier unset =
                        SystemdNotifier.fromEnvironment(
                                        Map.of("NOTIFY_SOCKET", path, "WATCHDOG_USEC", "2000000"),
                                        42)
                                .orElseThrow();
                SystemdNotifier other =
                        SystemdNotifier.fromEnvironment(
                                        Map.of(
                                                "NOTIFY_SOCKET",
                                                path,
                                                "WATCHDOG_USEC",
                                                "30000000",
                                                "WATCHDOG_PID",
                                                "7"),
                                        42)
                                .orElseThrow()) {
            assertEquals(Optional.of(Duration.ofSeconds(30)), mine.watchdog());
            assertEquals(Optional.of(Duration.ofSeconds(2)), unset.watchdog());
            assertEquals(Optional.empty(), other.watchdog());
        }
    }

    @Test
    void theWatchdogPingsOnlyWhileTheLoopRunsItsHeartbeatAndTheProbesFire() {
        List<Runnable> loopQueue = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        AtomicBoolean probing = new AtomicBoolean(true);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        // an hour: the timer never fires in this test; ticks are called by hand
        try (Watchdog w =
                new Watchdog(Duration.ofHours(1), timer, loopQueue::add, probing::get, sent::add)) {
            w.tick();
            assertEquals(List.of(), sent, "the first heartbeat has not run on the loop yet");
            loopQueue.remove(0).run();
            w.tick();
            assertEquals(List.of("WATCHDOG=1"), sent);
            // a wedged loop: the new heartbeat never runs, so no more pings however often we look
            w.tick();
            w.tick();
            assertEquals(List.of("WATCHDOG=1"), sent);
            loopQueue.remove(0).run();
            probing.set(false);
            w.tick();
            assertEquals(
                    List.of("WATCHDOG=1"),
                    sent,
                    "probe timers that stopped firing also stop the pings");
            probing.set(true);
            w.tick();
            assertEquals(List.of("WATCHDOG=1", "WATCHDOG=1"), sent);
        } finally {
            timer.shutdownNow();
        }
    }
}
