package org.ldirector.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.ldirector.check.CheckResult;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.engine.EngineListener;
import org.ldirector.health.HealthEvent;

/**
 * ldirectord's {@code monitorfile=}: every check result of a virtual's reals appended to that
 * virtual's file, {@code [Tue Nov 24 00:43:11 2026] [1234] 10.77.1.11 80 [up] HTTP 200}, with '%',
 * '|', CR and LF in the message written as %xx as ldirectord does. Files are written on one thread
 * of their own, so a slow disk never holds a probe; a file that cannot be written is reported once
 * in the log, not on every check.
 */
final class MonitorFiles implements EngineListener, AutoCloseable {
    private static final DateTimeFormatter CTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    private final Clock clock;
    private final long pid;
    private final Consumer<String> log;
    private final ExecutorService writer =
            Executors.newSingleThreadExecutor(Daemon.threads("ldirector-monitorfile"));
    private final Set<Path> failing = ConcurrentHashMap.newKeySet();

    MonitorFiles(Clock clock, long pid, Consumer<String> log) {
        this.clock = clock;
        this.pid = pid;
        this.log = log;
    }

    @Override
    public void probed(VirtualConfig virtual, Real real, CheckResult result, Instant at) {
        virtual.monitorFile()
                .ifPresent(
                        f ->
                                write(
                                        Path.of(f),
                                        virtual,
                                        real,
                                        result.up() ? "up" : "down",
                                        result.reason()));
    }

    @Override
    public void healthChanged(VirtualConfig virtual, Real real, HealthEvent event) {
        // maintenance is decided without a probe; ldirectord logs it as a down check
        if (event.kind() == HealthEvent.Kind.WENT_DOWN
                && event.result().reason().startsWith("in maintenance")) {
            virtual.monitorFile()
                    .ifPresent(
                            f -> write(Path.of(f), virtual, real, "down", "Server in maintenance"));
        }
    }

    private void write(Path file, VirtualConfig v, Real r, String state, String message) {
        String line =
                "["
                        + CTIME.format(clock.instant().atZone(clock.getZone()))
                        + "] ["
                        + pid
                        + "] "
                        + v.id(r).server().replaceAll(":+", " ")
                        + " ["
                        + state
                        + "] "
                        + escape(message)
                        + "\n";
        writer.execute(
                () -> {
                    try {
                        Files.writeString(
                                file,
                                line,
                                StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                        failing.remove(file);
                    } catch (IOException e) {
                        if (failing.add(file)) {
                            log.accept(
                                    "Error writing to monitorfile '"
                                            + file
                                            + "': "
                                            + IoErrors.reason(e));
                        }
                    }
                });
    }

    /** ldirectord: {@code s/([%|\r\n])/sprintf("%%%.2x", ord($1))/eg}, and "-" for no message. */
    static String escape(String message) {
        if (message.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder(message.length());
        for (char c : message.toCharArray()) {
            if (c == '%' || c == '|' || c == '\r' || c == '\n') {
                b.append(String.format(Locale.ROOT, "%%%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Waits for the lines already handed over (stop, tests). */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
