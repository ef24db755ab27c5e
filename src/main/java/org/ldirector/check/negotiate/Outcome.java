package org.ldirector.check.negotiate;

/** What a dialogue concluded, before the latency is attached. */
record Outcome(boolean up, String reason) {
    static Outcome up(String reason) {
        return new Outcome(true, reason);
    }

    static Outcome down(String reason) {
        return new Outcome(false, reason);
    }
}
