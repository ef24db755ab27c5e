package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BoundedMatchTest {
    /**
     * A clock that moves {@code step} nanoseconds each time it is read, and counts the readings.
     */
    private static final class SteppingClock {
        final AtomicLong now = new AtomicLong();
        final AtomicLong reads = new AtomicLong();
        final long step;

        SteppingClock(Duration step) {
            this.step = step.toNanos();
        }

        long read() {
            reads.incrementAndGet();
            return now.addAndGet(step);
        }
    }

    private static byte[] line(int bytes, String tail) {
        byte[] b = Arrays.copyOf(new byte[0], bytes + tail.length());
        Arrays.fill(b, 0, bytes, (byte) 'x');
        System.arraycopy(tail.getBytes(StandardCharsets.ISO_8859_1), 0, b, bytes, tail.length());
        return b;
    }

    /** The issue's case: ".*OK.*" over one long line without OK is quadratic; the limit ends it. */
    @Test
    void aBacktrackingSearchPastTheLimitIsTooSlow() {
        SteppingClock clock = new SteppingClock(Duration.ofMillis(1));
        BoundedMatch m = new BoundedMatch(Duration.ofMillis(50), clock::read);
        byte[] body = line(256 * 1024, "");
        assertEquals(
                BoundedMatch.Found.TOO_SLOW,
                m.find(Pattern.compile(".*OK.*"), body, 0, body.length, false));
        // one reading to start, then one per CHECK_EVERY chars until 50 steps have passed
        assertEquals(1 + 51, clock.reads.get());
    }

    @Test
    void theReasonNamesTheLimitAndTheSize() {
        BoundedMatch m = new BoundedMatch(Duration.ofMillis(250), System::nanoTime);
        assertEquals("receive: regex took more than 250 ms on 4194304 bytes", m.tooSlow(4 << 20));
    }

    /**
     * An ordinary search of a 4 MiB page reads the clock a few hundred times and finishes well
     * inside the limit.
     */
    @Test
    void anOrdinarySearchOfALargeBodyIsNotCut() {
        SteppingClock clock = new SteppingClock(Duration.ofMillis(1));
        BoundedMatch m = new BoundedMatch(Duration.ofSeconds(10), clock::read);
        byte[] body = line(4 << 20, "healthy");
        assertEquals(
                BoundedMatch.Found.YES,
                m.find(Pattern.compile("healthy$"), body, 0, body.length, false));
        assertEquals(
                BoundedMatch.Found.NO,
                m.find(Pattern.compile("broken"), body, 0, body.length, false));
        assertTrue(clock.reads.get() < 2000, clock.reads.get() + " clock readings");
    }

    @Test
    void theProductionLimitStopsTheIssuesPatternOnAFourMebibyteLine() {
        BoundedMatch m = new BoundedMatch(Duration.ofMillis(100), BoundedMatch.threadCpuTime());
        byte[] body = line(4 << 20, "");
        long start = System.nanoTime();
        assertEquals(
                BoundedMatch.Found.TOO_SLOW,
                m.find(Pattern.compile(".*OK.*"), body, 0, body.length, false));
        // CPU time is at most wall time: the search ends once it has run 100 ms, unless the host
        // starves it
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
    }

    /**
     * A prefix of the answer: a match inside it counts, one that needs the input's end does not.
     */
    @Test
    void aCutAnswerTrustsOnlyMatchesThatDoNotNeedItsEnd() {
        BoundedMatch m = BoundedMatch.standard();
        byte[] b = "all is healthy".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(
                BoundedMatch.Found.YES, m.find(Pattern.compile("healthy$"), b, 0, b.length, false));
        assertEquals(
                BoundedMatch.Found.NO, m.find(Pattern.compile("healthy$"), b, 0, b.length, true));
        assertEquals(
                BoundedMatch.Found.YES, m.find(Pattern.compile("is h.al"), b, 0, b.length, true));
        assertEquals(
                BoundedMatch.Found.YES,
                m.find(Pattern.compile("heal.*"), b, 0, b.length, true),
                "a greedy tail may grow with more input, but the match stands");
    }

    /** Perl matches LWP's undecoded content: one char per byte, as ISO-8859-1 decodes it. */
    @Test
    void bytesAreOneCharEach() {
        BoundedMatch m = BoundedMatch.standard();
        byte[] utf8 = "--caf\u00e9".getBytes(StandardCharsets.UTF_8);
        assertEquals(
                BoundedMatch.Found.YES,
                m.find(Pattern.compile("^caf..$"), utf8, 2, utf8.length - 2, false));
        assertEquals(
                BoundedMatch.Found.NO,
                m.find(Pattern.compile("^caf.$"), utf8, 2, utf8.length - 2, false));
        byte[] latin1 = {(byte) 0xe9};
        assertEquals(
                BoundedMatch.Found.YES, m.find(Pattern.compile("\u00e9"), latin1, 0, 1, false));
    }

    @Test
    void textIsSearchedUnderTheSameLimit() {
        SteppingClock clock = new SteppingClock(Duration.ofMillis(1));
        BoundedMatch m = new BoundedMatch(Duration.ofMillis(10), clock::read);
        assertEquals(
                BoundedMatch.Found.YES, m.find(Pattern.compile("OK"), "220 OK ready\r\n", false));
        assertEquals(
                BoundedMatch.Found.TOO_SLOW,
                m.find(Pattern.compile(".*OK.*"), "x".repeat(100_000), false));
    }

    @Test
    void aLimitMustBePositive() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new BoundedMatch(Duration.ZERO, System::nanoTime));
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> BoundedMatch.standard().find(Pattern.compile("x"), new byte[4], 2, 3, false));
    }

    /**
     * java.util.regex recurses per repetition of (a|b)*: a long input overflows the stack, and that
     * ends the search only.
     */
    @Test
    void aSearchThatOverflowsTheStackIsTooDeep() {
        BoundedMatch m = new BoundedMatch(Duration.ofHours(1), System::nanoTime);
        byte[] ab = new byte[4 << 20];
        for (int i = 0; i < ab.length; i++) {
            ab[i] = (byte) (i % 2 == 0 ? 'a' : 'b');
        }
        assertEquals(
                BoundedMatch.Found.TOO_DEEP,
                m.find(Pattern.compile("(a|b)*c"), ab, 0, ab.length, false));
        assertEquals(
                "receive: regex recursed too deep on 4194304 bytes",
                m.reason(BoundedMatch.Found.TOO_DEEP, ab.length));
    }
}
