package org.ldirector.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where {@code logfile=} sends the log: a file path, or a syslog facility such as {@code local0}
 * (ldirectord treats a value without a "/" that names a facility as syslog).
 */
public record LogTarget(Optional<Path> file, Optional<String> syslogFacility) {
    public static final LogTarget DEFAULT =
            new LogTarget(Optional.of(Path.of("/var/log/ldirectord.log")), Optional.empty());

    public static LogTarget file(Path path) {
        return new LogTarget(Optional.of(path), Optional.empty());
    }

    public static LogTarget syslog(String facility) {
        return new LogTarget(Optional.empty(), Optional.of(facility));
    }
}
