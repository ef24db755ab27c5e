package org.ldirector.check.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ldirector.check.AnswerBudget;
import org.ldirector.check.BoundedMatch;
import org.ldirector.check.CheckContext;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checkers;
import org.ldirector.check.Targets;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.CheckType;

/**
 * What a real's answer may cost the director: the receive regex runs off the probe loop under a
 * limit, and the bytes of answers in flight come from one budget that every outcome gives back.
 */
class AnswerLimitsTest {
    private static final int KIB = 1024;

    private static CheckResult run(Checkers c, Targets t) throws Exception {
        return c.check(t.target()).get(30, TimeUnit.SECONDS);
    }

    /**
     * The pattern on one long line without "OK": down with the limit's reason, not a frozen
     * loop.
     */
    @Test
    void aRegexPastItsLimitIsDownWithTheReason() throws Exception {
        try (CheckContext ctx =
                        CheckContext.builder()
                                .match(
                                        new BoundedMatch(
                                                Duration.ofMillis(100),
                                                BoundedMatch.threadCpuTime()))
                                .build();
                RawServer real = RawServer.fixed(RawServer.ok(RawServer.line(256 * KIB, "")))) {
            CheckResult r = run(Kinds.checkers(ctx), real.http().receive(".*OK.*"));
            assertFalse(r.up());
            assertEquals("receive: regex took more than 100 ms on 262144 bytes", r.reason());
        }
    }

