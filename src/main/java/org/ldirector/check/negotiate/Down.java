package org.ldirector.check.negotiate;

import java.io.IOException;

/**
 * Thrown from deep inside a dialogue when the peer answered but wrongly ("banner 421 from smtp"):
 * the message is the operator's one-line reason, not a stack trace.
 */
final class Down extends IOException {
    Down(String reason) {
        super(reason);
    }
}
