package org.ldirector.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A resolver for tests that never touches DNS: address literals, "localhost", and names added with
 * {@link #host}; services from a fixed /etc/services excerpt (plus the machine's file if present).
 */
final class FixedResolver implements NameResolver {
    private final Map<String, InetAddress> hosts = new HashMap<>();
    private final List<String[]> services =
            SystemNameResolver.readServices(Path.of("/etc/services"));

    FixedResolver() {
        host("localhost", "127.0.0.1");
    }

    FixedResolver host(String name, String literal) {
        try {
            hosts.put(name + (literal.contains(":") ? "/6" : "/4"), InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        return this;
    }

    @Override
    public Optional<InetAddress> host(String name, AddressFamily family) {
        InetAddress named = hosts.get(name + (family == AddressFamily.INET6 ? "/6" : "/4"));
        if (named != null) {
            return Optional.of(named);
        }
        // Only well-formed literals reach InetAddress, so it can never fall back to a DNS query.
        boolean v4 =
                name.matches(
                        "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
        boolean v6 = name.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            InetAddress a = InetAddress.getByName(name.contains(":") ? "[" + name + "]" : name);
            boolean fits =
                    family == AddressFamily.INET
                            ? a instanceof Inet4Address
                            : a instanceof Inet6Address;
            return fits ? Optional.of(a) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Integer> service(String name, String protocol) {
        for (String[] e : services) {
            if (!protocol.isEmpty() && !protocol.equals(e[1])) {
                continue;
            }
            for (int i = 2; i < e.length; i++) {
                if (e[i].equals(name)) {
                    return Optional.of(Integer.parseInt(e[0]));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String localHostName() {
        return "director.example.test";
    }
}
