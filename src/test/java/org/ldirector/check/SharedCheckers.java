package org.ldirector.check;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.ldirector.check.kinds.Kinds;

/**
 * One production {@link Checkers} (with its real context: reactor, ping sockets) per test class,
 * closed after the class: {@code @RegisterExtension static final SharedCheckers CHECKERS = new
 * SharedCheckers();}
 */
public final class SharedCheckers implements BeforeAllCallback, AfterAllCallback {
    private CheckContext ctx;
    private Checkers checkers;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ctx = CheckContext.create();
        checkers = Kinds.checkers(ctx);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ctx.close();
    }

    public CompletableFuture<CheckResult> check(ProbeTarget target) {
        return checkers.check(target);
    }

    /**
     * Runs one probe and waits for its result (30 s at most: a hung probe fails the test, not the
     * build).
     */
    public CheckResult run(Targets t) throws Exception {
        return run(t.target());
    }

    /** As {@link #run(Targets)}, for a target built by hand. */
    public CheckResult run(ProbeTarget target) throws Exception {
        return checkers.check(target).get(30, TimeUnit.SECONDS);
    }
}
