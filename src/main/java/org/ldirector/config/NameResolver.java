package org.ldirector.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Host and service name lookups as ldirectord does them at config time, injectable so that unit
 * tests never depend on DNS or on this machine's {@code /etc/services}.
 */
public interface NameResolver {

    /**
     * ldirectord's {@code ld_gethostbyname}: the first address getaddrinfo gives for {@code name}
     * in {@code family} (an IPv4 literal has no IPv6 address and vice versa); brackets are already
     * stripped.
     */
    Optional<InetAddress> host(String name, AddressFamily family);

    /**
     * {@code getservbyname(name, protocol)}: the port of a service name; {@code protocol} "tcp" or
     * "udp", or "" for any protocol (ldirectord resolves a real's port that way).
     */
    Optional<Integer> service(String name, String protocol);

    /**
     * The host name ldirectord puts in default ftp passwords and sip logins ({@code $HOSTNAME}).
     */
    String localHostName();

    /** Real lookups: the system resolver for hosts, {@code /etc/services} for services. */
    static NameResolver system() {
        return new SystemNameResolver(Path.of("/etc/services"));
    }
}
