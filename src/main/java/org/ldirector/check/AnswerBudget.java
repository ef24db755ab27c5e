package org.ldirector.check;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all answers in flight may hold together, so a crowd of reals answering large bodies at
 * once cannot exhaust the heap: each probe is capped at its own 4 MiB, but a few dozen of them at
 * once can fill a small heap. An answer up to {@link #ALLOWANCE} needs nothing from here (a check
 * page is a few hundred bytes), so small answers never wait on large ones. An answer that outgrows
 * it takes, in one {@link #tryTake}, everything it can still need (its head and the capped body),
 * and keeps that until its verdict is made. Taking it all at once means no probe ever holds part of
 * the budget while waiting for more, so probes waiting for the budget cannot starve each other for
 * good: whoever holds a share can finish and give it back.
 */
public final class AnswerBudget {
    /** Per answer, outside the budget. */
    public static final int ALLOWANCE = 16 * 1024;

    /** The default ceiling, whatever the heap. */
    public static final long DEFAULT_MAX = 64L << 20;

    private final long total;
    private final AtomicLong free;
    private final AtomicLong peak = new AtomicLong();

    public AnswerBudget(long bytes) {
        if (bytes < ALLOWANCE) {
            throw new IllegalArgumentException(
                    "answer budget below " + ALLOWANCE + " bytes: " + bytes);
        }
        this.total = bytes;
        this.free = new AtomicLong(bytes);
    }

    /** min({@link #DEFAULT_MAX}, an eighth of the largest heap the JVM may use). */
    public static long defaultBytes(long maxHeap) {
        return Math.max(ALLOWANCE, Math.min(DEFAULT_MAX, maxHeap / 8));
    }

    /**
     * A share of {@code bytes}, or null when the budget has not that much free now. A request for
     * more than the whole budget is granted the whole budget, once it is all free, so a small heap
     * still checks a large answer, one at a time.
     */
    public Hold tryTake(long bytes) {
        long want = Math.min(Math.max(0, bytes), total);
        while (true) {
            long f = free.get();
            if (f < want) {
                return null;
            }
            if (free.compareAndSet(f, f - want)) {
                peak.accumulateAndGet(total - f + want, Math::max);
                return new Hold(want);
            }
        }
    }

    public long total() {
        return total;
    }

    /** Bytes held by answers in flight now. */
    public long inUse() {
        return total - free.get();
    }

    /** The most ever held at once. */
    public long peak() {
        return peak.get();
    }

    /** One answer's share; {@link #release} gives it back, once, from any thread. */
    public final class Hold {
        private final long bytes;
        private final AtomicBoolean released = new AtomicBoolean();

        private Hold(long bytes) {
            this.bytes = bytes;
        }

        public long bytes() {
            return bytes;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                free.addAndGet(bytes);
            }
        }
    }
}
