package org.ldirector.check;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How every check searches a peer's bytes for its {@code receive} regex. java.util.regex
 * backtracks, so what a search costs depends on the peer: {@code .*OK.*} over one long line without
 * "OK" is quadratic in the line (seconds at 64 KiB, a minute at 256 KiB). So the search runs under
 * a limit: the text it reads checks a clock every {@link #CHECK_EVERY} characters, and past the
 * limit the search is abandoned and the real is down with {@link #tooSlow}'s reason. Callers run it
 * off the probe loop (http on the context's match executor, dialogues on their own worker).
 *
 * <p>The production clock is the searching thread's CPU time, not the wall clock: the limit is on
 * the work a peer's answer can cost the director, and a director starved of CPU (a busy host, a
 * garbage collection) must not fail a healthy real for its own slowness.
 *
 * <p>Bytes are searched as ISO-8859-1, one char per byte, as Perl matches LWP's undecoded content.
 */
public final class BoundedMatch {
    /**
     * How long one search may run; an ordinary pattern over a 4 MiB page takes a few milliseconds.
     */
    public static final Duration DEFAULT_LIMIT = Duration.ofMillis(200);

    /**
     * Characters read between two clock readings: small against the limit, rare against the
     * reading's cost.
     */
    static final int CHECK_EVERY = 1 << 14;

    /** What a search concluded; the last two are downs with {@link #reason}. */
    public enum Found {
        YES,
        NO,
        /** Past the limit. */
        TOO_SLOW,
        /**
         * The matcher recursed past its thread's stack (alternations repeated over a long input).
         */
        TOO_DEEP
    }

    private final long limitNanos;
    private final LongSupplier clock;

    /**
     * @param clock read on the searching thread; its difference across a search is what the limit
     *     bounds
     */
    public BoundedMatch(Duration limit, LongSupplier clock) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("match limit must be positive: " + limit);
        }
        this.limitNanos = limit.toNanos();
        this.clock = clock;
    }

    /** {@link #DEFAULT_LIMIT} of the searching thread's CPU time. */
    public static BoundedMatch standard() {
        return new BoundedMatch(DEFAULT_LIMIT, threadCpuTime());
    }

    /**
     * The calling thread's CPU time in nanoseconds, or the monotonic clock where the JVM cannot
     * tell.
     */
    public static LongSupplier threadCpuTime() {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean.isCurrentThreadCpuTimeSupported() && bean.isThreadCpuTimeEnabled()) {
            return bean::getCurrentThreadCpuTime;
        }
        return System::nanoTime;
    }

    public Duration limit() {
        return Duration.ofNanos(limitNanos);
    }

    /**
     * Searches {@code length} bytes from {@code offset} (as ISO-8859-1) for {@code p}, unanchored.
     *
     * @param cut the bytes are a prefix of the peer's answer: a match that needs to see the end of
     *     the input ({@code ok$}) is not trusted, since the answer goes on past the prefix
     */
    public Found find(Pattern p, byte[] bytes, int offset, int length, boolean cut) {
        return find(p, new Latin1(bytes, offset, length), cut);
    }

    /** The same over text the check has already decoded (a dialogue's line, a DN). */
    public Found find(Pattern p, CharSequence text, boolean cut) {
        Matcher m = p.matcher(new Timed(text, clock, clock.getAsLong() + limitNanos));
        try {
            boolean found = m.find();
            return found && !(cut && m.requireEnd()) ? Found.YES : Found.NO;
        } catch (OutOfTime e) {
            return Found.TOO_SLOW;
        } catch (StackOverflowError e) {
            // java.util.regex recurses once per repetition of a group such as (a|b)*: a long input
            // overflows the stack, which must end this search, not the thread that ran it
            return Found.TOO_DEEP;
        }
    }

    /** The one reason a search past the limit gives, whichever check ran it. */
    public String tooSlow(int bytes) {
        return "receive: regex took more than "
                + TimeUnit.NANOSECONDS.toMillis(limitNanos)
                + " ms on "
                + bytes
                + " bytes";
    }

    /** The reason for a search that ended {@link Found#TOO_SLOW} or {@link Found#TOO_DEEP}. */
    public String reason(Found f, int bytes) {
        return switch (f) {
            case TOO_SLOW -> tooSlow(bytes);
            case TOO_DEEP -> "receive: regex recursed too deep on " + bytes + " bytes";
            case YES, NO -> throw new IllegalArgumentException("not a failed search: " + f);
        };
    }

    /** Bytes as ISO-8859-1 characters, without a copy. */
    static final class Latin1 implements CharSequence {
        private final byte[] b;
        private final int off;
        private final int len;

        Latin1(byte[] b, int off, int len) {
            if (off < 0 || len < 0 || off + len > b.length) {
                throw new IndexOutOfBoundsException(off + "+" + len + " of " + b.length);
            }
            this.b = b;
            this.off = off;
            this.len = len;
        }

        @Override
        public int length() {
            return len;
        }

        @Override
        public char charAt(int i) {
            if (i < 0 || i >= len) {
                throw new IndexOutOfBoundsException(i);
            }
            return (char) (b[off + i] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Latin1(b, off + start, end - start);
        }

        @Override
        public String toString() {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
    }

    /** The text the matcher reads, which gives up once the clock has passed the deadline. */
    private static final class Timed implements CharSequence {
        private final CharSequence text;
        private final LongSupplier clock;
        private final long deadline;
        private int reads;

        Timed(CharSequence text, LongSupplier clock, long deadline) {
            this.text = text;
            this.clock = clock;
            this.deadline = deadline;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int i) {
            if (++reads >= CHECK_EVERY) {
                reads = 0;
                if (clock.getAsLong() - deadline > 0) {
                    throw new OutOfTime();
                }
            }
            return text.charAt(i);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** Unwinds the matcher at the deadline; no stack trace, it is not an error. */
    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super("regex deadline", null, false, false);
        }
    }
}