    /**
     * While a regex runs (here held for three seconds by a wall-clock limit), connect and
     * plain-http probes on the same loop keep completing: the loop never runs a regex.
     */
    @Test
    void theLoopServesOtherProbesWhileARegexRuns() throws Exception {
        CountDownLatch searching = new CountDownLatch(1);
        AtomicInteger readings = new AtomicInteger();
        BoundedMatch slow =
                new BoundedMatch(
                        Duration.ofSeconds(3),
                        () -> {
                            if (readings.incrementAndGet() == 2) {
                                searching.countDown(); // the first reading sets the deadline; the
                                // second is mid-search
                            }
                            return System.nanoTime();
                        });
        try (CheckContext ctx = CheckContext.builder().match(slow).build();
                RawServer big = RawServer.fixed(RawServer.ok(RawServer.line(4 << 20, "")));
                RawServer small =
                        RawServer.fixed(RawServer.ok("ok".getBytes(StandardCharsets.ISO_8859_1)))) {
            Checkers checkers = Kinds.checkers(ctx);
            CompletableFuture<CheckResult> stuck =
                    checkers.check(big.http().receive(".*OK.*").target());
            assertTrue(searching.await(20, TimeUnit.SECONDS), "the search never started");
            List<CompletableFuture<CheckResult>> others = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                others.add(checkers.check(small.http().target()));
                others.add(checkers.check(Targets.of(CheckType.CONNECT, small.port()).target()));
            }
            CompletableFuture.allOf(others.toArray(CompletableFuture[]::new))
                    .get(2500, TimeUnit.MILLISECONDS);
            assertFalse(stuck.isDone(), "the others were done while the regex still ran");
            for (CompletableFuture<CheckResult> f : others) {
                assertTrue(f.join().up(), f.join().reason());
            }
            CheckResult r = stuck.get(20, TimeUnit.SECONDS);
            assertEquals("receive: regex took more than 3000 ms on 4194304 bytes", r.reason());
        }
    }

    /**
     * Every way a probe ends gives its share of the budget back: found, not found, too slow, timed
     * out, redirected.
     */
    @Test
    void theBudgetComesBackAfterEveryOutcome() throws Exception {
        byte[] body = RawServer.line(300 * KIB, "healthy");
        try (CheckContext ctx =
                        CheckContext.builder()
                                .answerBudget(1 << 20)
                                .match(
                                        new BoundedMatch(
                                                Duration.ofMillis(50),
                                                BoundedMatch.threadCpuTime()))
                                .build();
                RawServer real = RawServer.fixed(RawServer.ok(body));
                RawServer hanging =
                        new RawServer(
                                (out, in) -> {
                                    out.write(
                                            ("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
                                                    .getBytes(StandardCharsets.ISO_8859_1));
                                    out.write(new byte[100 * KIB]);
                                    out.flush();
                                    in.read(); // until the probe gives up
                                });
                RawServer redirect =
                        RawServer.fixed(
                                ("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:"
                                                + real.port()
                                                + "/\r\nContent-Length: 0\r\n\r\n")
                                        .getBytes(StandardCharsets.ISO_8859_1))) {
            Checkers c = Kinds.checkers(ctx);
            AnswerBudget budget = ctx.answerBudget();

            CheckResult found = run(c, real.http().receive("healthy$"));
            assertTrue(found.up(), found.reason());
            assertEquals(0, budget.inUse());
            assertTrue(
                    budget.peak() >= body.length,
                    "a 300 KiB answer took a share: peak " + budget.peak());

            CheckResult missing = run(c, real.http().receive("broken"));
            assertEquals(
                    "receive /broken/ not found in " + body.length + " bytes", missing.reason());
            assertEquals(0, budget.inUse());

            CheckResult tooSlow = run(c, real.http().receive(".*OK.*"));
            assertEquals(
                    "receive: regex took more than 50 ms on " + body.length + " bytes",
                    tooSlow.reason());
            assertEquals(0, budget.inUse());

            CheckResult timedOut =
                    run(
                            c,
                            hanging.http()
                                    .receive("x")
                                    .timeouts(Duration.ofSeconds(3), Duration.ofMillis(500)));
            assertEquals("timeout after 0.5 s", timedOut.reason());
            assertEquals(0, budget.inUse());

            CheckResult followed = run(c, redirect.http().receive("healthy$"));
            assertTrue(followed.up(), followed.reason());
            assertEquals(0, budget.inUse());
            assertTrue(budget.peak() <= budget.total());
        }
    }

    /**
     * With the budget all taken, a large answer on the probe loop waits for it instead of being
     * judged on a prefix (its text is at the very end), while small answers go on; once the budget
     * is free it is read whole and found.
     */
    @Test
    void aLargeAnswerWaitsForTheBudgetWhileSmallOnesGoOn() throws Exception {
        try (CheckContext ctx = CheckContext.builder().answerBudget(1 << 20).build();
                RawServer big =
                        RawServer.fixed(RawServer.ok(RawServer.line(500 * KIB, "healthy")));
                RawServer small = RawServer.fixed(RawServer.ok(RawServer.line(8 * KIB, "ok")))) {
            Checkers c = Kinds.checkers(ctx);
            AnswerBudget.Hold all = ctx.answerBudget().tryTake(ctx.answerBudget().total());
            assertNotNull(all);
            CompletableFuture<CheckResult> waiting =
                    c.check(big.http().receive("healthy$").target());
            for (int i = 0; i < 20; i++) {
                CheckResult r = run(c, small.http().receive("ok$"));
                assertTrue(r.up(), r.reason());
            }
            assertFalse(
                    waiting.isDone(),
                    "judged without its share: " + (waiting.isDone() ? waiting.join() : ""));
            all.release();
            CheckResult r = waiting.get(10, TimeUnit.SECONDS);
            assertTrue(r.up(), r.reason());
            assertEquals(0, ctx.answerBudget().inUse());
        }
    }

    /**
     * The HTTP client's path (here after a redirect) cannot hold the real back: with the budget all
     * taken it keeps its allowance, judges that prefix, and says why.
     */
    @Test
    void theClientPathJudgesItsAllowanceWhenTheBudgetIsTaken() throws Exception {
        try (CheckContext ctx = CheckContext.builder().answerBudget(1 << 20).build();
                RawServer big =
                        RawServer.fixed(RawServer.ok(RawServer.line(500 * KIB, "healthy")));
                RawServer redirect =
                        RawServer.fixed(
                                ("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:"
                                                + big.port()
                                                + "/\r\nContent-Length: 0\r\n\r\n")
                                        .getBytes(StandardCharsets.ISO_8859_1))) {
            Checkers c = Kinds.checkers(ctx);
            AnswerBudget.Hold all = ctx.answerBudget().tryTake(ctx.answerBudget().total());
            CheckResult prefix = run(c, redirect.http().receive("^xxxx"));
            assertTrue(prefix.up(), prefix.reason());
            CheckResult cut = run(c, redirect.http().receive("healthy$"));
            assertEquals(
                    "receive /healthy$/ not found in 16384 bytes (body cut at 16384 bytes: answer"
                            + " budget in use)",
                    cut.reason());
            all.release();
            assertEquals(0, ctx.answerBudget().inUse());
            CheckResult whole = run(c, redirect.http().receive("healthy$"));
            assertTrue(whole.up(), whole.reason());
        }
    }
}
