package org.ldirector.check.kinds;

import java.util.Optional;
import java.util.function.Function;
import org.ldirector.check.CheckContext;
import org.ldirector.check.Checker;
import org.ldirector.check.Checkers;
import org.ldirector.check.http.HttpCheck;
import org.ldirector.check.negotiate.Negotiators;
import org.ldirector.config.ServiceType;

/**
 * Every kind of check put together: the one place that knows both {@code check.http} and {@code
 * check.negotiate}, so that {@code check} itself, which both build on, depends on neither.
 */
public final class Kinds {
    private Kinds() {}

    /** The production {@link Checkers}: every checktype, every negotiate service ldirector has. */
    public static Checkers checkers(CheckContext ctx) {
        return new Checkers(ctx, negotiators(ctx));
    }

    /**
     * http, https and http_proxy on one shared {@link HttpCheck}; every other service's dialogue
     * from {@link Negotiators}.
     */
    public static Function<ServiceType, Optional<Checker>> negotiators(CheckContext ctx) {
        HttpCheck http = new HttpCheck(ctx);
        return s ->
                s == ServiceType.HTTP || s == ServiceType.HTTPS || s == ServiceType.HTTP_PROXY
                        ? Optional.of(http)
                        : Negotiators.forService(s, ctx.blockingIo(), ctx.timer(), ctx.match());
    }
}
