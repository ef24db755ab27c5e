package org.ldirector.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A parsed, validated ldirectord.cf: immutable, every default filled in.
 *
 * @param source the file it was read from
 * @param global global directives
 * @param virtuals virtual services in file order
 * @param warnings what ldirectord would accept but an operator should know (deprecated directives,
 *     a missing maintenancedir, ...), each with its line
 */
public record Config(
        Path source, GlobalConfig global, List<VirtualConfig> virtuals, List<Diagnostic> warnings) {
    public Config {
        virtuals = List.copyOf(virtuals);
        warnings = List.copyOf(warnings);
    }
}
