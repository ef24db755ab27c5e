package org.ldirector.config;

/** ldirectord's {@code httpmethod=}. */
public enum HttpMethod {
    GET,
    HEAD
}
