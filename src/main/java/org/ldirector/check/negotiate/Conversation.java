package org.ldirector.check.negotiate;

import org.ldirector.check.ProbeTarget;

/** One service's dialogue, written as straight-line blocking code against a {@link Dialogue}. */
@FunctionalInterface
interface Conversation {
    /**
     * @return up or down with a reason; failing I/O may simply throw, {@link DialogueChecker} turns
     *     the exception into a reason ("connect refused", "timeout after 3.0 s")
     */
    Outcome talk(Dialogue d, ProbeTarget t) throws Exception;
}
