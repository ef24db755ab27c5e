package org.ldirector.check;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.ldirector.net.InetText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ldirectord's {@code check_external}: runs {@code checkcommand} with the arguments ldirectord
 * passes — virtual address (or the firewall mark for a fwm virtual), virtual port ("0" for a fwm
 * virtual), real address, real port as written (0 when none was) — within checktimeout; exit status
 * 0 is up. No shell: the words are an argv array. On timeout the command and every process it
 * started are killed (ldirectord only sends SIGTERM to the direct child and leaves its children
 * running). stdout and stderr go to the debug log.
 *
 * <p>{@code external-perl} ({@link #perl}) runs the script as {@code perl SCRIPT args...}.
 * ldirectord instead evals the file inside its own interpreter ({@code sub { @ARGV=@_; ... }},
 * compiled once and cached, {@code exit} intercepted). The visible results agree — @ARGV is the
 * same, {@code exit N} is the status, {@code die} is down (perl exits 255) — but here each check is
 * a fresh process: a script can no longer keep state in globals between checks or reach
 * ldirectord's own variables, it pays perl's start-up (~10 ms) each time, and one that falls off
 * its end without {@code exit} is up (status 0) exactly as in ldirectord (undef result counted as
 * 0).
 */
final class ExternalCheck implements Checker {
    private static final Logger log = LoggerFactory.getLogger(ExternalCheck.class);
    private static final int OUTPUT_LIMIT = 64 * 1024;
    private static final File DEV_NULL = new File("/dev/null");

    private final CheckContext ctx;
    private final List<String> prefix;
    private final String kind;

    private ExternalCheck(CheckContext ctx, List<String> prefix, String kind) {
        this.ctx = ctx;
        this.prefix = prefix;
        this.kind = kind;
    }

    static ExternalCheck plain(CheckContext ctx) {
        return new ExternalCheck(ctx, List.of(), "external");
    }

    static ExternalCheck perl(CheckContext ctx) {
        return new ExternalCheck(ctx, List.of("perl"), "external-perl");
    }

    /** checkcommand followed by ldirectord's four arguments. */
    static List<String> argv(ProbeTarget t, List<String> prefix) {
        List<String> argv = new ArrayList<>(prefix);
        argv.add(t.spec().checkCommand());
        // a mark is unsigned 32-bit: 3000000000, not the int's -1294967296
        argv.add(
                t.virtualAddress()
                        .map(InetText::bracketed)
                        .orElseGet(() -> t.fwmark().map(Integer::toUnsignedString).orElse("")));
        argv.add(String.valueOf(t.virtualPort()));
        argv.add(InetText.bracketed(t.realAddress()));
        argv.add(String.valueOf(t.writtenRealPort()));
        return argv;
    }

    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        long start = ctx.nanoTime();
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        List<String> argv = argv(t, prefix);
        Duration timeout = t.spec().checkTimeout();
        try {
            // fork/exec can take milliseconds under load: never on the caller's (scheduler's)
            // thread
            ctx.blockingIo()
                    .execute(() -> run(argv, timeout, start, t.spec().externalWeight(), result));
        } catch (RejectedExecutionException e) {
            result.complete(
                    CheckResult.down(
                            ctx.since(start), kind + ": probe executor is shut down or full"));
        }
        return result;
    }

    private void run(
            List<String> argv,
            Duration timeout,
            long start,
            boolean weighted,
            CompletableFuture<CheckResult> result) {
        Process p;
        try {
            // stdin from /dev/null: a command that reads input must not hang on ours
            p =
                    new ProcessBuilder(argv)
                            .redirectErrorStream(true)
                            .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                            .start();
        } catch (IOException | RuntimeException e) {
            result.complete(
                    CheckResult.down(
                            ctx.since(start),
                            kind
                                    + ": cannot run "
                                    + argv.get(0)
                                    + ": "
                                    + Reasons.quote(e.getMessage())));
            return;
        }
        long left = timeout.toNanos() - (ctx.nanoTime() - start);
        ScheduledFuture<?> alarm =
                ctx.timer()
                        .schedule(
                                () -> {
                                    if (result.complete(
                                            CheckResult.down(
                                                    ctx.since(start), Reasons.timeout(timeout)))) {
                                        killTree(p);
                                    }
                                },
                                Math.max(0, left),
                                TimeUnit.NANOSECONDS);
        p.onExit()
                .thenAccept(
                        done -> {
                            alarm.cancel(false);
                            result.complete(
                                    verdict(done.exitValue(), ctx.since(start), kind, weighted));
                        });
        // read here, on the blocking executor: ends when every holder of the pipe has exited or
        // been killed
        String output = drain(p.getInputStream());
        if (!output.isEmpty() && log.isDebugEnabled()) {
            log.debug("{} {}: {}", kind, argv, output.strip());
        }
    }

    /**
     * Exit status 0 is up, anything else down; with externalweight=yes (keepalived's misc_dynamic)
     * 1 is down and 2 to 255 up with weight status - 2, so a script can steer its real's share.
     */
    static CheckResult verdict(int status, Duration latency, String kind, boolean weighted) {
        if (status == 0) {
            return CheckResult.up(latency, kind + ": exit 0");
        }
        if (weighted && status >= 2 && status <= 255) {
            return CheckResult.upWithWeight(
                    latency, kind + ": exit " + status + ", weight " + (status - 2), status - 2);
        }
        return CheckResult.down(latency, kind + ": exit " + status);
    }

    /**
     * Children are collected before the parent dies: once it is gone they are re-parented and no
     * longer its descendants. SIGKILL, not ldirectord's SIGTERM: a check that overran its budget
     * gets no chance to linger.
     */
    static void killTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        p.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private static String drain(InputStream in) {
        byte[] kept = new byte[OUTPUT_LIMIT];
        int n = 0;
        byte[] buf = new byte[4096];
        try (in) {
            int r;
            while ((r = in.read(buf)) > 0) {
                int take = Math.min(r, kept.length - n);
                System.arraycopy(buf, 0, kept, n, take);
                n += take;
            }
        } catch (IOException ignored) {
            // the process was killed under us; what we have is what it said
        }
        return new String(kept, 0, n, StandardCharsets.UTF_8);
    }
}
