package org.ldirector.config;

/**
 * The address family of a virtual service: {@code virtual=} is INET, {@code virtual6=} is INET6.
 */
public enum AddressFamily {
    INET,
    INET6
}
