package org.ldirector.daemon;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code ldirector [-d|--debug] [--] [configfile]
 * start|stop|restart|try-restart|reload|force-reload|status} or {@code ldirector -t [configfile]}
 * parsed into a value, plus ldirectord's config file lookup. Pure: the file system test is
 * injected. As in ldirectord the command is required: a config file alone is a usage error that
 * says so, not a start.
 *
 * @param debug -d: stay in the foreground, log verbosely
 * @param test -t: check the config, print it, exit
 * @param help -h
 * @param version -v
 * @param config the config argument as given (default "ldirectord.cf", looked up in /etc/ha.d)
 * @param verb the verb; empty with -t/-h/-v only
 * @param foreground --foreground: start stays in the foreground without debug logging (systemd,
 *     Pacemaker)
 * @param json --json: status as JSON
 * @param daemonChild the detached child of a daemonizing start
 * @param syncRole the {@code sync} verb's argument: master, backup, none or status
 */
public record CommandLine(
        boolean debug,
        boolean test,
        boolean help,
        boolean version,
        String config,
        Optional<String> verb,
        boolean foreground,
        boolean json,
        boolean daemonChild,
        Optional<String> syncRole) {

    /**
     * Internal: the re-executed child of a daemonizing start (see {@link Main}); not for operators.
     */
    static final String DAEMON_CHILD = "--daemon-child";

    public static final Set<String> VERBS =
            Set.of(
                    "start",
                    "stop",
                    "restart",
                    "try-restart",
                    "reload",
                    "force-reload",
                    "status",
                    "sync");
    private static final String VERB_LIST =
            "start, stop, restart, try-restart, reload, force-reload, status, sync";

    /**
     * Verbs that read no ldirectord.cf and reach no daemon; they come first on the command line.
     */
    public static final Set<String> TOOLS = Set.of("import-keepalived", "genhash");

    static final Set<String> SYNC_ROLES = Set.of("master", "backup", "none", "status");
    public static final String DEFAULT_CONFIG = "ldirectord.cf";
    public static final String USAGE =
            """
            Usage: ldirector [-d|--debug] [--foreground] [--] [configfile] \
            start|stop|restart|try-restart|reload|force-reload|status [--json]
                   ldirector [configfile] sync master|backup|none|status
                   ldirector -t|--test [-d] [--] [configfile]
                   ldirector import-keepalived FILE
                   ldirector genhash URL
                   ldirector -h|--help
                   ldirector -v|--version
              -d, --debug       stay in the foreground and log verbosely to stdout
                  --foreground  start: stay in the foreground (systemd, Pacemaker), log as usual and to stdout
                  --json        status: print the status as JSON
              -t, --test        check the configuration, print it with every default filled in, and exit
                                (no command: -t runs none)
            sync switches the running daemon's IPVS connection-sync role (syncdaemon in the config) now;
                  the role is kept for restarts until the next reboot. For keepalived notify scripts and Pacemaker.
            import-keepalived prints keepalived's virtual_server blocks in FILE as ldirectord.cf; every keyword
                  it cannot carry over is a FILE:LINE warning on stderr (exit 1). genhash prints the MD5 of a
                  page's body for httpdigest=, as keepalived's genhash.
              -h, --help        print this help
              -v, --version     print the version
            A bare config file name is looked up in /etc/ha.d and /etc/ha.d/conf (default /etc/ha.d/ldirectord.cf);
            a name with a / in it is a path, used as given.
            """;

    /** A command line that cannot be used; the message names what was wrong. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    public static CommandLine parse(List<String> given) throws UsageException {
        // --foreground and --json may come anywhere, also after the verb (status --json)
        List<String> args = new ArrayList<>(given);
        boolean foreground = args.removeIf("--foreground"::equals);
        boolean json = args.removeIf("--json"::equals);
        boolean daemonChild = args.removeIf(DAEMON_CHILD::equals);
        boolean debug = false;
        boolean test = false;
        boolean help = false;
        boolean version = false;
        int i = 0;
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.equals("--debug")) {
                debug = true;
            } else if (a.equals("--test")) {
                test = true;
            } else if (a.equals("--help")) {
                help = true;
            } else if (a.equals("--version")) {
                version = true;
            } else if (a.startsWith("--")) {
                throw new UsageException("unknown option " + a);
            } else if (a.startsWith("-") && a.length() > 1) {
                // Bundled short options, as ldirectord's Getopt::Long "bundling": -dt.
                for (char c : a.substring(1).toCharArray()) {
                    switch (c) {
                        case 'd' -> debug = true;
                        case 't' -> test = true;
                        case 'h', '?' -> help = true;
                        case 'v' -> version = true;
                        default -> throw new UsageException("unknown option -" + c);
                    }
                }
            } else {
                break; // require_order: options end at the first operand
            }
        }
        List<String> rest = args.subList(i, args.size());
        if (help || version) {
            return new CommandLine(
                    debug,
                    test,
                    help,
                    version,
                    DEFAULT_CONFIG,
                    Optional.empty(),
                    false,
                    false,
                    false,
                    Optional.empty());
        }
        // sync takes an argument: [configfile] sync ROLE
        Optional<String> syncRole = Optional.empty();
        int syncAt = rest.indexOf("sync");
        if (syncAt >= 0 && syncAt <= 1 && rest.size() == syncAt + 2) {
            syncRole = Optional.of(rest.get(syncAt + 1));
            if (!SYNC_ROLES.contains(syncRole.get())) {
                throw new UsageException(
                        "sync '"
                                + syncRole.get()
                                + "': expected sync master, backup, none or status");
            }
            rest = rest.subList(0, syncAt + 1);
        } else if (syncAt >= 0 && syncAt <= 1 && rest.size() == syncAt + 1) {
            throw new UsageException("sync needs a role: sync master, backup, none or status");
        }
        String config = DEFAULT_CONFIG;
        Optional<String> verb = Optional.empty();
        if (rest.size() > 2) {
            throw new UsageException("too many arguments: " + String.join(" ", rest));
        }
        if (test) {
            // -t checks a config and runs nothing: a command beside it would be silently dropped
            Optional<String> named = rest.stream().filter(VERBS::contains).findFirst();
            if (named.isPresent()) {
                throw new UsageException(
                        "-t tests the configuration and runs no command: drop '"
                                + named.get()
                                + "'");
            }
            if (rest.size() == 2) {
                throw new UsageException(
                        "-t takes one config file, found: " + String.join(" ", rest));
            }
            if (rest.size() == 1) {
                config = rest.get(0);
            }
        } else if (rest.isEmpty()) {
            throw new UsageException(
                    "no command given; expected one of "
                            + VERB_LIST
                            + " (or -t to test the configuration)");
        } else if (rest.size() == 1) {
            // One operand is the command, with the default config (ldirectord's form).
            String only = rest.get(0);
            if (!VERBS.contains(only)) {
                throw new UsageException(
                        looksLikeConfig(only)
                                ? "no command after the config file '"
                                        + only
                                        + "': ldirector "
                                        + only
                                        + " start, or one of "
                                        + VERB_LIST
                                : "unknown command '" + only + "'; expected one of " + VERB_LIST);
            }
            verb = Optional.of(only);
        } else {
            config = rest.get(0);
            verb = Optional.of(rest.get(1));
            if (!VERBS.contains(rest.get(1)) && VERBS.contains(rest.get(0))) {
                throw new UsageException(
                        "the config file goes before the command: ldirector "
                                + rest.get(1)
                                + " "
                                + rest.get(0));
            }
            if (!VERBS.contains(rest.get(1))) {
                throw new UsageException(
                        "unknown command '" + rest.get(1) + "'; expected one of " + VERB_LIST);
            }
        }
        if (json && !verb.equals(Optional.of("status"))) {
            throw new UsageException("--json goes with status only");
        }
        return new CommandLine(
                debug,
                test,
                help,
                version,
                config,
                verb,
                foreground || daemonChild,
                json,
                daemonChild,
                syncRole);
    }

    /** A path or a file name, not a command someone mistyped: "/etc/ha.d/x.cf", "web.cf". */
    private static boolean looksLikeConfig(String operand) {
        return operand.contains("/") || operand.contains(".");
    }

    /**
     * ldirectord's lookup for a bare name: /etc/ha.d/NAME, else /etc/ha.d/conf/NAME, else NAME in
     * the working directory. A name with a "/" is a path and used as given: ldirectord would prefix
     * even "./x.cf" with /etc/ha.d/ and so test a file the operator did not name. Whether the file
     * is there and readable is for the caller to find out (and to say why not).
     */
    public Path resolveConfig(Predicate<Path> isFile) {
        if (config.contains("/")) {
            return Path.of(config);
        }
        for (Path p :
                List.of(Path.of("/etc/ha.d/" + config), Path.of("/etc/ha.d/conf/" + config))) {
            if (isFile.test(p)) {
                return p;
            }
        }
        return Path.of(config);
    }

    public Path resolveConfig() {
        return resolveConfig(Files::isRegularFile);
    }
}
