package org.ldirector.director;

import java.util.ArrayList;
import java.util.List;

/**
 * The argv that runs an operator's command line through {@code /bin/sh}, as ldirectord's {@code
 * system()} does, with the arguments ldirector adds passed as positional parameters ({@code sh -c
 * 'COMMAND "$@"' sh ARG…}). The shell parses only the command the operator wrote; an argument (a
 * config path, an address) reaches the command as one word, whatever characters it holds, and is
 * never expanded, split or run.
 */
public final class ShellCommand {
    private static final String SHELL = "/bin/sh";
    private static final String ARGS = " \"$@\"";

    private ShellCommand() {}

    public static List<String> argv(String command, List<String> args) {
        List<String> argv = new ArrayList<>(List.of(SHELL, "-c", command + ARGS, "sh"));
        argv.addAll(args);
        return List.copyOf(argv);
    }

    /** The command line as ldirectord would log it ({@code COMMAND ARG…}), for messages only. */
    public static String display(List<String> argv) {
        if (argv.size() < 4 || !argv.get(0).equals(SHELL) || !argv.get(2).endsWith(ARGS)) {
            return String.join(" ", argv);
        }
        String command = argv.get(2).substring(0, argv.get(2).length() - ARGS.length());
        List<String> words = new ArrayList<>(List.of(command));
        words.addAll(argv.subList(4, argv.size()));
        return String.join(" ", words);
    }
}
