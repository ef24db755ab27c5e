package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.CheckType;

class ConnectCheckTest {
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();

    @Test
    void upWhenTheHandshakeCompletes() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CheckResult r = checkers.run(Targets.of(CheckType.CONNECT, s.getLocalPort()));
            assertTrue(r.up(), r.reason());
            assertEquals("connected", r.reason());
        }
    }

    @Test
    void upOnIpv6Loopback() throws Exception {
        InetAddress v6 = Targets.address("::1");
        try (ServerSocket s = new ServerSocket(0, 50, v6)) {
            CheckResult r =
                    checkers.run(
                            Targets.of(CheckType.CONNECT, s.getLocalPort())
                                    .real(v6, s.getLocalPort(), s.getLocalPort()));
            assertTrue(r.up(), r.reason());
        }
    }

    @Test
    void refusedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CheckResult r = checkers.run(Targets.of(CheckType.CONNECT, port));
        assertFalse(r.up());
        assertEquals("connect refused", r.reason());
    }

    /**
     * A listener whose accept queue is full drops further SYNs (Linux, whatever syncookies say), so
     * a connect neither succeeds nor is refused: a safe stand-in for a hung real, on loopback.
     */
    @Test
    void timeoutAtChecktimeoutWhenTheListenQueueIsFull() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                InetSocketAddress at =
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
                for (int i = 0; i < 2; i++) {
                    fillers.add(SocketChannel.open(at));
                }
                CheckResult r =
                        checkers.run(
                                Targets.of(CheckType.CONNECT, s.getLocalPort())
                                        .timeouts(Duration.ofMillis(700), Duration.ofSeconds(5)));
                assertFalse(r.up(), r.reason());
                assertEquals("timeout after 0.7 s", r.reason());
                assertTrue(
                        r.latency().toMillis() >= 650 && r.latency().toMillis() < 2000,
                        "latency " + r.latency());
            } finally {
                for (SocketChannel c : fillers) {
                    c.close();
                }
            }
        }
    }

    @Test
    void latencyComesFromTheInjectedClock() throws Exception {
        long[] now = {0};
        try (CheckContext fake =
                        CheckContext.builder().nanoTime(() -> now[0] += 1_000_000).build();
                ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CheckResult r =
                    Kinds.checkers(fake)
                            .check(Targets.of(CheckType.CONNECT, s.getLocalPort()).target())
                            .get(10, TimeUnit.SECONDS);
            assertTrue(r.up());
            // the clock advances 1 ms per reading: start and end are two readings apart at least
            assertTrue(
                    r.latency().toMillis() >= 1 && r.latency().toMillis() < 100,
                    "latency " + r.latency());
        }
    }
}
