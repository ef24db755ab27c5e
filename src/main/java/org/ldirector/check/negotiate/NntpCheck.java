package org.ldirector.check.negotiate;

import java.nio.charset.StandardCharsets;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * nntp: ldirectord reads one chunk of at most 64 bytes of the greeting and wants it to start with
 * "2" (200 posting allowed, 201 no posting); it sends nothing, not even QUIT.
 */
final class NntpCheck implements Conversation {
    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        d.connect();
        String greeting = new String(d.readSome(64), StandardCharsets.ISO_8859_1).strip();
        if (greeting.startsWith("2")) {
            return Outcome.up("nntp greeting " + Reasons.quote(greeting.split("\r?\n", 2)[0]));
        }
        return Outcome.down(
                greeting.isEmpty()
                        ? "nntp: connection closed before greeting"
                        : "banner " + Reasons.quote(greeting) + " from nntp");
    }
}
