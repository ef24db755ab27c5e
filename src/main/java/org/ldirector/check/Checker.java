package org.ldirector.check;

import java.util.concurrent.CompletableFuture;

/**
 * Probes one real once. Implementations never block the calling thread, always complete the future
 * (a timeout is a down result, not an exception), and know nothing of IPVS, scheduling or failure
 * counting: dampening lives in one place above them.
 */
@FunctionalInterface
public interface Checker {
    CompletableFuture<CheckResult> check(ProbeTarget target);
}
