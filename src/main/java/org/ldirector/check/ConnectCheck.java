package org.ldirector.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * ldirectord's {@code check_connect}: a TCP connect to the check port within checktimeout, closed
 * at once; up when the handshake completes. Runs on the shared {@link ProbeLoop}, so a real that
 * never answers costs a socket and a deadline, not a thread, and the timeout counts from the
 * connect.
 */
final class ConnectCheck implements Checker {
    private final CheckContext ctx;

    ConnectCheck(CheckContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        int port = t.checkPort().orElse(t.realPort());
        if (port <= 0) {
            result.complete(
                    CheckResult.down(Duration.ZERO, "connect: no port to check (set checkport)"));
            return result;
        }
        Duration timeout = t.spec().checkTimeout();
        InetSocketAddress to = new InetSocketAddress(t.realAddress(), port);
        ctx.probeLoop()
                .submit(
                        new ProbeLoop.Session() {
                            @Override
                            protected InetSocketAddress remote() {
                                return to;
                            }

                            @Override
                            protected long timeoutNanos() {
                                return timeout.toNanos();
                            }

                            @Override
                            protected ByteBuffer connected() {
                                return null; // the handshake was the check: closed at once, nothing
                                // sent
                            }

                            @Override
                            protected void ended(ProbeLoop.End how, IOException error) {
                                result.complete(
                                        switch (how) {
                                            // measured by the loop, which reads its clock once a
                                            // turn, not twice a probe
                                            case DONE -> CheckResult.up(elapsed(), "connected");
                                            case TIMEOUT ->
                                                    CheckResult.down(
                                                            elapsed(), Reasons.timeout(timeout));
                                            default ->
                                                    CheckResult.down(
                                                            elapsed(),
                                                            error == null
                                                                    ? "connect failed"
                                                                    : reason(error));
                                        });
                            }
                        });
        return result;
    }

    static String reason(Throwable e) {
        return Reasons.connectFailure(e)
                .orElseGet(() -> "connect failed: " + Reasons.quote(e.getMessage()));
    }
}
