package org.ldirector.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config file that cannot be used, with every error found in it (not just the first). */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Diagnostic> errors;

    public ConfigException(List<Diagnostic> errors) {
        super(errors.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<Diagnostic> errors() {
        return errors;
    }
}
