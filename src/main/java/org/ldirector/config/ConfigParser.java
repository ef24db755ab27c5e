package org.ldirector.config;

import java.io.IOException;
import java.nio.file.Path;

/** Reads ldirectord.cf files. */
public final class ConfigParser {
    private ConfigParser() {
    }

    /**
     * Parses and validates a config file, resolving host and service names as ldirectord does.
     *
     * @throws ConfigException with every error found, each naming file and line
     * @throws IOException     when the file cannot be read
     */
    public static Config parse(Path file) throws ConfigException, IOException {
        throw new UnsupportedOperationException("not written yet");
    }
}
