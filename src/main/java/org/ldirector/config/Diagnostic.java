package org.ldirector.config;

import java.nio.file.Path;

/**
 * One error or warning about a config file. {@link #toString()} is the {@code FILE:LINE: message}
 * form that {@code ldirector -t} prints; line 0 means the file as a whole.
 */
public record Diagnostic(Path file, int line, String message) {
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
