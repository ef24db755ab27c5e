package org.ldirector.health;

/**
 * What the checks say of a real. UNKNOWN is a real that has not yet had a verdict (new, or its
 * check changed): it is not in service, but it was never "down" either, so leaving UNKNOWN for DOWN
 * is not an event worth an alert.
 */
public enum Health {
    UNKNOWN,
    UP,
    DOWN;

    public boolean isUp() {
        return this == UP;
    }
}
