package org.ldirector.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ldirector.check.CheckResult;
import org.ldirector.config.CheckType;
import org.ldirector.config.Protocol;

class HealthBookTest {
    private static final CheckResult OK = CheckResult.up(Duration.ofMillis(3), "HTTP 200");
    private static final CheckResult FAIL =
            CheckResult.down(Duration.ofMillis(3), "connect refused");
    private static final Instant T0 = Instant.parse("2026-11-23T20:00:00Z");

    private final HealthBook book = new HealthBook();

    static ProbeKey key(String ip) throws Exception {
        return new ProbeKey(
                CheckType.NEGOTIATE,
                "http",
                Protocol.TCP,
                InetAddress.getByName(ip),
                80,
                Optional.empty(),
                Optional.empty(),
                "/",
                "",
                "",
                "");
    }

    private List<HealthEvent.Kind> kinds(List<HealthEvent> events) {
        return events.stream().map(HealthEvent::kind).toList();
    }

    @Test
    void aCheckThatAsksForAWeightKeepsItWhileUpAndTellsEachChange() throws Exception {
        ProbeKey k = key("10.77.1.11");
        Thresholds t = new Thresholds(2, 1);
        CheckResult ten =
                CheckResult.upWithWeight(Duration.ZERO, "external: exit 12, weight 10", 10);
        assertEquals(List.of(HealthEvent.Kind.WENT_UP), kinds(book.record(k, t, ten, T0)));
        assertEquals(OptionalInt.of(10), book.weight(k));
        assertEquals(
                List.of(),
                kinds(book.record(k, t, ten, T0.plusSeconds(1))),
                "the same weight again: nothing");
        CheckResult three =
                CheckResult.upWithWeight(Duration.ZERO, "external: exit 5, weight 3", 3);
        List<HealthEvent> changed = book.record(k, t, three, T0.plusSeconds(2));
        assertEquals(List.of(HealthEvent.Kind.WEIGHT_CHANGED), kinds(changed));
        assertEquals(OptionalInt.of(3), changed.get(0).result().weight());
        // a soft failure keeps the weight; exit 0 goes back to the configured one
        assertEquals(
                List.of(HealthEvent.Kind.SOFT_FAILURE),
                kinds(book.record(k, t, FAIL, T0.plusSeconds(3))));
        assertEquals(OptionalInt.of(3), book.weight(k));
        assertEquals(
                List.of(HealthEvent.Kind.SOFT_FAILURE_RESET, HealthEvent.Kind.WEIGHT_CHANGED),
                kinds(book.record(k, t, OK, T0.plusSeconds(4))));
        assertEquals(OptionalInt.empty(), book.weight(k));
        // down forgets it: coming back up without a weight asks for nothing
        book.record(k, t, ten, T0.plusSeconds(5));
        book.record(k, t, FAIL, T0.plusSeconds(6));
        book.record(k, t, FAIL, T0.plusSeconds(7));
        assertEquals(Health.DOWN, book.health(k));
        assertEquals(OptionalInt.empty(), book.weight(k));
        assertEquals(
                List.of(HealthEvent.Kind.WENT_UP), kinds(book.record(k, t, OK, T0.plusSeconds(8))));
        assertEquals(OptionalInt.empty(), book.weight(k));
    }

    @Test
    void newRealIsNotUpUntilItsFirstCheckPasses() throws Exception {
        ProbeKey k = key("10.77.1.11");
        assertEquals(Health.UNKNOWN, book.health(k));
        assertEquals(
                List.of(HealthEvent.Kind.WENT_UP),
                kinds(book.record(k, Thresholds.LDIRECTORD, OK, T0)));
        assertEquals(Health.UP, book.health(k));
    }

    @Test
    void newRealThatFailsGoesDownAtOnceWhateverTheFailurecount() throws Exception {
        ProbeKey k = key("10.77.1.11");
        List<HealthEvent> ev = book.record(k, new Thresholds(3, 1), FAIL, T0);
        assertEquals(List.of(HealthEvent.Kind.WENT_DOWN), kinds(ev));
        assertEquals(Health.UNKNOWN, ev.get(0).from());
        assertEquals(Health.DOWN, book.health(k));
    }

