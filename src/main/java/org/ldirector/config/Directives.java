package org.ldirector.config;

import static org.ldirector.config.ConfigParser.abbreviate;
import static org.ldirector.config.ConfigParser.unquote;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every directive ldirector knows, in one table: its name, the scopes it may appear in, how its
 * value is read and checked, its default, and whether a virtual inherits it from the global
 * section. The table is the only list of directive names: the parser dispatches on it, and the "did
 * you mean" suggestions and the names other code needs ({@link #GLOBAL}, {@link #VIRTUAL}) come
 * from it.
 *
 * <p>To add a directive:
 *
 * <ol>
 *   <li>one entry in {@link #TABLE}: {@link #virtual}, {@link #global} or {@link #inherited} (read
 *       the same way in both scopes into {@link InheritedSettings}), with its default (or null) and
 *       its reader. A reader reports a bad value through {@link ConfigParser#error} or {@link
 *       ConfigParser#warn} (both name the line) and then leaves the draft unchanged;
 *   <li>the field the reader fills, in {@link VirtualDraft}, {@link GlobalDraft} or {@link
 *       InheritedSettings}, initialised from the table ({@code Directives.initial("name")}) where
 *       it has a default;
 *   <li>the component of the record it ends up in ({@link CheckSpec}, {@link VirtualConfig}, {@link
 *       GlobalConfig}) and the argument in {@link ConfigAssembly} that fills it;
 *   <li>its entry in ldirector.cf(5) ({@code ManPagesTest} compares the page with this table) and,
 *       to show it in {@code ldirector -t}, a line in {@link ConfigPrinter}.
 * </ol>
 *
 * Checks that need more than the one line (other directives of the block, the whole file) go in
 * {@link ConfigParser}'s checks once a block or the file is read.
 */
final class Directives {

    /** Where a directive may be written. */
    enum Scope {
        GLOBAL,
        VIRTUAL
    }

    /** Reads one {@code name=value} line of a directive into the draft of its scope. */
    @FunctionalInterface
    interface Reader<T> {
        void read(ConfigParser p, T draft, int line, String name, String value);
    }

    /**
     * One directive.
     *
     * @param global how a global line is read; null where the directive is not global
     * @param virtual how a line of a virtual block is read; null where it is not a virtual's
     * @param inherited whether a virtual that does not give it takes the global value
     * @param initial the value before any line gives one (null: none, or derived from other values)
     * @param listed false for retired names, recognised only to say what replaced them and never
     *     offered as a suggestion
     */
    record Directive(
            String name,
            Reader<GlobalDraft> global,
            Reader<VirtualDraft> virtual,
            boolean inherited,
            Supplier<?> initial,
            boolean listed) {

        boolean allowedIn(Scope scope) {
            return (scope == Scope.GLOBAL ? global : virtual) != null;
        }
    }

    private static final Set<String> FACILITIES =
            Set.of(
                    "auth",
                    "authpriv",
                    "cron",
                    "daemon",
                    "ftp",
                    "kern",
                    "lpr",
                    "mail",
                    "news",
                    "syslog",
                    "user",
                    "uucp",
                    "local0",
                    "local1",
                    "local2",
                    "local3",
                    "local4",
                    "local5",
                    "local6",
                    "local7");
    private static final Pattern SMTP = Pattern.compile("^([0-9A-Za-z._+-]+)");

    /** ipvsadm's MAX_TIMEOUT for {@code -p}: 31 days (the kernel would take any u32). */
    static final int MAX_PERSISTENT = 86400 * 31;

    /** IP_VS_SCHEDNAME_MAXLEN less the terminating NUL. */
    static final int MAX_SCHEDULER_NAME = 15;

    private static final String CONNECTTIMEOUT_GONE =
            "connecttimeout is no longer supported; use negotiatetimeout"
                    + " (and checktimeout for connect checks)";

    private static final Map<String, Directive> TABLE =
            table(
                    // ---- inherited: a virtual block may give its own, else the global value
                    // applies
                    // ld_setup: checktimeout and negotiatetimeout default to each other before
                    // these defaults
                    inherited(
                            "checktimeout",
                            () -> 5,
                            (p, s, line, name, value) ->
                                    s.checkTimeout = p.positive(line, name, value, s.checkTimeout)),
                    inherited(
                            "negotiatetimeout",
                            () -> 30,
                            (p, s, line, name, value) ->
                                    s.negotiateTimeout =
                                            p.positive(line, name, value, s.negotiateTimeout)),
                    inherited(
                            "checkinterval",
                            () -> 10,
                            (p, s, line, name, value) -> {
                                s.checkInterval = p.positive(line, name, value, s.checkInterval);
                                s.checkIntervalLine = line;
                            }),
                    inherited(
                            "checkcount",
                            () -> 1,
                            (p, s, line, name, value) -> {
                                s.checkCount = p.positive(line, name, value, s.checkCount);
                                p.warn(
                                        line,
                                        "checkcount is deprecated (ldirectord slates it for"
                                                + " removal); see failurecount");
                            }),
                    inherited(
                            "failurecount",
                            () -> 1,
                            (p, s, line, name, value) ->
                                    s.failureCount = p.positive(line, name, value, s.failureCount)),
                    inherited(
                            "successcount",
                            () -> 1,
                            (p, s, line, name, value) ->
                                    s.successCount = p.positive(line, name, value, s.successCount)),
                    inherited(
                            "fallbackcommand",
                            null,
                            (p, s, line, name, value) -> {
                                // globally only a missing value is refused: "" there is an empty
                                // command, which runs nothing
                                if ((s.global ? value : unquote(value)).isEmpty()) {
                                    p.error(
                                            line,
                                            "fallbackcommand is empty; expected a command to run"
                                                    + " when the fallback is used");
                                } else {
                                    s.fallbackCommand = unquote(value);
                                    s.fallbackCommandLine = line;
                                }
                            }),
                    inherited(
                            "quiescent",
                            () -> false,
                            (p, s, line, name, value) ->
                                    s.quiescent = p.yesNo(line, name, value, s.quiescent)),
                    inherited(
                            "cleanstop",
                            () -> true,
                            (p, s, line, name, value) ->
                                    s.cleanstop = p.yesNo(line, name, value, s.cleanstop)),
                    inherited(
                            "emailalert",
                            null,
                            (p, s, line, name, value) ->
                                    emailAlertAddress(p, line, value)
                                            .ifPresent(v -> s.emailAlert = v)),
                    inherited(
                            "emailalertfreq",
                            () -> 0,
                            (p, s, line, name, value) ->
                                    emailAlertFreq(p, line, value)
                                            .ifPresent(v -> s.emailAlertFreq = v)),
                    inherited(
                            "emailalertstatus",
                            () -> EnumSet.allOf(DaemonState.class),
                            (p, s, line, name, value) ->
                                    emailAlertStatus(p, line, value)
                                            .ifPresent(v -> s.emailAlertStatus = v)),
                    inherited(
                            "smtp",
                            null,
                            (p, s, line, name, value) ->
                                    smtp(p, line, value).ifPresent(v -> s.smtp = v)),
                    // a global fallback is resolved for tcp and for udp virtuals alike (as
                    // ldirectord does); a
                    // virtual's once its block is read, for its protocol and with its port as the
                    // default
                    scoped("fallback", Directives::globalFallback, Directives::virtualFallback),
                    scoped("fallback6", Directives::globalFallback, Directives::virtualFallback),
                    retired("connecttimeout", true, CONNECTTIMEOUT_GONE),

                    // ---- global only
                    retired(
                            "timeout",
                            false,
                            "timeout is no longer supported; use checktimeout and"
                                    + " negotiatetimeout"),
                    // virtual= and virtual6= open a block: the line reader handles them before any
                    // lookup
                    global("virtual", null, Directives::opensBlock),
                    global("virtual6", null, Directives::opensBlock),
                    global(
                            "autoreload",
                            () -> false,
                            (p, g, line, name, value) ->
                                    g.autoreload = p.yesNo(line, name, value, g.autoreload)),
                    global(
                            "callback",
                            null,
                            (p, g, line, name, value) ->
                                    p.quoted(line, name, value, true)
                                            .ifPresent(
                                                    v -> {
                                                        g.callback = v;
                                                        g.callbackLine = line;
                                                    })),
                    global(
                            "logfile",
                            () -> LogTarget.DEFAULT,
                            (p, g, line, name, value) ->
                                    p.quoted(line, name, value, true)
                                            .ifPresent(v -> logfile(p, g, line, v))),
                    // ldirectord keeps the quotes and hands the value to a shell, which removes
                    // them.
                    global(
                            "execute",
                            null,
                            (p, g, line, name, value) -> g.execute.add(unquote(value))),
                    global(
                            "fork",
                            () -> false,
                            (p, g, line, name, value) ->
                                    g.fork = p.yesNo(line, name, value, g.fork)),
                    global(
                            "supervised",
                            () -> false,
                            (p, g, line, name, value) ->
                                    g.supervised = p.yesNo(line, name, value, g.supervised)),
                    global(
                            "readdquiescent",
                            () -> false,
                            (p, g, line, name, value) ->
                                    g.readdQuiescent =
                                            p.yesNo(line, name, value, g.readdQuiescent)),
                    global(
                            "emailalertfrom",
                            null,
                            (p, g, line, name, value) -> {
                                if (value.isEmpty()) {
                                    p.error(
                                            line,
                                            "emailalertfrom is empty; expected the sender address"
                                                    + " of alert mails");
                                } else if (p.noControl(line, name, value)) {
                                    g.emailAlertFrom = value;
                                }
                            }),
                    global(
                            "metrics",
                            null,
                            (p, g, line, name, value) ->
                                    metrics(p, line, value).ifPresent(v -> g.metrics = v)),
                    global("syncdaemon", null, Directives::sync),
                    global("syncinterface", null, Directives::sync),
                    global("syncid", null, Directives::sync),
                    global("syncmaxlen", null, Directives::sync),
                    global("syncgroup", null, Directives::sync),
                    global("syncport", null, Directives::sync),
                    global("syncttl", null, Directives::sync),
                    global(
                            "maintenancedir",
                            null,
                            (p, g, line, name, value) -> {
                                if (value.isEmpty()) {
                                    p.error(line, "maintenancedir is empty; expected a directory");
                                } else {
                                    g.maintenanceDir = value;
                                    if (!Files.isDirectory(Path.of(value))) {
                                        p.warn(
                                                line,
                                                "maintenance directory "
                                                        + value
                                                        + " does not exist");
                                    }
                                }
                            }),

                    // ---- virtual only
                    virtual("real", null, Directives::real),
                    virtual("real6", null, Directives::real),
                    virtual(
                            "request",
                            () -> "/",
                            (p, d, line, name, value) ->
                                    p.quoted(line, name, value, false)
                                            .ifPresent(
                                                    v ->
                                                            d.request =
                                                                    v.startsWith("/")
                                                                            ? v
                                                                            : "/" + v)),
                    virtual(
                            "receive",
                            () -> "",
                            (p, d, line, name, value) ->
                                    p.quoted(line, name, value, false)
                                            .filter(v -> p.perlRegex(line, v))
                                            .ifPresent(v -> d.receive = v)),
                    virtual("login", () -> "", quotedInto((d, v) -> d.login = v)),
                    virtual("passwd", () -> "", quotedInto((d, v) -> d.passwd = v)),
                    virtual("database", () -> "", quotedInto((d, v) -> d.database = v)),
                    virtual("secret", () -> "", quotedInto((d, v) -> d.secret = v)),
                    // read and unused by ldirectord too
                    virtual(
                            "load",
                            null,
                            (p, d, line, name, value) -> p.quoted(line, name, value, false)),
                    virtual("checktype", () -> "negotiate", Directives::checktype),
                    virtual(
                            "checkcommand",
                            () -> "/bin/true",
                            (p, d, line, name, value) -> {
                                String v = unquote(value);
                                if (v.isEmpty()) {
                                    p.error(
                                            line,
                                            "checkcommand is empty; expected the command an"
                                                    + " external check runs");
                                } else {
                                    d.checkCommand = v;
                                    d.checkCommandLine = line;
                                }
                            }),
                    virtual(
                            "checkport",
                            null,
                            (p, d, line, name, value) -> {
                                Optional<Long> n = ConfigParser.digits(value);
                                if (n.isEmpty() || n.get() < 1 || n.get() > 65535) {
                                    p.error(
                                            line,
                                            "checkport must be a port number 1..65535, found '"
                                                    + abbreviate(value)
                                                    + "'");
                                } else {
                                    p.noteLoose(line, name, value, n.get());
                                    d.checkPort = n.get().intValue();
                                }
                            }),
                    virtual("scheduler", () -> "wrr", Directives::scheduler),
                    virtual(
                            "persistent",
                            null,
                            (p, d, line, name, value) -> {
                                Optional<Long> n = ConfigParser.digits(value);
                                if (n.isEmpty()) {
                                    p.error(
                                            line,
                                            "persistent must be a timeout in seconds, found '"
                                                    + abbreviate(value)
                                                    + "'");
                                } else if (n.get() < 1 || n.get() > MAX_PERSISTENT) {
                                    p.error(
                                            line,
                                            "persistent timeout "
                                                    + abbreviate(value)
                                                    + " is out of range; expected 1.."
                                                    + MAX_PERSISTENT
                                                    + " seconds (ipvsadm's limit of 31 days)");
                                } else {
                                    p.noteLoose(line, name, value, n.get());
                                    d.persistent = n.get().intValue();
                                }
                            }),
                    virtual(
                            "schedflags",
                            null,
                            (p, d, line, name, value) -> {
                                if (value.isEmpty()) {
                                    p.error(
                                            line,
                                            "schedflags is empty; expected flags such as"
                                                    + " sh-fallback,sh-port");
                                } else {
                                    d.schedFlags = value.split("\\s+")[0];
                                    d.schedFlagsLine = line;
                                }
                            }),
                    virtual("netmask", null, Directives::netmask),
                    // the default is tcp, or udp for port 53, or fwm for a firewall mark (set as
                    // the block opens)
                    virtual("protocol", null, Directives::protocol),
                    virtual(
                            "ops",
                            () -> false,
                            (p, d, line, name, value) -> {
                                d.ops = p.yesNo(line, name, value, d.ops);
                                d.opsLine = line;
                            }),
                    // the default follows the port (ServiceType.forPort), set once the block is
                    // read
                    virtual("service", null, Directives::service),
                    virtual(
                            "httpmethod",
                            () -> "GET",
                            (p, d, line, name, value) -> {
                                Matcher w = Pattern.compile("(\\w+)").matcher(value);
                                String u = w.find() ? w.group(1).toUpperCase(Locale.ROOT) : "";
                                if (u.equals("GET") || u.equals("HEAD")) {
                                    d.httpMethod = u;
                                } else {
                                    p.error(
                                            line,
                                            "httpmethod must be GET or HEAD, found '"
                                                    + abbreviate(value)
                                                    + "'");
                                }
                            }),
                    virtual(
                            "virtualhost",
                            null,
                            (p, d, line, name, value) ->
                                    d.virtualHost = value.replaceAll("^\"?([^\"]*)\"?.*$", "$1")),
                    // Extensions: opt-in certificate verification for https checks (ldirectord
                    // never verifies).
                    virtual(
                            "httpscafile",
                            null,
                            (p, d, line, name, value) -> {
                                String v = unquote(value);
                                if (v.isEmpty()) {
                                    p.error(
                                            line,
                                            "httpscafile is empty; expected a PEM file of CA"
                                                + " certificates to verify https reals against");
                                } else if (!Files.isReadable(Path.of(v))) {
                                    p.error(
                                            line,
                                            "httpscafile "
                                                    + v
                                                    + " is not a readable file; expected a PEM file"
                                                    + " of CA certificates");
                                } else {
                                    d.httpsCaFile = v;
                                }
                            }),
                    virtual(
                            "httpsservername",
                            null,
                            (p, d, line, name, value) -> {
                                String v = unquote(value);
                                if (v.isEmpty()) {
                                    p.error(
                                            line,
                                            "httpsservername is empty; expected the TLS server name"
                                                    + " the https check sends and verifies");
                                } else {
                                    d.httpsServerName = v;
                                    d.httpsServerNameLine = line;
                                }
                            }),
                    // Extension: opt-in to the risk described at CheckSpec#mysqlPublicKeyRetrieval.
                    virtual(
                            "mysqlpublickeyretrieval",
                            () -> false,
                            (p, d, line, name, value) ->
                                    d.mysqlPublicKeyRetrieval =
                                            p.yesNo(line, name, value, d.mysqlPublicKeyRetrieval)),
                    // Extensions after keepalived's HTTP_GET url { status_code, digest } and
                    // MISC_CHECK misc_dynamic
                    // (see HttpExpect and CheckSpec#externalWeight).
                    virtual(
                            "httpstatus",
                            null,
                            httpExpect(StatusSet::parse, (d, v) -> d.httpStatus = v)),
                    virtual(
                            "httpdigest",
                            null,
                            httpExpect(UrlCheck::digest, (d, v) -> d.httpDigest = v)),
                    virtual(
                            "checkurl",
                            null,
                            (p, d, line, name, value) ->
                                    checkUrl(p, line, value)
                                            .ifPresent(
                                                    u -> {
                                                        d.checkUrls.add(u);
                                                        d.httpExpectLine = line;
                                                    })),
                    virtual(
                            "externalweight",
                            () -> false,
                            (p, d, line, name, value) -> {
                                d.externalWeight = p.yesNo(line, name, value, d.externalWeight);
                                d.externalWeightLine = line;
                            }),
                    virtual(
                            "monitorfile",
                            null,
                            (p, d, line, name, value) -> monitorFile(p, d, line, unquote(value))),
                    // both go into the headers of alert mails: a CR or LF there would start a
                    // header of its own
                    virtual(
                            "servicename",
                            null,
                            (p, d, line, name, value) -> {
                                if (p.noControl(line, name, value)) {
                                    d.serviceName = value;
                                }
                            }),
                    virtual(
                            "comment",
                            null,
                            (p, d, line, name, value) -> {
                                if (p.noControl(line, name, value)) {
                                    d.comment = value;
                                }
                            }));

    /** {@code checkurl = PATH [httpstatus=LIST] [httpdigest=HEX]}, the path quoted or not. */
    private static Optional<UrlCheck> checkUrl(ConfigParser p, int line, String value) {
        String v = value.strip();
        String path;
        String rest;
        if (v.startsWith("\"")) {
            int end = v.indexOf('"', 1);
            if (end < 0) {
                p.error(line, "checkurl: the path's quote is never closed");
                return Optional.empty();
            }
            path = v.substring(1, end);
            rest = v.substring(end + 1).strip();
        } else {
            String[] w = v.split("\\s+", 2);
            path = w[0];
            rest = w.length > 1 ? w[1].strip() : "";
        }
        if (path.isEmpty()) {
            p.error(
                    line,
                    "checkurl is empty; expected checkurl = PATH [httpstatus=LIST]"
                            + " [httpdigest=HEX]");
            return Optional.empty();
        }
        Optional<StatusSet> status = Optional.empty();
        Optional<String> digest = Optional.empty();
        for (String word : rest.isEmpty() ? new String[0] : rest.split("\\s+")) {
            try {
                if (word.startsWith("httpstatus=")) {
                    status = Optional.of(StatusSet.parse(word.substring("httpstatus=".length())));
                } else if (word.startsWith("httpdigest=")) {
                    digest = Optional.of(UrlCheck.digest(word.substring("httpdigest=".length())));
                } else {
                    p.error(
                            line,
                            "checkurl: '"
                                    + abbreviate(word)
                                    + "': expected checkurl = PATH [httpstatus=LIST]"
                                    + " [httpdigest=HEX]");
                    return Optional.empty();
                }
            } catch (IllegalArgumentException e) {
                p.error(line, "checkurl: " + e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.of(new UrlCheck(path, status, digest));
    }

    /** Global directive names, retired ones left out. */
    static final Set<String> GLOBAL = names(Scope.GLOBAL);

    /** Names of directives a virtual block may give, retired ones left out. */
    static final Set<String> VIRTUAL = names(Scope.VIRTUAL);

    private Directives() {}

    // ---------------------------------------------------------------- the table's shape

    private static Map<String, Directive> table(Directive... entries) {
        Map<String, Directive> t = new LinkedHashMap<>();
        for (Directive d : entries) {
            if (t.put(d.name(), d) != null) {
                throw new IllegalStateException("directive " + d.name() + " is in the table twice");
            }
            if (d.inherited() && !(d.allowedIn(Scope.GLOBAL) && d.allowedIn(Scope.VIRTUAL))) {
                throw new IllegalStateException(
                        "inherited directive " + d.name() + " must be readable in both scopes");
            }
        }
        return Collections.unmodifiableMap(t);
    }

    /**
     * Read the same way in both scopes into their {@link InheritedSettings}; a virtual inherits it.
     */
    private static Directive inherited(
            String name, Supplier<?> initial, Reader<InheritedSettings> reader) {
        return new Directive(
                name,
                (p, g, line, n, v) -> reader.read(p, g.inherited, line, n, v),
                (p, d, line, n, v) -> reader.read(p, d.inherited, line, n, v),
                true,
                initial,
                true);
    }

    /** Inherited, but read differently in each scope. */
    private static Directive scoped(
            String name, Reader<GlobalDraft> global, Reader<VirtualDraft> virtual) {
        return new Directive(name, global, virtual, true, null, true);
    }

    private static Directive global(String name, Supplier<?> initial, Reader<GlobalDraft> reader) {
        return new Directive(name, reader, null, false, initial, true);
    }

    /**
     * A keepalived-style http expectation: parsed by {@code parse} (its IllegalArgumentException is
     * the error on the line), stored, and its line noted for the checks once the block is read.
     */
    private static <T> Reader<VirtualDraft> httpExpect(
            Function<String, T> parse, BiConsumer<VirtualDraft, T> store) {
        return (p, d, line, name, value) -> {
            try {
                store.accept(d, parse.apply(unquote(value)));
                d.httpExpectLine = line;
            } catch (IllegalArgumentException e) {
                p.error(line, name + ": " + e.getMessage());
            }
        };
    }

    /** A quoted string (empty allowed: no) stored by {@code store}. */
    private static Reader<VirtualDraft> quotedInto(BiConsumer<VirtualDraft, String> store) {
        return (p, d, line, name, value) ->
                p.quoted(line, name, value, false).ifPresent(v -> store.accept(d, v));
    }

    private static Directive virtual(
            String name, Supplier<?> initial, Reader<VirtualDraft> reader) {
        return new Directive(name, null, reader, false, initial, true);
    }

    /**
     * A name ldirectord no longer takes: an error saying what replaced it (global, and in a virtual
     * if asked).
     */
    private static Directive retired(String name, boolean alsoVirtual, String message) {
        return new Directive(
                name,
                (p, g, line, n, v) -> p.error(line, message),
                alsoVirtual ? (p, d, line, n, v) -> p.error(line, message) : null,
                false,
                null,
                false);
    }

    private static void opensBlock(
            ConfigParser p, GlobalDraft g, int line, String name, String value) {
        throw new IllegalStateException(
                name + "= lines open a virtual block and are read by the line reader");
    }

    private static Set<String> names(Scope scope) {
        Set<String> out = new TreeSet<>();
        for (Directive d : TABLE.values()) {
            if (d.listed() && d.allowedIn(scope)) {
                out.add(d.name());
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** The directive {@code name} names in {@code scope}, if it may be written there. */
    static Optional<Directive> lookup(String name, Scope scope) {
        Directive d = TABLE.get(name);
        return d != null && d.allowedIn(scope) ? Optional.of(d) : Optional.empty();
    }

    /** A directive's value before any line gives one. */
    @SuppressWarnings("unchecked")
    static <T> T initial(String name) {
        Directive d = TABLE.get(name);
        if (d == null || d.initial() == null) {
            throw new IllegalArgumentException(
                    "directive " + name + " has no default in the table");
        }
        return (T) d.initial().get();
    }

    // ---------------------------------------------------------------- readers of single directives

    private static void globalFallback(
            ConfigParser p, GlobalDraft g, int line, String name, String value) {
        AddressFamily af = name.equals("fallback") ? AddressFamily.INET : AddressFamily.INET6;
        Fallback tcp = p.servers().fallback(line, name, value, af, "tcp", null);
        Fallback udp =
                tcp == null ? null : p.servers().fallback(line, name, value, af, "udp", null);
        if (tcp != null && udp != null) {
            if (af == AddressFamily.INET) {
                g.fallback = tcp;
            } else {
                g.fallback6 = tcp;
            }
        }
    }

    private static void virtualFallback(
            ConfigParser p, VirtualDraft d, int line, String name, String value) {
        boolean six = name.equals("fallback6");
        if (six != (d.family == AddressFamily.INET6)) {
            p.error(
                    line,
                    "cannot use "
                            + name
                            + "= in a "
                            + (six ? "virtual=" : "virtual6=")
                            + " block;"
                            + " use "
                            + (six ? "fallback=" : "fallback6="));
        } else {
            d.fallbackText = value;
            d.fallbackLine = line;
            d.fallbackName = name;
        }
    }

    /** Reals are read once the block is (their ports may default to the virtual's). */
    private static void real(ConfigParser p, VirtualDraft d, int line, String name, String value) {
        boolean six = name.equals("real6");
        if (six != (d.family == AddressFamily.INET6)) {
            p.error(
                    line,
                    "cannot use "
                            + name
                            + "= in a "
                            + (six ? "virtual=" : "virtual6=")
                            + " block;"
                            + " use "
                            + (six ? "real=" : "real6=")
                            + " (the family must match the virtual's)");
            d.ok = false;
        } else {
            d.realTodo.add(new String[] {value, Integer.toString(line)});
        }
    }

    private static void logfile(ConfigParser p, GlobalDraft g, int line, String v) {
        if (v.startsWith("/")) {
            // ldirectord opens it for append as a test (creating it); ldirector only checks it
            // could.
            Path file = Path.of(v);
            Path dir = file.toAbsolutePath().getParent();
            if (Files.isDirectory(file)
                    || dir == null
                    || !Files.isDirectory(dir)
                    || (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir))) {
                p.error(
                        line,
                        "unable to open logfile "
                                + v
                                + ": it must be a writable file in an existing directory");
                return;
            }
            g.logTarget = LogTarget.file(file);
        } else if (FACILITIES.contains(v)) {
            g.logTarget = LogTarget.syslog(v);
        } else {
            // ldirectord hands any other value to Sys::Syslog, which logs an unknown facility as
            // "user".
            p.warn(
                    line,
                    "logfile \""
                            + v
                            + "\" does not start with '/', so it names a syslog facility, and it is"
                            + " not one ("
                            + String.join(", ", FACILITIES.stream().sorted().toList())
                            + "); logging to syslog facility user, as ldirectord does; write an"
                            + " absolute path to log to a file");
            g.logTarget = LogTarget.syslog("user");
        }
    }

    private static Optional<String> emailAlertAddress(ConfigParser p, int line, String value) {
        String v = value.replaceFirst("^\"([^\"]*)\"$", "$1");
        if (v.isEmpty()) {
            p.error(line, "emailalert is empty; expected an email address");
            return Optional.empty();
        }
        return p.noControl(line, "emailalert", v) ? Optional.of(v) : Optional.empty();
    }

    private static Optional<Integer> emailAlertFreq(ConfigParser p, int line, String value) {
        Matcher m = Pattern.compile("^(\\d+)").matcher(value);
        if (!m.find()) {
            p.error(
                    line,
                    "emailalertfreq must be a number of seconds (0 = alert once), found '"
                            + abbreviate(value)
                            + "'");
            return Optional.empty();
        }
        String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
        if (digits.length() > 9) {
            p.error(
                    line,
                    "emailalertfreq "
                            + abbreviate(m.group(1))
                            + " is out of range; expected 0..999999999 seconds");
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(digits));
    }

    private static Optional<Set<DaemonState>> emailAlertStatus(
            ConfigParser p, int line, String value) {
        if (value.isEmpty()) {
            return Optional.of(EnumSet.noneOf(DaemonState.class)); // ldirectord: no word, no state
        }
        String[] parts = value.split("\\s*,\\s*");
        boolean none = false;
        for (String part : parts) {
            none |= part.equals("none");
        }
        Set<DaemonState> out = EnumSet.noneOf(DaemonState.class);
        boolean ok = true;
        for (String part : parts) {
            if (part.equals("none")) {
                continue;
            }
            if (part.equals("all")) {
                out = EnumSet.allOf(DaemonState.class);
            } else {
                Optional<DaemonState> s =
                        Arrays.stream(DaemonState.values())
                                .filter(x -> x.keyword().equals(part))
                                .findFirst();
                if (s.isEmpty()) {
                    p.error(
                            line,
                            "invalid email alert status '"
                                    + abbreviate(part)
                                    + "'; expected all, none, or a comma"
                                    + " list of starting, running, stopping, reloading");
                    ok = false;
                    continue;
                }
                out.add(s.get());
            }
            if (none) {
                p.error(
                        line,
                        "email alert status '"
                                + abbreviate(part)
                                + "' cannot be combined with 'none'");
                ok = false;
            }
        }
        return ok ? Optional.of(out) : Optional.empty();
    }

    private static Optional<String> smtp(ConfigParser p, int line, String value) {
        Matcher m = SMTP.matcher(value);
        if (!m.find()) {
            p.error(
                    line,
                    "invalid SMTP server address '"
                            + abbreviate(value)
                            + "'; expected a host name or IP address");
            return Optional.empty();
        }
        return Optional.of(m.group(1));
    }

    /**
     * ldirector extension {@code metrics = [ADDRESS:]PORT}: the Prometheus endpoint. An IP literal
     * only (a name could resolve elsewhere after a DNS change); 127.0.0.1 when no address is given.
     * Any other address is allowed, with a warning, since a Prometheus server often scrapes from
     * another host, but the page is unauthenticated.
     */
    private static Optional<InetSocketAddress> metrics(ConfigParser p, int line, String value) {
        String v = unquote(value).strip();
        Matcher m = Pattern.compile("(?:(\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):)?(\\d{1,5})").matcher(v);
        String expected =
                "expected metrics = [ADDRESS:]PORT, e.g. 9469 or 127.0.0.1:9469 or [::1]:9469";
        if (!m.matches()) {
            p.error(
                    line,
                    "metrics '" + abbreviate(v) + "' is not an address and port; " + expected);
            return Optional.empty();
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            p.error(line, "metrics port " + port + " is out of range; " + expected);
            return Optional.empty();
        }
        String host = m.group(1) == null ? "127.0.0.1" : m.group(1).replaceAll("^\\[|\\]$", "");
        Optional<InetAddress> literal = ipLiteral(host);
        if (literal.isEmpty()) {
            p.error(
                    line,
                    "metrics address '" + abbreviate(host) + "' is not an IP address; " + expected);
            return Optional.empty();
        }
        InetAddress address = literal.get();
        if (!address.isLoopbackAddress()) {
            p.warn(
                    line,
                    "metrics listens on "
                            + address.getHostAddress()
                            + ", not on loopback: anyone who can reach it reads the health of every"
                            + " real server; bind it to 127.0.0.1 unless a remote Prometheus must"
                            + " scrape it");
        }
        return Optional.of(new InetSocketAddress(address, port));
    }

    /**
     * The connection-sync directives (ldirector extension). Values are checked as the kernel and
     * ipvsadm would check them, so a start never fails on what the file could have said; the
     * settings as a whole are checked once the file is read ({@link ConfigParser}).
     */
    private static void sync(ConfigParser p, GlobalDraft g, int line, String name, String value) {
        String v = unquote(value).strip();
        if (!name.equals("syncdaemon") && g.firstSyncSettingLine == 0) {
            g.firstSyncSettingLine = line;
        }
        switch (name) {
            case "syncdaemon" -> {
                Optional<SyncConfig.Role> r = SyncConfig.Role.parse(v);
                if (r.isEmpty()) {
                    p.error(
                            line,
                            "syncdaemon '"
                                    + abbreviate(v)
                                    + "' is not a role; expected syncdaemon = master, backup"
                                    + " or none");
                } else {
                    g.syncRole = r.get();
                    g.syncRoleLine = line;
                }
            }
            case "syncinterface" -> {
                // the kernel's dev_valid_name: 1 to 15 bytes, no '/', ':' or white space, not . or
                // ..
                if (!v.matches("[^/:\\s]{1,15}") || v.equals(".") || v.equals("..")) {
                    p.error(
                            line,
                            "syncinterface '"
                                    + abbreviate(v)
                                    + "' is not an interface name; expected 1 to 15 characters"
                                    + " without '/', ':' or blanks, e.g. syncinterface = eth1");
                } else {
                    g.syncInterface = v;
                }
            }
            case "syncid" -> g.syncId = syncNumber(p, line, name, v, 0, 255, g.syncId);
            // 1024..65507: the range the kernel keeps unchanged for both roles over IPv4 (it raises
            // a
            // backup's smaller value to 1024, and caps at 65535 less the IP and UDP headers)
            case "syncmaxlen" ->
                    g.syncMaxLength = syncNumber(p, line, name, v, 1024, 65507, g.syncMaxLength);
            case "syncport" -> g.syncPort = syncNumber(p, line, name, v, 1, 65535, g.syncPort);
            case "syncttl" -> g.syncTtl = syncNumber(p, line, name, v, 1, 255, g.syncTtl);
            default -> { // syncgroup
                InetAddress a = ipLiteral(v).orElse(null);
                if (a == null || !a.isMulticastAddress()) {
                    p.error(
                            line,
                            "syncgroup '"
                                    + abbreviate(v)
                                    + "' is not a multicast address; expected e.g."
                                    + " syncgroup = 224.0.0.81 or syncgroup = ff02::8848");
                } else {
                    g.syncGroup = a;
                }
            }
        }
    }

    private static int syncNumber(
            ConfigParser p, int line, String name, String v, int min, int max, int previous) {
        if (!v.matches("\\d{1,6}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
            p.error(
                    line,
                    name
                            + " '"
                            + abbreviate(v)
                            + "' is out of range; expected "
                            + name
                            + " = "
                            + min
                            + ".."
                            + max);
            return previous;
        }
        return Integer.parseInt(v);
    }

    /**
     * An IP literal, never a name: a checked dotted quad, or text with ':' that Java parses as IPv6
     * only; so no DNS lookup happens (a name could resolve elsewhere after a DNS change).
     */
    private static Optional<InetAddress> ipLiteral(String text) {
        if (!text.contains(":")
                && !text.matches(
                        "((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static void checktype(
            ConfigParser p, VirtualDraft d, int line, String name, String value) {
        Matcher num = Pattern.compile("(\\d+)").matcher(value);
        Matcher word = Pattern.compile("([\\w-]+)").matcher(value);
        // ldirectord tests for a number first, anywhere in the value: "checktype=3" is 3 connects
        // per negotiate.
        if (num.find()) {
            if (num.group(1).length() > 9) {
                p.error(line, "checktype number " + abbreviate(num.group(1)) + " is too large");
                return;
            }
            if (!num.group(1).equals(value)) {
                p.warn(
                        line,
                        "checktype '"
                                + abbreviate(value)
                                + "' is read as the number "
                                + num.group(1)
                                + " (ldirectord looks for digits first)");
            }
            d.checktype = "combined";
            d.numConnects = Integer.parseInt(num.group(1));
        } else if (word.find()
                && Set.of("connect", "negotiate", "ping", "off", "on", "external", "external-perl")
                        .contains(word.group(1))) {
            d.checktype = word.group(1);
        } else {
            p.error(
                    line,
                    "checktype must be connect, negotiate, ping, external, external-perl, on, off"
                            + " or a number, found '"
                            + abbreviate(value)
                            + "'");
        }
    }

    private static void scheduler(
            ConfigParser p, VirtualDraft d, int line, String name, String value) {
        Matcher s = Pattern.compile("([a-z]+)").matcher(value);
        if (!s.find()) {
            p.error(
                    line,
                    "scheduler must be a name in lowercase letters (e.g. wrr, rr, wlc, sh), found '"
                            + abbreviate(value)
                            + "'");
        } else if (s.group(1).length() > MAX_SCHEDULER_NAME) {
            p.error(
                    line,
                    "scheduler name '"
                            + abbreviate(s.group(1))
                            + "' is longer than the kernel's "
                            + MAX_SCHEDULER_NAME
                            + " characters; expected e.g. wrr, rr, wlc, sh");
        } else {
            if (!s.group(1).equals(value)) {
                p.warn(
                        line,
                        "scheduler '"
                                + abbreviate(value)
                                + "' is read as '"
                                + s.group(1)
                                + "' (ldirectord takes the first run of lowercase letters)");
            }
            d.scheduler = s.group(1);
        }
    }

    private static void netmask(
            ConfigParser p, VirtualDraft d, int line, String name, String value) {
        if (d.family == AddressFamily.INET6) {
            if (!value.matches("\\d{1,3}")
                    || Integer.parseInt(value) < 1
                    || Integer.parseInt(value) > 128) {
                p.error(
                        line,
                        "netmask of an IPv6 virtual must be a prefix length 1..128, found '"
                                + abbreviate(value)
                                + "'");
                return;
            }
        } else if (ConfigParser.ipv4Mask(value).isEmpty()) {
            p.error(
                    line,
                    "netmask must be a contiguous IPv4 mask from 128.0.0.0 to 255.255.255.255 (each"
                            + " part 0..255, ones then zeros), such as 255.255.255.0; found '"
                            + abbreviate(value)
                            + "'");
            return;
        }
        d.netmask = value;
        d.netmaskLine = line;
    }

    private static void protocol(
            ConfigParser p, VirtualDraft d, int line, String name, String value) {
        Matcher w = Pattern.compile("(\\w+)").matcher(value);
        if (!w.find()) {
            p.error(line, "protocol is empty; expected tcp or udp (or fwm for a firewall mark)");
        } else if (d.protocol.equals("fwm")) {
            if (!w.group(1).equals("fwm")) {
                p.error(
                        line,
                        "protocol must be fwm for a firewall-mark virtual service, found '"
                                + abbreviate(value)
                                + "'");
            }
        } else if (w.group(1).equals("tcp") || w.group(1).equals("udp")) {
            d.protocol = w.group(1);
        } else {
            p.error(
                    line,
                    "protocol must be tcp or udp for an address:port virtual service, found '"
                            + abbreviate(value)
                            + "'");
        }
    }

    private static void service(
            ConfigParser p, VirtualDraft d, int line, String name, String value) {
        Matcher w = Pattern.compile("(\\w+)").matcher(value);
        String s = w.find() ? w.group(1) : "";
        if (s.equals("oracle")) {
            p.error(
                    line,
                    "service=oracle is not supported: oracle checks need Oracle's proprietary"
                            + " driver, which ldirector does not ship; use checktype=connect or"
                            + " external");
            d.service =
                    "none"; // reported once: no second error from inferring oracle off port 1521
            return;
        }
        if (ServiceType.fromKeyword(s).isEmpty()) {
            List<String> names = new ArrayList<>();
            for (ServiceType t : ServiceType.values()) {
                if (t != ServiceType.ORACLE) {
                    names.add(t.keyword());
                }
            }
            p.error(
                    line,
                    "service must be one of "
                            + String.join(", ", names)
                            + "; found '"
                            + abbreviate(value)
                            + "'");
            return;
        }
        d.service = s;
        // As ldirectord: these defaults apply only when service= is written, and only to what is
        // still empty.
        if (s.equals("ftp") && d.login.isEmpty()) {
            d.login = "anonymous";
        } else if (s.equals("sip") && d.login.isEmpty()) {
            d.login = "ldirectord@" + p.resolver().localHostName();
        }
        if (s.equals("ftp") && d.passwd.isEmpty()) {
            d.passwd = "ldirectord@" + p.resolver().localHostName();
        }
    }

    private static void monitorFile(ConfigParser p, VirtualDraft d, int line, String v) {
        if (v.isEmpty()) {
            p.error(line, "monitorfile is empty; expected a file path");
            return;
        }
        // ldirectord opens it for append here (creating it); ldirector only checks that it could.
        Path file = Path.of(v).toAbsolutePath();
        Path dir = file.getParent();
        if (Files.isDirectory(file)
                || dir == null
                || !Files.isDirectory(dir)
                || (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir))) {
            p.error(
                    line,
                    "unable to open monitorfile "
                            + v
                            + ": expected a writable file in an existing directory");
            return;
        }
        d.monitorFile = v;
    }

    // ---------------------------------------------------------------- suggestions

    /** The closest known name within a small edit distance, preferring the given scope's names. */
    static Optional<String> suggest(String word, Set<String> scope) {
        String w = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Set<String> names : List.of(scope, GLOBAL, VIRTUAL)) {
            for (String name : names.stream().sorted().toList()) {
                int d = distance(w, name);
                if (d < bestDistance) {
                    best = name;
                    bestDistance = d;
                }
            }
            if (best != null && bestDistance <= limit(w)) {
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    private static int limit(String word) {
        return word.length() <= 4 ? 1 : word.length() <= 8 ? 2 : 3;
    }

    /** Optimal string alignment distance: a swapped pair of letters counts as one edit. */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3 || a.length() > 64) {
            return Integer.MAX_VALUE / 2;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] =
                        Math.min(
                                Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1
                        && j > 1
                        && a.charAt(i - 1) == b.charAt(j - 2)
                        && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
