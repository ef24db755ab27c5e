package org.ldirector.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file that cannot be used, with every error found in it (not just the first). A report
 * prints the first {@link #SHOWN} and counts the rest: a file of 200,000 bad lines would otherwise
 * flood a terminal or a log with as many lines.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Errors a report shows; the others are only counted. */
    public static final int SHOWN = 100;

    private final transient List<Diagnostic> errors;

    public ConfigException(List<Diagnostic> errors) {
        super(report(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every error, in line order. */
    public List<Diagnostic> errors() {
        return errors;
    }

    /** The errors a report prints: the first {@link #SHOWN}. */
    public List<Diagnostic> shown() {
        return errors.subList(0, Math.min(SHOWN, errors.size()));
    }

    /** How many errors {@link #shown()} leaves out. */
    public int notShown() {
        return errors.size() - shown().size();
    }

    private static String report(List<Diagnostic> errors) {
        String first =
                errors.stream()
                        .limit(SHOWN)
                        .map(Diagnostic::toString)
                        .collect(Collectors.joining("\n"));
        return errors.size() > SHOWN
                ? first + "\n(and " + (errors.size() - SHOWN) + " more errors)"
                : first;
    }
}
