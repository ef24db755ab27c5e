package org.ldirector.director;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ldirectord's {@code maintenancedir}: a file named after a real takes it out of service without
 * probing it. The names tried, in ldirectord's order: {@code ip:port}, {@code ip}, then the
 * reverse-DNS name and its first label, each with and without {@code :port}.
 */
public final class MaintenanceDir {
    /** ldirectord's own pattern for the first label: lower case, two characters at least. */
    private static final Pattern SHORT_NAME = Pattern.compile("^([a-z][a-z0-9\\-]+)\\.");

    private final Path dir;
    private final Function<InetAddress, Optional<String>> reverseLookup;

    /**
     * @param reverseLookup the real's host name, if it has one (ldirectord uses gethostbyaddr);
     *     injected so tests do not depend on DNS
     */
    public MaintenanceDir(Path dir, Function<InetAddress, Optional<String>> reverseLookup) {
        this.dir = dir;
        this.reverseLookup = reverseLookup;
    }

    /** The default lookup: the canonical name when it is a name, not the address echoed back. */
    public static Optional<String> reverseDns(InetAddress address) {
        String name = address.getCanonicalHostName();
        return name.equals(address.getHostAddress()) ? Optional.empty() : Optional.of(name);
    }

    /** The file that puts this real in maintenance, if there is one. */
    public Optional<Path> fileFor(InetAddress address, int port) {
        for (String name : candidates(address, port)) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    List<String> candidates(InetAddress address, int port) {
        List<String> names = new ArrayList<>(6);
        String ip = address.getHostAddress();
        names.add(ip + ":" + port);
        names.add(ip);
        Optional<String> host = ip.isEmpty() ? Optional.empty() : reverseLookup.apply(address);
        if (host.isPresent()) {
            String fqdn = host.get();
            names.add(fqdn + ":" + port);
            names.add(fqdn);
            Matcher m = SHORT_NAME.matcher(fqdn);
            if (m.find()) {
                names.add(m.group(1) + ":" + port);
                names.add(m.group(1));
            }
        }
        return names;
    }
}
