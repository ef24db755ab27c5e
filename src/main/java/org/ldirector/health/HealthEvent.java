package org.ldirector.health;

import org.ldirector.check.CheckResult;

/**
 * Something the health book decided when a result arrived. The director turns WENT_UP / WENT_DOWN
 * into table changes; the log shows every kind with ldirectord's wording.
 *
 * @param streak for SOFT_FAILURE the consecutive failures so far, for RISING the successes so far
 * @param needed the threshold the streak is counted against (failurecount or successcount)
 */
public record HealthEvent(
        ProbeKey key,
        Kind kind,
        Health from,
        Health to,
        int streak,
        int needed,
        CheckResult result) {

    public enum Kind {
        /** The real passed enough checks: put it in service. */
        WENT_UP,
        /** The real failed enough checks (or went into maintenance): take it out. */
        WENT_DOWN,
        /**
         * An up real failed, but fewer than failurecount times in a row (ldirectord: "Soft
         * failure").
         */
        SOFT_FAILURE,
        /** An up real passed after soft failures (ldirectord: "Resetting soft failure count"). */
        SOFT_FAILURE_RESET,
        /** A real that is not up passed, but fewer than successcount times in a row. */
        RISING,
        /**
         * An up real's check asked for another weight (externalweight=yes, keepalived's
         * misc_dynamic), or for its configured weight again; {@code result().weight()} is the new
         * one.
         */
        WEIGHT_CHANGED
    }
}
