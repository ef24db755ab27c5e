package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ldirector.config.CheckType;

/**
 * ICMP echo of loopback only (127.0.0.0/8, ::1); an unreachable host is tested inside UML ({@link
 * PingInUmlTest}). Needs root (raw socket) or a ping_group_range that includes our group.
 */
class PingCheckTest {
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();

    @Test
    void ipv4LoopbackAnswers() throws Exception {
        CheckResult r =
                checkers.check(Targets.of(CheckType.PING, 0).target()).get(10, TimeUnit.SECONDS);
        assertTrue(r.up(), r.reason());
        assertEquals("echo reply", r.reason());
    }

    @Test
    void ipv6LoopbackAnswers() throws Exception {
        CheckResult r =
                checkers.check(
                                Targets.of(CheckType.PING, 0)
                                        .real(Targets.address("::1"), 0, 0)
                                        .target())
                        .get(10, TimeUnit.SECONDS);
        assertTrue(r.up(), r.reason());
    }

    @Test
    void manyConcurrentPingsOfSeveralLoopbackAddressesAreEachMatched() throws Exception {
        List<CompletableFuture<CheckResult>> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String a = "127.0.0." + (1 + i % 5);
            all.add(
                    checkers.check(
                            Targets.of(CheckType.PING, 0).real(Targets.address(a), 0, 0).target()));
        }
        for (CompletableFuture<CheckResult> f : all) {
            CheckResult r = f.get(20, TimeUnit.SECONDS);
            assertTrue(r.up(), r.reason());
        }
    }

    @Test
    void checksumIsRfc1071() {
        // the example header of RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2, checksum 220d
        byte[] data = {
            0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7
        };
        assertEquals((short) 0x220d, Pinger.checksum(data));
    }
}
