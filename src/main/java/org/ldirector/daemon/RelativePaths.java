package org.ldirector.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ldirector.config.CheckType;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigPrinter;
import org.ldirector.config.Diagnostic;
import org.ldirector.config.VirtualConfig;

/**
 * Warnings for relative paths in a config. The daemon runs in {@code /} as ldirectord's does after
 * its chdir("/"), so a relative path there means a file under {@code /}; in the foreground (-d,
 * --foreground, supervised) it means one under whatever directory ldirector was started from.
 * Either way it is rarely what was meant, and it changes with how ldirector is started.
 */
final class RelativePaths {
    private RelativePaths() {}

    /**
     * One {@code FILE[:LINE]: warning: ...} line per relative path, as {@code -t} prints warnings.
     */
    static List<String> warnings(Config config) {
        List<String> out = new ArrayList<>();
        // (a logfile not starting with "/" is a syslog facility, as in ldirectord: the parser says
        // so)
        config.global()
                .maintenanceDir()
                .filter(RelativePaths::relative)
                .ifPresent(d -> out.add(warn(config, 0, "maintenancedir", d)));
        for (VirtualConfig v : config.virtuals()) {
            v.monitorFile()
                    .filter(RelativePaths::relative)
                    .ifPresent(f -> out.add(warn(config, v.line(), "monitorfile", f)));
            String cmd = v.check().checkCommand();
            // external runs the command itself: a bare name is looked up in PATH, a name with a "/"
            // is a path; external-perl hands the name to perl, which opens it as a path
            boolean path = v.check().type() == CheckType.EXTERNAL_PERL || cmd.contains("/");
            if ((v.check().type() == CheckType.EXTERNAL
                            || v.check().type() == CheckType.EXTERNAL_PERL)
                    && path
                    && relative(cmd)) {
                out.add(warn(config, v.line(), "checkcommand", cmd));
            }
        }
        return out;
    }

    private static boolean relative(String p) {
        return !p.isEmpty() && !Path.of(p).isAbsolute();
    }

    private static String warn(Config config, int line, String directive, String value) {
        return ConfigPrinter.warning(
                new Diagnostic(
                        config.source(),
                        line,
                        directive
                                + " \""
                                + value
                                + "\" is a relative path: the daemon runs in / and reads it as /"
                                + Path.of(value).normalize()
                                + " (in the foreground, relative to the working directory); write"
                                + " it absolute"));
    }
}
