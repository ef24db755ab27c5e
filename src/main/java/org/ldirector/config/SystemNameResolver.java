package org.ldirector.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link NameResolver} backed by the JDK resolver (getaddrinfo underneath) and an /etc/services
 * file.
 */
final class SystemNameResolver implements NameResolver {
    private final Path servicesFile;
    private List<String[]> services; // name/aliases..., port, protocol — read on first use

    SystemNameResolver(Path servicesFile) {
        this.servicesFile = servicesFile;
    }

    @Override
    public Optional<InetAddress> host(String name, AddressFamily family) {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(name)) {
                if (family == AddressFamily.INET
                        ? a instanceof Inet4Address
                        : a instanceof Inet6Address) {
                    return Optional.of(a);
                }
            }
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public synchronized Optional<Integer> service(String name, String protocol) {
        if (services == null) {
            services = readServices(servicesFile);
        }
        for (String[] entry : services) {
            // entry: [port, protocol, name, aliases...]
            if (!protocol.isEmpty() && !protocol.equals(entry[1])) {
                continue;
            }
            for (int i = 2; i < entry.length; i++) {
                if (entry[i].equals(name)) {
                    return Optional.of(Integer.parseInt(entry[0]));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String localHostName() {
        // ldirectord: $ENV{HOSTNAME} if set, else uname's node name.
        String env = System.getenv("HOSTNAME");
        if (env != null) {
            return env;
        }
        // uname's node name without a DNS lookup; getLocalHost() could block on a misconfigured
        // resolver.
        try {
            String node =
                    Files.readString(
                                    Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII)
                            .strip();
            if (!node.isEmpty()) {
                return node;
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static List<String[]> readServices(Path file) {
        List<String[]> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return out;
        }
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (f.length < 2 || !f[1].matches("\\d{1,5}/\\w+")) {
                continue;
            }
            String[] portProto = f[1].split("/");
            String[] entry = new String[f.length + 1];
            entry[0] = portProto[0];
            entry[1] = portProto[1];
            entry[2] = f[0];
            System.arraycopy(f, 2, entry, 3, f.length - 2);
            out.add(entry);
        }
        return out;
    }
}
