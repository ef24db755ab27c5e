package org.ldirector.daemon;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.ldirector.engine.StatusSnapshot;
import org.ldirector.ipvs.SyncDaemon;
import org.ldirector.sync.SyncRoles;

/** The status snapshot as the operator reads it (a table) and as machines read it (JSON). */
final class StatusFormat {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final String ROW = "  %-24s %-11s %6s  %-19s %9s %5s %7s %8s  %s%n";

    private StatusFormat() {}

    static String table(StatusSnapshot s, ZoneId zone) {
        StringBuilder b = new StringBuilder();
        if (s.virtuals().isEmpty()) {
            return "No virtual services configured.\n";
        }
        for (StatusSnapshot.Virtual v : s.virtuals()) {
            b.append("Virtual service ")
                    .append(v.id())
                    .append(" (")
                    .append(v.scheduler())
                    .append(")")
                    .append(v.inKernel() ? "" : ", NOT in the kernel");
            v.fallback()
                    .ifPresent(
                            f ->
                                    b.append(", fallback ")
                                            .append(f)
                                            .append(
                                                    v.fallbackServing()
                                                            ? " (serving)"
                                                            : " (idle)"));
            b.append('\n');
            b.append(
                    String.format(
                            Locale.ROOT,
                            ROW,
                            "real",
                            "health",
                            "weight",
                            "last check",
                            "latency",
                            "fails",
                            "active",
                            "inactive",
                            "reason"));
            for (StatusSnapshot.RealStatus r : v.reals()) {
                b.append(
                        String.format(
                                Locale.ROOT,
                                ROW,
                                r.id(),
                                r.health(),
                                r.kernelWeight().map(String::valueOf).orElse("-"),
                                r.lastProbe().map(t -> TIME.format(t.atZone(zone))).orElse("-"),
                                r.latency().map(StatusFormat::millis).orElse("-"),
                                r.failStreak(),
                                r.activeConnections(),
                                r.inactiveConnections(),
                                r.reason().isEmpty() ? "-" : r.reason()));
            }
        }
        return b.toString();
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    static String json(StatusSnapshot s, long pid, String config, SyncRoles.Status sync) {
        StringBuilder b = new StringBuilder();
        b.append("{\"config\":")
                .append(quote(config))
                .append(",\"pid\":")
                .append(pid)
                .append(",\"running\":true")
                .append(",\"taken\":")
                .append(quote(s.taken().toString()))
                .append(",\"virtuals\":[");
        for (int i = 0; i < s.virtuals().size(); i++) {
            StatusSnapshot.Virtual v = s.virtuals().get(i);
            b.append(i == 0 ? "" : ",")
                    .append("{\"id\":")
                    .append(quote(v.id()))
                    .append(",\"scheduler\":")
                    .append(quote(v.scheduler()))
                    .append(",\"in_kernel\":")
                    .append(v.inKernel())
                    .append(",\"fallback\":")
                    .append(v.fallback().map(StatusFormat::quote).orElse("null"))
                    .append(",\"fallback_serving\":")
                    .append(v.fallbackServing())
                    .append(",\"reals\":[");
            for (int j = 0; j < v.reals().size(); j++) {
                StatusSnapshot.RealStatus r = v.reals().get(j);
                b.append(j == 0 ? "" : ",")
                        .append("{\"id\":")
                        .append(quote(r.id()))
                        .append(",\"health\":")
                        .append(quote(r.health()))
                        .append(",\"kernel_weight\":")
                        .append(r.kernelWeight().map(String::valueOf).orElse("null"))
                        .append(",\"last_check\":")
                        .append(
                                r.lastProbe()
                                        .map(Instant::toString)
                                        .map(StatusFormat::quote)
                                        .orElse("null"))
                        .append(",\"latency_ms\":")
                        .append(
                                r.latency()
                                        .map(
                                                d ->
                                                        String.format(
                                                                Locale.ROOT,
                                                                "%.3f",
                                                                d.toNanos() / 1e6))
                                        .orElse("null"))
                        .append(",\"reason\":")
                        .append(quote(r.reason()))
                        .append(",\"fail_streak\":")
                        .append(r.failStreak())
                        .append(",\"active_connections\":")
                        .append(r.activeConnections())
                        .append(",\"inactive_connections\":")
                        .append(r.inactiveConnections())
                        .append('}');
            }
            b.append("]}");
        }
        return b.append(']').append(syncJson(sync)).append("}\n").toString();
    }

    /** A JSON string: quotes, backslashes and control characters escaped (RFC 8259). */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * The sync section of the status table: nothing when sync is not managed and the kernel runs
     * none.
     */
    static String sync(SyncRoles.Status st) {
        if (!st.managed() && st.kernel().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        b.append("IPVS sync: ")
                .append(st.managed() ? "role " + st.role().word() : "not managed (no syncdaemon)");
        if (st.kernel().isEmpty()) {
            b.append(", kernel runs no sync daemon");
        }
        b.append('\n');
        for (SyncDaemon d : st.kernel()) {
            b.append("  kernel: ").append(d.describe()).append('\n');
        }
        st.error().ifPresent(e -> b.append("  error: ").append(e).append('\n'));
        return b.toString();
    }

    /** The sync section as a JSON member (leading comma included). */
    static String syncJson(SyncRoles.Status st) {
        StringBuilder b =
                new StringBuilder(",\"sync\":{\"managed\":")
                        .append(st.managed())
                        .append(",\"role\":")
                        .append(st.managed() ? quote(st.role().word()) : "null")
                        .append(",\"kernel\":[");
        for (int i = 0; i < st.kernel().size(); i++) {
            SyncDaemon d = st.kernel().get(i);
            b.append(i == 0 ? "" : ",")
                    .append("{\"state\":")
                    .append(quote(d.state().word()))
                    .append(",\"interface\":")
                    .append(quote(d.multicastInterface()))
                    .append(",\"syncid\":")
                    .append(d.syncId())
                    .append(",\"maxlen\":")
                    .append(d.maxLength())
                    .append(",\"group\":")
                    .append(d.group() == null ? "null" : quote(d.group().getHostAddress()))
                    .append(",\"port\":")
                    .append(d.port())
                    .append(",\"ttl\":")
                    .append(d.ttl())
                    .append('}');
        }
        b.append("],\"error\":")
                .append(st.error().map(StatusFormat::quote).orElse("null"))
                .append('}');
        return b.toString();
    }
}
