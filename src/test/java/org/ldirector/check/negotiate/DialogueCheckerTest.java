package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.Reasons;
import org.ldirector.config.ServiceType;

/** What every dialogue gets from DialogueChecker, whatever the service. */
class DialogueCheckerTest {
    private final ExecutorService io = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        io.shutdownNow();
        timer.shutdownNow();
    }

    private CheckResult run(Conversation c, Probe p) throws Exception {
        return new DialogueChecker("test", c, io, timer, System::nanoTime)
                .check(p.target())
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBugInADialogueIsADownResultNotAFailedFuture() throws Exception {
        CheckResult r =
                run(
                        (d, t) -> {
                            throw new IllegalStateException("boom");
                        },
                        Probe.of(ServiceType.SMTP, 25));
        assertFalse(r.up());
        assertEquals("test: IllegalStateException: boom", r.reason());
    }

    @Test
    void passwordsAndSecretsAreScrubbedFromReasons() throws Exception {
        CheckResult r =
                run(
                        (d, t) -> Outcome.down("server said: bad pw hunter2 for secret xyzzy"),
                        Probe.of(ServiceType.RADIUS, 1812).login("u", "hunter2").secret("xyzzy"));
        assertEquals("server said: bad pw ******** for secret ********", r.reason());
    }

    @Test
    void aSecretIsScrubbedAsAReasonShowsItEscapedAndWhereAQuoteCutIt() throws Exception {
        String pw = "tab\there-and-long";
        String echoed = "x".repeat(110) + "PASS " + pw; // the quote's cut falls inside the password
        CheckResult r =
                run(
                        (d, t) ->
                                Outcome.down(
                                        "server said: "
                                                + Reasons.quote(echoed)
                                                + "; again "
                                                + Reasons.quote(pw)),
                        Probe.of(ServiceType.POP, 110).login("u", pw));
        assertEquals(
                "server said: " + "x".repeat(110) + "PASS ********...; again ********", r.reason());
    }

    @Test
    void dialogueNeverRunsOnTheCallersThread() throws Exception {
        Thread caller = Thread.currentThread();
        CheckResult r =
                run(
                        (d, t) ->
                                Outcome.up(Thread.currentThread() == caller ? "caller" : "worker"),
                        Probe.of(ServiceType.SMTP, 25));
        assertEquals("worker", r.reason());
    }

    @Test
    void timeQueuedForAWorkerCountsAgainstTheDeadline() throws Exception {
        // one worker, busy: the second check must still end at its own deadline, not after the
        // first
        ExecutorService single = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            single.execute(
                    () -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            long start = System.nanoTime();
            CheckResult r =
                    new DialogueChecker(
                                    "test",
                                    (d, t) -> Outcome.up("ran"),
                                    single,
                                    timer,
                                    System::nanoTime)
                            .check(
                                    Probe.of(ServiceType.SMTP, 25)
                                            .timeout(Duration.ofMillis(300))
                                            .target())
                            .get(5, TimeUnit.SECONDS);
            assertFalse(r.up());
            assertEquals("timeout after 0.3 s", r.reason());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
        } finally {
            release.countDown();
            single.shutdownNow();
        }
    }

    @Test
    void aShutDownExecutorIsADownResult() throws Exception {
        ExecutorService dead = Executors.newSingleThreadExecutor();
        dead.shutdown();
        CheckResult r =
                new DialogueChecker(
                                "test", (d, t) -> Outcome.up("ran"), dead, timer, System::nanoTime)
                        .check(Probe.of(ServiceType.SMTP, 25).target())
                        .get(5, TimeUnit.SECONDS);
        assertFalse(r.up());
        assertTrue(r.reason().contains("executor"), r.reason());
    }

    @Test
    void latencyIsMeasuredWithTheInjectedClock() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        CheckResult r =
                new DialogueChecker(
                                "test",
                                (d, t) -> {
                                    now.addAndGet(42_000_000);
                                    return Outcome.up("ok");
                                },
                                io,
                                timer,
                                now::get)
                        .check(Probe.of(ServiceType.SMTP, 25).target())
                        .get(5, TimeUnit.SECONDS);
        assertEquals(Duration.ofMillis(42), r.latency());
    }

    @Test
    void noSocketOperationStartsPastTheDeadlineOfTheInjectedClock() throws Exception {
        AtomicLong now = new AtomicLong(0);
        try (ScriptedPeer p = ScriptedPeer.start(c -> c.send("220 ready\r\n"))) {
            CheckResult r =
                    new DialogueChecker(
                                    "test",
                                    (d, t) -> {
                                        now.addAndGet(
                                                Duration.ofSeconds(5)
                                                        .toNanos()); // the real took 5 s of a 3 s
                                        // budget
                                        d.connect();
                                        return Outcome.up("connected after the deadline");
                                    },
                                    io,
                                    timer,
                                    now::get)
                            .check(Probe.of(ServiceType.SMTP, p.port()).target())
                            .get(5, TimeUnit.SECONDS);
            assertFalse(r.up());
            assertEquals("timeout after 3.0 s", r.reason());
        }
    }

    @Test
    void noPortIsADownResultWithoutAProbe() throws Exception {
        CheckResult r = run((d, t) -> Outcome.up("ran"), Probe.of(ServiceType.SIMPLETCP, 0));
        assertFalse(r.up());
        assertTrue(r.reason().contains("no port to check"), r.reason());
    }

    @Test
    void everyNonHttpServiceHasAChecker() {
        for (ServiceType s :
                EnumSet.complementOf(
                        EnumSet.of(
                                ServiceType.HTTP,
                                ServiceType.HTTPS,
                                ServiceType.HTTP_PROXY,
                                ServiceType.ORACLE))) {
            assertTrue(Negotiators.forService(s, io, timer).isPresent(), s.keyword());
        }
        for (ServiceType s :
                EnumSet.of(
                        ServiceType.HTTP,
                        ServiceType.HTTPS,
                        ServiceType.HTTP_PROXY,
                        ServiceType.ORACLE)) {
            assertTrue(
                    Negotiators.forService(s, io, timer).isEmpty(),
                    s.keyword() + " belongs elsewhere");
        }
    }

    @Test
    void noneIsUpWithoutTouchingTheNetworkAsLdirectordsCheckNone() throws Exception {
        Checker none = Negotiators.forService(ServiceType.NONE, io, timer).orElseThrow();
        // port of a closed socket: a probe would fail, check_none does not probe
        CompletableFuture<CheckResult> f =
                none.check(Probe.of(ServiceType.NONE, Probe.closedTcpPort()).target());
        assertTrue(f.isDone(), "no I/O, so already complete");
        assertTrue(f.get().up());
    }
}
