package org.ldirector.check;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.CheckType;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

/**
 * From a probe's {@code checktype}, protocol and service to the checker that probes it, as
 * ldirectord's {@code _check_real} dispatches. Also a {@link Checker} itself, so a scheduler can
 * hand every {@link ProbeTarget} here. Holds the per-real state of {@code checktype = N} ({@link
 * #connectCounter()}); everything else is stateless and shared.
 *
 * <p>The negotiate checkers (http, the dialogues) come from outside, so that this package depends
 * on none of the packages that implement them; {@code org.ldirector.check.kinds.Kinds} puts the
 * whole set together.
 */
public final class Checkers implements Checker {
    private final Checker connect;
    private final Checker ping;
    private final Checker external;
    private final Checker externalPerl;
    private final ConnectCounter counter = new ConnectCounter();
    private final Function<ServiceType, Optional<Checker>> negotiate;
    private final Map<ServiceType, Optional<Checker>> negotiators = new ConcurrentHashMap<>();
    private final Checker combined;

    /**
     * @param negotiate the checker of {@code checktype = negotiate} for a service, built once per
     *     service on first use; empty when there is none
     */
    public Checkers(CheckContext ctx, Function<ServiceType, Optional<Checker>> negotiate) {
        this.negotiate = negotiate;
        this.connect = new ConnectCheck(ctx);
        this.ping = new PingCheck(ctx);
        this.external = ExternalCheck.plain(ctx);
        this.externalPerl = ExternalCheck.perl(ctx);
        this.combined = new CombinedCheck(this::negotiate, connect, counter);
    }

    /**
     * Why a spec cannot be checked here, for the config check to report (oracle needs Oracle's
     * proprietary driver, which ldirector does not ship); empty when it can.
     */
    public static Optional<String> unsupported(CheckSpec spec) {
        boolean negotiates =
                spec.type() == CheckType.NEGOTIATE || spec.type() == CheckType.COMBINED;
        if (negotiates && spec.service() == ServiceType.ORACLE) {
            return Optional.of(
                    "service = oracle is not supported: it needs Oracle's proprietary JDBC driver; "
                            + "use checktype = connect, or an external check with sqlplus");
        }
        return Optional.empty();
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        // every probe's result leaves through here: the last guard on what a reason may hold
        return checkerFor(t.spec().type(), t.protocol()).check(t).thenApply(Reasons::guard);
    }

    /** The checker for one checktype on one protocol. */
    public Checker checkerFor(CheckType type, Protocol protocol) {
        return switch (type) {
            // check_connect on a udp virtual is a ping in ldirectord: a udp connect(2) proves
            // nothing
            case CONNECT -> protocol == Protocol.UDP ? ping : connect;
            case PING -> ping;
            case NEGOTIATE -> this::negotiate;
            case COMBINED -> combined;
            case EXTERNAL -> external;
            case EXTERNAL_PERL -> externalPerl;
            case ON ->
                    t ->
                            CompletableFuture.completedFuture(
                                    CheckResult.up(Duration.ZERO, "checktype on"));
            case OFF ->
                    t ->
                            CompletableFuture.completedFuture(
                                    CheckResult.down(Duration.ZERO, "checktype off"));
        };
    }

    private CompletableFuture<CheckResult> negotiate(ProbeTarget t) {
        ServiceType s = t.spec().service();
        Optional<Checker> c = negotiators.computeIfAbsent(s, negotiate);
        if (c.isEmpty()) {
            return CompletableFuture.completedFuture(
                    CheckResult.down(
                            Duration.ZERO,
                            unsupported(t.spec())
                                    .orElse("service = " + s.keyword() + ": no negotiate check")));
        }
        return c.get().check(t);
    }

    /** The {@code checktype = N} counters; call {@link ConnectCounter#retain} after a reload. */
    public ConnectCounter connectCounter() {
        return counter;
    }
}
