package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AnswerBudgetTest {
    private static final long MIB = 1 << 20;

    @Test
    void sharesAreTakenWhileTheyFitAndGivenBackOnce() {
        AnswerBudget b = new AnswerBudget(10 * MIB);
        AnswerBudget.Hold first = b.tryTake(6 * MIB);
        assertNotNull(first);
        assertNull(b.tryTake(5 * MIB), "4 MiB are free");
        AnswerBudget.Hold second = b.tryTake(4 * MIB);
        assertNotNull(second);
        assertEquals(10 * MIB, b.inUse());
        first.release();
        first.release();
        assertEquals(4 * MIB, b.inUse(), "a second release gives nothing back twice");
        second.release();
        assertEquals(0, b.inUse());
        assertEquals(10 * MIB, b.peak());
    }

    /** A budget smaller than one answer still lets that answer through, alone. */
    @Test
    void aRequestBeyondTheWholeBudgetGetsTheWholeBudgetWhenAllIsFree() {
        AnswerBudget b = new AnswerBudget(2 * MIB);
        AnswerBudget.Hold small = b.tryTake(MIB / 2);
        assertNull(b.tryTake(5 * MIB));
        small.release();
        AnswerBudget.Hold all = b.tryTake(5 * MIB);
        assertNotNull(all);
        assertEquals(2 * MIB, all.bytes());
        all.release();
        assertEquals(0, b.inUse());
    }

    @Test
    void theDefaultIsAnEighthOfTheHeapUpToSixtyFourMebibytes() {
        assertEquals(64 * MIB, AnswerBudget.defaultBytes(512 * MIB));
        assertEquals(32 * MIB, AnswerBudget.defaultBytes(256 * MIB));
        assertEquals(64 * MIB, AnswerBudget.defaultBytes(8192 * MIB));
        assertEquals(AnswerBudget.ALLOWANCE, AnswerBudget.defaultBytes(1024));
        assertThrows(IllegalArgumentException.class, () -> new AnswerBudget(100));
    }
}
