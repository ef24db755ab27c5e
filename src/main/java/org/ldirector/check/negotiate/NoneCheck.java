package org.ldirector.check.negotiate;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.ProbeTarget;

/**
 * service=none: ldirectord's check_none marks the real up without touching it, so a negotiate check
 * of an unknown service only proves the configuration was read.
 */
final class NoneCheck implements Checker {
    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget target) {
        return CompletableFuture.completedFuture(
                CheckResult.up(Duration.ZERO, "service none: up without a probe"));
    }
}
