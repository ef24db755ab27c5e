package org.ldirector.check.negotiate;

import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.ldirector.check.BoundedMatch;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * Runs a {@link Conversation} on the blocking executor under negotiatetimeout. The clock starts
 * when {@link #check} is called, so time spent queued for a worker counts against the deadline; at
 * the deadline the timer completes the future with "timeout after N s" and closes the sockets,
 * whether or not the worker thread has noticed yet. The future never completes exceptionally.
 */
final class DialogueChecker implements Checker {
    private final String service;
    private final Conversation conversation;
    private final ExecutorService blockingIo;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoTime;
    private final BoundedMatch match;

    DialogueChecker(
            String service,
            Conversation conversation,
            ExecutorService blockingIo,
            ScheduledExecutorService timer,
            LongSupplier nanoTime) {
        this(service, conversation, blockingIo, timer, nanoTime, BoundedMatch.standard());
    }

    /**
     * @param match the limit receive regexes run under, on the dialogue's worker thread
     */
    DialogueChecker(
            String service,
            Conversation conversation,
            ExecutorService blockingIo,
            ScheduledExecutorService timer,
            LongSupplier nanoTime,
            BoundedMatch match) {
        this.match = match;
        this.service = service;
        this.conversation = conversation;
        this.blockingIo = blockingIo;
        this.timer = timer;
        this.nanoTime = nanoTime;
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        long start = nanoTime.getAsLong();
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        int port = t.checkPort().orElse(t.realPort());
        if (port <= 0) {
            result.complete(
                    CheckResult.down(
                            Duration.ZERO, service + ": no port to check (set checkport)"));
            return result;
        }
        Duration timeout = t.spec().negotiateTimeout();
        Dialogue d =
                new Dialogue(
                        new InetSocketAddress(t.realAddress(), port),
                        timeout,
                        start,
                        nanoTime,
                        blockingIo,
                        match);
        d.secret(t.spec().passwd().reveal());
        d.secret(t.spec().secret().reveal());
        try {
            ScheduledFuture<?> alarm =
                    timer.schedule(
                            () -> {
                                // the verdict first, so a slow close can never make the result late
                                result.complete(
                                        CheckResult.down(elapsed(start), Reasons.timeout(timeout)));
                                d.expire();
                            },
                            timeout.toNanos(),
                            TimeUnit.NANOSECONDS);
            blockingIo.execute(
                    () -> {
                        CheckResult r = run(d, t, start, timeout);
                        alarm.cancel(false);
                        result.complete(r);
                    });
        } catch (RejectedExecutionException e) {
            d.closeAll();
            result.complete(
                    CheckResult.down(
                            elapsed(start), service + ": probe executor is shut down or full"));
        }
        return result;
    }

    private CheckResult run(Dialogue d, ProbeTarget t, long start, Duration timeout) {
        Outcome o;
        try {
            o = conversation.talk(d, t);
        } catch (Exception e) {
            // a bug in a dialogue (a RuntimeException) is still a down result, never a lost probe
            o = Outcome.down(d.expired() ? Reasons.timeout(timeout) : reason(e, timeout));
        } finally {
            d.closeAll();
        }
        return new CheckResult(o.up(), elapsed(start), d.scrub(o.reason()));
    }

    private Duration elapsed(long start) {
        return Duration.ofNanos(nanoTime.getAsLong() - start);
    }

    /** The operator's one-line reading of how a dialogue failed. */
    private String reason(Throwable e, Duration timeout) {
        Throwable c = e;
        // JDBC and TLS wrap the socket error that says what happened; find it
        for (int i = 0; i < 8 && c != null; i++, c = c.getCause()) {
            if (c instanceof Down) {
                return c.getMessage();
            }
            if (c instanceof SocketTimeoutException) {
                return Reasons.timeout(timeout);
            }
            if (c instanceof PortUnreachableException) {
                return "connect refused (ICMP port unreachable)";
            }
            Optional<String> connect = Reasons.connectFailure(c);
            if (connect.isPresent()) {
                return connect.get();
            }
        }
        if (e instanceof SSLException) {
            return "TLS handshake failed: " + Reasons.quote(String.valueOf(e.getMessage()));
        }
        if (e instanceof EOFException) {
            return service + ": connection closed by peer";
        }
        if (e instanceof SocketException) {
            return service + ": " + Reasons.quote(String.valueOf(e.getMessage()));
        }
        return service
                + ": "
                + e.getClass().getSimpleName()
                + ": "
                + Reasons.quote(String.valueOf(e.getMessage()));
    }
}
