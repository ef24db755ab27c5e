package org.ldirector.check;

import java.util.concurrent.CompletableFuture;

/**
 * ldirectord's {@code check_ping}: up at the first echo reply of checkcount attempts, each waiting
 * checktimeout. IPv6 too (ldirectord's Net::Ping "icmp" is IPv4 only).
 */
final class PingCheck implements Checker {
    private final CheckContext ctx;

    PingCheck(CheckContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        return ctx.pinger().ping(t.realAddress(), t.spec().checkTimeout(), t.spec().checkCount());
    }
}
