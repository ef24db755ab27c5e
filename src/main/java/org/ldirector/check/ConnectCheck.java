package org.ldirector.check;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * ldirectord's {@code check_connect}: a TCP connect to the check port within checktimeout, closed
 * at once; up when the handshake completes. Non-blocking (NIO channel group), so a real that never
 * answers costs a timer entry, not a thread.
 */
final class ConnectCheck implements Checker {
    private final CheckContext ctx;

    ConnectCheck(CheckContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        long start = ctx.nanoTime();
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        int port = t.checkPort().orElse(t.realPort());
        if (port <= 0) {
            result.complete(CheckResult.down(Duration.ZERO, "connect: no port to check (set checkport)"));
            return result;
        }
        Duration timeout = t.spec().checkTimeout();
        AsynchronousSocketChannel ch;
        try {
            ch = AsynchronousSocketChannel.open(ctx.channels());
        } catch (IOException | RuntimeException e) {
            result.complete(CheckResult.down(ctx.since(start), "connect: cannot open socket: " + e.getMessage()));
            return result;
        }
        ScheduledFuture<?> alarm = ctx.timer().schedule(() -> {
            if (result.complete(CheckResult.down(ctx.since(start), "timeout after " + seconds(timeout)))) {
                close(ch);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            ch.connect(new InetSocketAddress(t.realAddress(), port), null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void v, Void a) {
                    alarm.cancel(false);
                    close(ch);
                    result.complete(CheckResult.up(ctx.since(start), "connected"));
                }

                @Override
                public void failed(Throwable e, Void a) {
                    alarm.cancel(false);
                    close(ch);
                    result.complete(CheckResult.down(ctx.since(start), reason(e)));
                }
            });
        } catch (RuntimeException e) {
            alarm.cancel(false);
            close(ch);
            result.complete(CheckResult.down(ctx.since(start), "connect: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        return result;
    }

    static String reason(Throwable e) {
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        String m = String.valueOf(e.getMessage());
        if (e instanceof ConnectException && m.toLowerCase(Locale.ROOT).contains("refused")) {
            return "connect refused";
        }
        return "connect failed: " + m;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    private static void close(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was sent; a failed close leaks nothing we could recover
        }
    }
}