    @Test
    void upRealNeedsFailurecountConsecutiveFailuresAndSoftFailuresAreReported() throws Exception {
        ProbeKey k = key("10.77.1.11");
        Thresholds t = new Thresholds(3, 1);
        book.record(k, t, OK, T0);
        List<HealthEvent> first = book.record(k, t, FAIL, T0.plusSeconds(1));
        assertEquals(List.of(HealthEvent.Kind.SOFT_FAILURE), kinds(first));
        assertEquals(1, first.get(0).streak());
        assertEquals(3, first.get(0).needed());
        assertEquals(
                List.of(HealthEvent.Kind.SOFT_FAILURE),
                kinds(book.record(k, t, FAIL, T0.plusSeconds(2))));
        assertEquals(Health.UP, book.health(k));
        assertEquals(
                List.of(HealthEvent.Kind.WENT_DOWN),
                kinds(book.record(k, t, FAIL, T0.plusSeconds(3))));
        assertEquals(Health.DOWN, book.health(k));
        // down and still failing: nothing to say
        assertEquals(List.of(), book.record(k, t, FAIL, T0.plusSeconds(4)));
    }

    @Test
    void aSuccessBetweenFailuresResetsTheSoftFailureCount() throws Exception {
        ProbeKey k = key("10.77.1.11");
        Thresholds t = new Thresholds(2, 1);
        book.record(k, t, OK, T0);
        book.record(k, t, FAIL, T0.plusSeconds(1));
        assertEquals(
                List.of(HealthEvent.Kind.SOFT_FAILURE_RESET),
                kinds(book.record(k, t, OK, T0.plusSeconds(2))));
        assertEquals(
                List.of(HealthEvent.Kind.SOFT_FAILURE),
                kinds(book.record(k, t, FAIL, T0.plusSeconds(3))));
        assertEquals(Health.UP, book.health(k));
        assertEquals(
                List.of(),
                book.record(k, t, OK, T0.plusSeconds(4)).stream()
                        .filter(e -> e.kind() != HealthEvent.Kind.SOFT_FAILURE_RESET)
                        .toList());
    }

    @Test
    void oneSuccessBringsADownRealBackWithLdirectordsRule() throws Exception {
        ProbeKey k = key("10.77.1.11");
        book.record(k, Thresholds.LDIRECTORD, FAIL, T0);
        assertEquals(
                List.of(HealthEvent.Kind.WENT_UP),
                kinds(book.record(k, Thresholds.LDIRECTORD, OK, T0.plusSeconds(1))));
    }

    @Test
    void successcountGivesSymmetricHysteresisAndAFailureRestartsTheRise() throws Exception {
        ProbeKey k = key("10.77.1.11");
        Thresholds t = new Thresholds(1, 3);
        book.record(k, t, FAIL, T0);
        assertEquals(
                List.of(HealthEvent.Kind.RISING), kinds(book.record(k, t, OK, T0.plusSeconds(1))));
        assertEquals(
                List.of(HealthEvent.Kind.RISING), kinds(book.record(k, t, OK, T0.plusSeconds(2))));
        assertEquals(List.of(), book.record(k, t, FAIL, T0.plusSeconds(3)));
        book.record(k, t, OK, T0.plusSeconds(4));
        book.record(k, t, OK, T0.plusSeconds(5));
        assertEquals(Health.DOWN, book.health(k));
        assertEquals(
                List.of(HealthEvent.Kind.WENT_UP), kinds(book.record(k, t, OK, T0.plusSeconds(6))));
        assertEquals(T0.plusSeconds(6), book.entry(k).since().orElseThrow());
    }

    @Test
    void maintenanceForcesDownOnceAndTheRealNeedsACheckToReturn() throws Exception {
        ProbeKey k = key("10.77.1.11");
        book.record(k, Thresholds.LDIRECTORD, OK, T0);
        CheckResult maint = CheckResult.down(Duration.ZERO, "Server in maintenance");
        assertTrue(book.forceDown(k, maint, T0.plusSeconds(1)).isPresent());
        assertTrue(book.forceDown(k, maint, T0.plusSeconds(2)).isEmpty());
        assertEquals(Health.DOWN, book.health(k));
        assertEquals(
                List.of(HealthEvent.Kind.WENT_UP),
                kinds(book.record(k, Thresholds.LDIRECTORD, OK, T0.plusSeconds(3))));
    }

    @Test
    void retainKeepsTheStateOfUnchangedKeysAndForgetsTheRest() throws Exception {
        ProbeKey kept = key("10.77.1.11");
        ProbeKey gone = key("10.77.1.12");
        book.record(kept, Thresholds.LDIRECTORD, OK, T0);
        book.record(gone, Thresholds.LDIRECTORD, OK, T0);
        book.retain(Set.of(kept, key("10.77.1.13")));
        assertEquals(Health.UP, book.health(kept));
        assertEquals(Health.UNKNOWN, book.health(gone));
        assertEquals(Set.of(kept), book.snapshot().keySet());
    }
}
