package org.ldirector.check;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The one policy for a check's reason, which goes to the log, to {@code status} and to monitor
 * files as one line. Text from outside (a peer's reply, an exception's message, a URL a peer sent)
 * goes in through {@link #quote}: control characters (C0, DEL, C1) and invisible format characters
 * (bidirectional overrides) are written as escapes ({@code \x0d}, {@code \u202e}), so nothing raw
 * reaches a terminal or splits a log line, and it is cut at {@link #QUOTE_MAX} characters, so a
 * peer cannot fill the log. {@link #line} applies the same rule to a whole reason, with a wider
 * bound, as the last guard on every result {@link Checkers} hands out. Secrets a check knows of (a
 * login's password) are that check's to mask before the reason is made.
 */
public final class Reasons {
    /** Characters of one quoted piece of outside text, escapes counted, before it is cut. */
    static final int QUOTE_MAX = 120;

    /**
     * Characters of a whole reason (several quoted pieces and the check's own words) before it is
     * cut.
     */
    static final int LINE_MAX = 1024;

    /** What ends a piece that was cut. */
    public static final String CUT = "...";

    private Reasons() {}

    /**
     * Outside text made safe for a reason: escaped, cut at {@link #QUOTE_MAX}; null as "(no
     * message)".
     */
    public static String quote(String text) {
        return text == null ? "(no message)" : clean(text, QUOTE_MAX);
    }

    /**
     * A whole reason: escaped, cut at {@link #LINE_MAX}; unchanged when it is already clean (the
     * usual case).
     */
    static String line(String reason) {
        return reason == null ? "" : clean(reason, LINE_MAX);
    }

    /**
     * {@code r}, its reason passed through {@link #line}; {@code r} itself when that changes
     * nothing.
     */
    static CheckResult guard(CheckResult r) {
        String clean = line(r.reason());
        return clean.equals(r.reason())
                ? r
                : new CheckResult(r.up(), r.latency(), clean, r.weight());
    }

    /** A deadline that passed: "timeout after 3.0 s". */
    public static String timeout(Duration limit) {
        return "timeout after " + seconds(limit);
    }

    /**
     * How a connect failed, when {@code e} is a connect error: "no route to host", "connect
     * refused", else "connect failed: " and the message; empty for any other exception.
     */
    public static Optional<String> connectFailure(Throwable e) {
        if (e instanceof NoRouteToHostException) {
            return Optional.of("no route to host");
        }
        if (e instanceof ConnectException) {
            boolean refused =
                    String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("refused");
            return Optional.of(
                    refused ? "connect refused" : "connect failed: " + quote(e.getMessage()));
        }
        return Optional.empty();
    }

    /** A duration as reasons print it: seconds with one decimal ("3.0 s"). */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    /**
     * {@code text} with the escapes {@link #quote} writes, and no bound: to recognise a secret as a
     * reason shows it.
     */
    public static String escape(String text) {
        return clean(text, Integer.MAX_VALUE);
    }

    private static String clean(String s, int max) {
        if (s.length() <= max && nothingToEscape(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + CUT.length());
        for (int i = 0; i < s.length(); i++) {
            if (b.length() >= max) {
                b.append(CUT);
                break;
            }
            char c = s.charAt(i);
            if (!escaped(c)) {
                b.append(c);
            } else if (c <= 0xff) {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** A loop, not a stream: every probe's reason passes through here. */
    private static boolean nothingToEscape(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (escaped(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean escaped(int c) {
        return Character.isISOControl(c) || Character.getType(c) == Character.FORMAT;
    }
}
