package org.ldirector.config;

/**
 * ldirectord's {@code checktype=}. A number N in the file becomes {@link #COMBINED} with {@link
 * CheckSpec#numConnects()} = N: N connect checks per negotiate check.
 */
public enum CheckType {
    CONNECT("connect"),
    NEGOTIATE("negotiate"),
    PING("ping"),
    EXTERNAL("external"),
    EXTERNAL_PERL("external-perl"),
    ON("on"),
    OFF("off"),
    COMBINED("combined");

    private final String keyword;

    CheckType(String keyword) {
        this.keyword = keyword;
    }

    public String keyword() {
        return keyword;
    }
}
