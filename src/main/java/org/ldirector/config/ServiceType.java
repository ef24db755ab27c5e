package org.ldirector.config;

import java.util.Locale;
import java.util.Optional;

/**
 * ldirectord's {@code service=}: the dialogue a negotiate check speaks, with the well-known port
 * ldirectord maps it to (used to infer the service from a virtual's port, and as the check port of
 * a real that has no port of its own).
 */
public enum ServiceType {
    DNS(53),
    FTP(21),
    HTTP(80),
    HTTPS(443),
    HTTP_PROXY(3128),
    IMAP(143),
    IMAPS(993),
    LDAP(389),
    LDAPS(636),
    MYSQL(3306),
    NNTP(119),
    NONE(0),
    ORACLE(1521),
    POP(110),
    POPS(995),
    RADIUS(1812),
    PGSQL(5432),
    SIP(5060),
    SMTP(25),
    SUBMISSION(587),
    SIMPLETCP(0);

    private final int defaultPort;

    ServiceType(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    /** The port ldirectord's {@code ld_service_to_port} gives, or empty (none, simpletcp). */
    public Optional<Integer> defaultPort() {
        return defaultPort == 0 ? Optional.empty() : Optional.of(defaultPort);
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ServiceType> fromKeyword(String word) {
        for (ServiceType s : values()) {
            if (s.keyword().equals(word)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** ldirectord's {@code ld_port_to_service}: the service inferred from a virtual's port. */
    public static ServiceType forPort(int port) {
        for (ServiceType s : values()) {
            if (s.defaultPort == port && port != 0) {
                return s;
            }
        }
        return NONE;
    }
}
