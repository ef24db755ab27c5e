package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.ldirector.config.CheckType;
import org.ldirector.config.Protocol;

/**
 * checktype = N: the exact order of negotiate (N) and connect (C) checks ldirectord's counter
 * produces.
 */
class ConnectCounterTest {
    /**
     * Runs checks; each script letter is the next result: '+' up, '-' down. Returns which kind ran,
     * e.g. "N+ C+ C- N+".
     */
    private static String run(int n, String results, Protocol protocol) {
        List<String> log = new ArrayList<>();
        Deque<Boolean> script = new ArrayDeque<>();
        for (char c : results.toCharArray()) {
            script.add(c == '+');
        }
        ConnectCounter counter = new ConnectCounter();
        Checker negotiate = t -> answer(log, "N", script);
        Checker connect = t -> answer(log, "C", script);
        CombinedCheck combined = new CombinedCheck(negotiate, connect, counter);
        ProbeTarget t = Targets.of(CheckType.COMBINED, 80).combined(n).protocol(protocol).target();
        while (!script.isEmpty()) {
            combined.check(t).join();
        }
        return String.join(" ", log);
    }

    private static CompletableFuture<CheckResult> answer(
            List<String> log, String kind, Deque<Boolean> script) {
        boolean up = script.remove();
        log.add(kind + (up ? "+" : "-"));
        return CompletableFuture.completedFuture(new CheckResult(up, Duration.ZERO, kind));
    }

    @Test
    void firstCheckIsANegotiateThenNConnects() {
        assertEquals("N+ C+ C+ N+ C+ C+ N+", run(2, "+++++++", Protocol.TCP));
    }

    @Test
    void aFailedConnectForcesANegotiateNext() {
        assertEquals("N+ C- N+ C+ C+ C+ N+", run(3, "+-+++++", Protocol.TCP));
    }

    @Test
    void aFailedNegotiateIsRetriedUntilItPasses() {
        assertEquals("N- N- N+ C+ N+", run(1, "--+++", Protocol.TCP));
    }

    @Test
    void zeroMeansNegotiateEveryTime() {
        assertEquals("N+ N+ N- N+", run(0, "++-+", Protocol.TCP));
    }

    @Test
    void failedConnectAfterAFailedNegotiateStillNegotiates() {
        assertEquals("N+ C+ C- N- N+ C+", run(5, "++--++", Protocol.TCP));
    }

    @Test
    void onUdpTheConnectRoundsSendNothingAndPass() {
        // ldirectord calls check_connect on udp too, where connect(2) cannot fail: only negotiates
        // are real checks
        List<String> log = new ArrayList<>();
        Deque<Boolean> script = new ArrayDeque<>(List.of(true, false, true));
        ConnectCounter counter = new ConnectCounter();
        CombinedCheck combined =
                new CombinedCheck(
                        t -> answer(log, "N", script), t -> answer(log, "C", script), counter);
        ProbeTarget t =
                Targets.of(CheckType.COMBINED, 53).combined(2).protocol(Protocol.UDP).target();
        List<Boolean> ups = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ups.add(combined.check(t).join().up());
        }
        assertEquals("N+ N- N+", String.join(" ", log));
        assertEquals(List.of(true, true, true, false, true, true, true), ups);
    }

    @Test
    void realsKeepTheirOwnCountersAndReloadDropsOnlyTheGone() {
        ConnectCounter c = new ConnectCounter();
        ProbeTarget a = Targets.of(CheckType.COMBINED, 80).combined(2).target();
        ProbeTarget b = Targets.of(CheckType.COMBINED, 81).combined(2).target();
        ConnectCounter.Key ka = ConnectCounter.Key.of(a);
        ConnectCounter.Key kb = ConnectCounter.Key.of(b);
        c.negotiated(ka, true);
        c.connected(ka, true);
        assertEquals(false, c.negotiateNext(ka, 2));
        assertEquals(true, c.negotiateNext(kb, 2), "b has not been checked: negotiate first");
        c.negotiated(kb, true);
        c.retain(List.of(a));
        assertEquals(1, c.size());
        assertEquals(
                false, c.negotiateNext(ka, 2), "a keeps its place in its cycle across a reload");
        c.connected(ka, true);
        assertEquals(true, c.negotiateNext(ka, 2));
    }
}
