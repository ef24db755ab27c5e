package org.ldirector.check;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.ldirector.config.Protocol;

/**
 * {@code checktype = N}: N connect checks for every negotiate check, by ldirectord's counter rules
 * ({@link ConnectCounter}). Checks of one real are expected one at a time (the scheduler never
 * overlaps probes of a real), so the counter is read when a check starts and updated when it ends.
 */
final class CombinedCheck implements Checker {
    private final Checker negotiate;
    private final Checker connect;
    private final ConnectCounter counter;

    CombinedCheck(Checker negotiate, Checker connect, ConnectCounter counter) {
        this.negotiate = negotiate;
        this.connect = connect;
        this.counter = counter;
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        ConnectCounter.Key k = ConnectCounter.Key.of(t);
        if (counter.negotiateNext(k, t.spec().numConnects())) {
            return negotiate
                    .check(t)
                    .thenApply(
                            r -> {
                                counter.negotiated(k, r.up());
                                return r;
                            });
        }
        if (t.protocol() == Protocol.UDP) {
            // ldirectord's combined branch calls check_connect even on udp, whose connect(2) sends
            // nothing and always succeeds: the connect rounds are free passes, the negotiate
            // decides
            counter.connected(k, true);
            return CompletableFuture.completedFuture(
                    CheckResult.up(Duration.ZERO, "udp connect (nothing sent, as ldirectord)"));
        }
        return connect.check(t)
                .thenApply(
                        r -> {
                            counter.connected(k, r.up());
                            return r;
                        });
    }
}
