package org.ldirector.config;

import java.util.Objects;

/**
 * A password or shared secret from the config. {@link #toString()} is masked so that a secret can
 * never reach a log line, the status output or {@code -t} by accident; {@link #reveal()} is the one
 * way to read it and is meant for the checker that sends it.
 */
public final class Secret {
    public static final Secret EMPTY = new Secret("");

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return value.isEmpty() ? EMPTY : new Secret(value);
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "" : "********";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
