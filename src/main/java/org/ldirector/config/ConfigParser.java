package org.ldirector.config;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.ldirector.net.VirtualId;

/**
 * Reads ldirectord.cf files with ldirectord's own acceptance rules (its {@code read_config}, {@code
 * add_real_server}, {@code parse_fallback} and {@code ld_setup}), but reports every error found,
 * each naming its line, instead of dying at the first.
 *
 * <p>Deliberate differences, all in the direction of a clearer result: trailing whitespace and CRLF
 * line ends are ignored (ldirectord rejects {@code quiescent=yes } with a trailing blank); text
 * ldirectord's unanchored regexes silently skip (e.g. {@code real=x_y:80 gate} read as host {@code
 * y}) is an error; values ldirectord reads only in part (e.g. {@code checktimeout=5s} as 5) are
 * accepted as ldirectord reads them, with a warning. Nothing is created on disk: where ldirectord
 * opens a logfile or a monitorfile for append at parse time, ldirector only checks that it could.
 *
 * <p>This class reads lines, tells the global section from virtual blocks, and collects errors and
 * warnings. What each directive means lives in {@link Directives} (one table, both scopes); the
 * values read go into a {@link GlobalDraft} and a {@link VirtualDraft} per block; {@code real=} and
 * {@code fallback=} values are read by {@link ServerReader}; checks that need a whole block or the
 * whole file run here once it is read; {@link ConfigAssembly} then builds the records.
 */
public final class ConfigParser {

    // DOTALL: a lone CR (or another line separator) inside a line is a character of the value,
    // refused
    // where it matters (mail headers), never a reason to misread the line's shape
    private static final Pattern ASSIGN =
            Pattern.compile("^([A-Za-z0-9_-]+)\\s*=\\s*(.*)$", Pattern.DOTALL);
    private static final Pattern VIRTUAL_LINE =
            Pattern.compile("^virtual(6)?\\s*=\\s*(.*)$", Pattern.DOTALL);
    private static final Pattern COMMENT_LINE = Pattern.compile("^\\s*#.*", Pattern.DOTALL);
    private static final Pattern COMMENT = Pattern.compile("#.*", Pattern.DOTALL);
    private static final Pattern V_IPV4 =
            Pattern.compile("^(\\d+\\.\\d+\\.\\d+\\.\\d+):([0-9A-Za-z_-]+)");
    private static final Pattern V_HOST = Pattern.compile("^([0-9A-Za-z._+-]+):([0-9A-Za-z_-]+)");
    private static final Pattern V_FWM = Pattern.compile("^(\\d+)");
    private static final Pattern V_IPV6 =
            Pattern.compile("^\\[([0-9A-Fa-f:]+)\\]:([0-9A-Za-z_-]+)");
    private static final Pattern INDENTED = Pattern.compile("^ {4,}(.+)$", Pattern.DOTALL);

    private final Path source;
    private final NameResolver resolver;
    private final List<Diagnostic> errors = new ArrayList<>();
    private final List<Diagnostic> warnings = new ArrayList<>();
    private final GlobalDraft global = new GlobalDraft();
    private final List<VirtualDraft> drafts = new ArrayList<>();
    private final ServerReader servers = new ServerReader(this);

    private ConfigParser(Path source, NameResolver resolver) {
        this.source = source;
        this.resolver = resolver;
    }

    NameResolver resolver() {
        return resolver;
    }

    ServerReader servers() {
        return servers;
    }

    /**
     * Parses and validates a config file, resolving host and service names as ldirectord does.
     *
     * @throws ConfigException with every error found, each naming file and line
     * @throws IOException when the file cannot be read
     */
    public static Config parse(Path file) throws ConfigException, IOException {
        return parse(Files.readAllBytes(file), file, NameResolver.system());
    }

    /**
     * Parses the bytes of a config file, read as UTF-8 (a leading byte-order mark is skipped). A
     * line that is not valid UTF-8 is an error naming it; the rest of the file is still read, so
     * every other error is reported too.
     */
    public static Config parse(byte[] bytes, Path source, NameResolver resolver)
            throws ConfigException {
        List<Integer> badLines = new ArrayList<>();
        String text = decodeUtf8(bytes, badLines);
        List<Diagnostic> encoding = new ArrayList<>();
        for (int line : badLines) {
            encoding.add(
                    new Diagnostic(
                            source,
                            line,
                            "this line is not valid UTF-8; ldirector reads its"
                                    + " configuration as UTF-8: save the file in UTF-8"));
        }
        return parse(text, source, resolver, encoding);
    }

    /**
     * Parses config text. {@code source} is only used in diagnostics and {@link Config#source()}
     * (and to check relative monitorfile paths, as ldirectord, relative to the working directory).
     */
    public static Config parse(String text, Path source, NameResolver resolver)
            throws ConfigException {
        return parse(text, source, resolver, List.of());
    }

    private static Config parse(
            String text, Path source, NameResolver resolver, List<Diagnostic> encoding)
            throws ConfigException {
        ConfigParser p = new ConfigParser(source, resolver);
        p.errors.addAll(encoding);
        p.run(withoutNul(text, source, p.errors));
        Optional<SyncConfig> sync = p.syncConfig();
        if (!p.errors.isEmpty()) {
            List<Diagnostic> sorted = new ArrayList<>(p.errors);
            sorted.sort(Comparator.comparingInt(Diagnostic::line));
            throw new ConfigException(sorted);
        }
        return ConfigAssembly.assemble(source, p.global, sync, p.drafts, p.warnings);
    }

    // ---------------------------------------------------------------- reading

    /**
     * A NUL byte is in no value ldirectord can use (Perl hands its strings to C, which ends them
     * there) and Java refuses it in paths and commands: each line holding one is an error, and the
     * NUL becomes U+FFFD so the rest of the line is still read.
     */
    private static String withoutNul(String text, Path source, List<Diagnostic> errors) {
        if (text.indexOf('\0') < 0) {
            return text;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].indexOf('\0') >= 0) {
                errors.add(
                        new Diagnostic(
                                source,
                                i + 1,
                                "this line holds a NUL byte, which no directive takes"));
            }
        }
        return text.replace('\0', '\uFFFD');
    }

    /**
     * The file as text, line by line: each line that is not valid UTF-8 is decoded with replacement
     * characters (so its directive is still recognised) and its number is added to {@code
     * badLines}.
     */
    static String decodeUtf8(byte[] bytes, List<Integer> badLines) {
        int start =
                bytes.length >= 3
                                && (bytes[0] & 0xff) == 0xef
                                && (bytes[1] & 0xff) == 0xbb
                                && (bytes[2] & 0xff) == 0xbf
                        ? 3
                        : 0;
        StringBuilder out = new StringBuilder(bytes.length);
        int line = 1;
        while (start <= bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            CharsetDecoder strict =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer chunk = ByteBuffer.wrap(bytes, start, end - start);
            try {
                out.append(strict.decode(chunk));
            } catch (CharacterCodingException e) {
                badLines.add(line);
                out.append(new String(bytes, start, end - start, StandardCharsets.UTF_8));
            }
            if (end < bytes.length) {
                out.append('\n');
            }
            start = end + 1;
            line++;
        }
        return out.toString();
    }

    private void run(String text) {
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) {
            n--;
        }
        for (int i = 0; i < n; i++) {
            lines[i] = stripEol(lines[i]);
        }
        int i = 0;
        int lastBlockEnd = -1;
        while (i < n) {
            String line = lines[i];
            Matcher v = VIRTUAL_LINE.matcher(line);
            if (v.matches()) {
                VirtualDraft d = startVirtual(i + 1, v.group(1) != null, v.group(2).strip());
                i++;
                while (i < n) {
                    String raw = lines[i];
                    if (COMMENT_LINE.matcher(raw).matches()) {
                        i++;
                        continue;
                    }
                    String s = COMMENT.matcher(raw).replaceFirst("").replace("\t", "    ");
                    Matcher m = INDENTED.matcher(s);
                    // A blank line (even of 4+ blanks, which ldirectord calls an unknown command)
                    // ends the block.
                    if (!m.matches() || raw.isBlank()) {
                        break;
                    }
                    String cmd = m.group(1).strip();
                    if (!cmd.isEmpty()) {
                        virtualDirective(d, i + 1, cmd, raw.indexOf('#') >= 0);
                    }
                    i++;
                }
                if (i == n && i == d.line) {
                    // ldirectord re-reads a virtual= line that is the file's last and reports it as
                    // a duplicate.
                    error(
                            d.line,
                            "virtual service "
                                    + d.written
                                    + " on the last line of the file has no directives; ldirectord"
                                    + " rejects that (as a \"duplicate virtual server\"); add its"
                                    + " real= lines after it");
                }
                finishVirtual(d, i);
                lastBlockEnd = i;
                continue;
            }
            if (line.isBlank() || COMMENT_LINE.matcher(line).matches()) {
                i++;
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                indentedOutsideBlock(i + 1, line.strip(), lastBlockEnd, lines);
            } else {
                globalDirective(i + 1, line.strip());
            }
            i++;
        }
        checkFile();
    }

    private static String stripEol(String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private void indentedOutsideBlock(int line, String text, int lastBlockEnd, String[] lines) {
        String hint;
        if (lastBlockEnd >= 0
                && lastBlockEnd < lines.length
                && lines[lastBlockEnd].isBlank()
                && lastBlockEnd + 1 < line) {
            hint =
                    "; a blank line ends a virtual block (line "
                            + (lastBlockEnd + 1)
                            + " is blank), so remove it or start the line with '#'";
        } else {
            hint =
                    "; global directives start in the first column, and lines of a virtual block"
                            + " follow their virtual= line directly";
        }
        error(
                line,
                "indented line '" + abbreviate(text) + "' is not inside a virtual block" + hint);
    }

    private void globalDirective(int line, String text) {
        if (text.equals("supervised")) {
            global.supervised = true;
            warn(line, "bare 'supervised' means supervised=yes; please write supervised=yes");
            return;
        }
        Matcher m = ASSIGN.matcher(text);
        if (!m.matches()) {
            String word = text.split("[\\s=]", 2)[0];
            Optional<String> s = suggest(word, Directives.GLOBAL);
            error(
                    line,
                    "expected a directive of the form name=value, found '"
                            + abbreviate(text)
                            + "'"
                            + s.map(x -> "; did you mean '" + x + "=...'?").orElse(""));
            return;
        }
        String name = m.group(1);
        String value = m.group(2).strip();
        Optional<Directives.Directive> d = Directives.lookup(name, Directives.Scope.GLOBAL);
        if (d.isPresent()) {
            d.get().global().read(this, global, line, name, value);
        } else if (Directives.VIRTUAL.contains(name)) {
            error(
                    line,
                    "'"
                            + name
                            + "' belongs to a virtual service: indent it (at least 4 spaces or a"
                            + " tab) on the lines right after its virtual= line");
        } else {
            unknown(line, name, Directives.GLOBAL);
        }
    }

    /**
     * "Did you mean" for an unknown word. It costs an edit distance against every directive name;
     * past the first thousand errors (of which a report shows the first hundred) it is skipped, so
     * a file of 200,000 bad lines is still read in about a second.
     */
    private Optional<String> suggest(String word, Set<String> scope) {
        return errors.size() >= 10 * ConfigException.SHOWN
                ? Optional.empty()
                : Directives.suggest(word, scope);
    }

    private void unknown(int line, String name, Set<String> scope) {
        Optional<String> s = suggest(name, scope);
        error(
                line,
                "unknown directive '"
                        + abbreviate(name)
                        + "'"
                        + s.map(x -> "; did you mean '" + x + "'?").orElse(""));
    }

    // ---------------------------------------------------------------- virtual blocks

    private VirtualDraft startVirtual(int line, boolean six, String vattr) {
        VirtualDraft d = new VirtualDraft();
        d.line = line;
        d.family = six ? AddressFamily.INET6 : AddressFamily.INET;
        d.written = vattr.isEmpty() ? "(empty)" : abbreviate(vattr.split("\\s")[0]);
        Matcher m;
        int end;
        if ((m = V_IPV4.matcher(vattr)).find() && !six) {
            d.ipPort = m.group(1) + ":" + m.group(2);
            d.hostPart = m.group(1);
            d.portPart = m.group(2);
            end = m.end();
        } else if ((m = V_HOST.matcher(vattr)).find()) {
            d.ipPort = m.group(1) + ":" + m.group(2);
            d.hostPart = m.group(1);
            d.portPart = m.group(2);
            end = m.end();
        } else if ((m = V_FWM.matcher(vattr)).find()) {
            end = m.end();
            String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
            if (digits.length() > 10
                    || Long.parseLong(digits) > 0xffffffffL
                    || Long.parseLong(digits) == 0) {
                // 0 is no mark to the kernel: it would read the service as address 0.0.0.0 port 0
                error(
                        line,
                        "firewall mark "
                                + abbreviate(m.group(1))
                                + " is out of range; expected 1..4294967295");
                d.ok = false;
                d.fwmark = 0;
            } else {
                d.fwmark = (int) Long.parseLong(digits);
            }
            if (end < vattr.length() && (vattr.charAt(end) == '.' || vattr.charAt(end) == ':')) {
                warn(
                        line,
                        "virtual="
                                + abbreviate(vattr)
                                + " has no port, so it is read (as ldirectord does) as"
                                + " firewall mark "
                                + m.group(1)
                                + "; write ADDRESS:PORT for an address");
                end = vattr.length();
            }
        } else if ((m = V_IPV6.matcher(vattr)).find()) {
            if (!six) {
                error(
                        line,
                        "an IPv6 address needs virtual6=, not virtual=; found virtual="
                                + abbreviate(vattr));
                d.ok = false;
                end = vattr.length();
            } else {
                Optional<InetAddress> a = ipv6Literal(m.group(1));
                if (a.isEmpty()) {
                    error(
                            line,
                            "invalid IPv6 address ["
                                    + abbreviate(m.group(1))
                                    + "] for virtual server");
                    d.ok = false;
                }
                d.ipPort = "[" + m.group(1) + "]:" + m.group(2);
                d.hostPart = m.group(1);
                d.portPart = m.group(2);
                end = m.end();
            }
        } else {
            error(
                    line,
                    "invalid address for virtual server: found '"
                            + abbreviate(vattr)
                            + "', expected IP:PORT, HOSTNAME:PORT, a firewall mark number, or"
                            + " [IPv6]:PORT with virtual6=");
            d.ok = false;
            end = vattr.length();
        }
        String rest = vattr.substring(end).strip();
        if (!rest.isEmpty() && !rest.startsWith("#")) {
            warn(line, "text after the virtual service is ignored: '" + abbreviate(rest) + "'");
        }
        if (d.ipPort != null) {
            d.protocol = d.ipPort.matches(".*:(53|domain)$") ? "udp" : "tcp";
        } else {
            d.protocol = "fwm";
            d.service = "none";
        }
        drafts.add(d);
        return d;
    }

    private void virtualDirective(VirtualDraft d, int line, String cmd, boolean hadHash) {
        Matcher m = ASSIGN.matcher(cmd);
        if (!m.matches()) {
            String word = cmd.split("[\\s=]", 2)[0];
            Optional<String> s = suggest(word, Directives.VIRTUAL);
            error(
                    line,
                    "expected a directive of the form name=value, found '"
                            + abbreviate(cmd)
                            + "'"
                            + s.map(x -> "; did you mean '" + x + "=...'?").orElse(""));
            return;
        }
        String name = m.group(1);
        String value = m.group(2).strip();
        int before = errors.size();
        Optional<Directives.Directive> directive =
                Directives.lookup(name, Directives.Scope.VIRTUAL);
        if (directive.isPresent()) {
            directive.get().virtual().read(this, d, line, name, value);
        } else if (Directives.GLOBAL.contains(name)) {
            error(
                    line,
                    "'"
                            + name
                            + "' is a global directive and cannot be set for one virtual service;"
                            + " write it unindented outside the virtual blocks");
        } else {
            unknown(line, name, Directives.VIRTUAL);
        }
        if (hadHash && errors.size() > before) {
            Diagnostic last = errors.remove(errors.size() - 1);
            errors.add(
                    new Diagnostic(
                            last.file(),
                            last.line(),
                            last.message()
                                    + " (note: in a virtual block everything from '#' on is a"
                                    + " comment, even inside quotes)"));
        }
    }

    // ---------------------------------------------------------------- checks once a block or the
    // file is read

    /** What can only be checked once the whole file is read (globals may follow the virtuals). */
    private void checkFile() {
        for (VirtualDraft d : drafts) {
            if (d.fwmark != null
                    && d.fallbackText == null
                    && (d.family == AddressFamily.INET ? global.fallback : global.fallback6)
                            != null) {
                warn(
                        d.line,
                        "the global fallback does not apply to firewall-mark virtual "
                                + d.written
                                + " (ldirectord picks the global fallback by tcp/udp); give it its"
                                + " own fallback= line");
            }
        }
        if (drafts.isEmpty()) {
            warn(
                    0,
                    "no virtual service is defined (no virtual= or virtual6= line); ldirector would"
                            + " check nothing and program nothing");
        }
        if (global.callbackLine > 0) {
            commandFile(global.callbackLine, "callback", firstWord(global.callback), true, false);
        }
        if (global.inherited.fallbackCommandLine > 0) {
            commandFile(
                    global.inherited.fallbackCommandLine,
                    "fallbackcommand",
                    firstWord(global.inherited.fallbackCommand),
                    true,
                    false);
        }
        if (!global.fork) {
            for (VirtualDraft d : drafts) {
                if (d.inherited.checkIntervalLine > 0) {
                    warn(
                            d.inherited.checkIntervalLine,
                            "checkinterval of virtual "
                                    + d.written
                                    + " is honoured by ldirector (ldirectord ignores a per-virtual"
                                    + " checkinterval when fork=no)");
                }
            }
        }
    }

    private void finishVirtual(VirtualDraft d, int endLine) {
        if (d.fallbackText != null) {
            d.fallback =
                    servers.fallback(
                            d.fallbackLine,
                            d.fallbackName,
                            d.fallbackText,
                            d.family,
                            d.protocol,
                            d);
        }
        if (d.ipPort != null && d.ok) {
            Optional<InetAddress> a = host(d.hostPart, d.family);
            Optional<Integer> p = port(d.portPart, d.protocol);
            if (a.isEmpty()) {
                error(
                        d.line,
                        "cannot resolve virtual server host '"
                                + abbreviate(d.hostPart)
                                + "' to an "
                                + (d.family == AddressFamily.INET
                                        ? "IPv4 address (use virtual6= for IPv6)"
                                        : "IPv6 address"));
                d.ok = false;
            }
            if (p.isEmpty()) {
                error(
                        d.line,
                        "invalid port '"
                                + abbreviate(d.portPart)
                                + "' for virtual server: expected 0..65535 or a "
                                + d.protocol
                                + " service name from /etc/services");
                d.ok = false;
            }
            if (d.ok) {
                d.address = a.get();
                d.port = p.get();
                if (d.port == 0 && d.persistent == null) {
                    // ipvsadm: "Zero port specified for non-persistent service"
                    error(
                            d.line,
                            "virtual service "
                                    + d.written
                                    + " has port 0, which ipvsadm accepts only for a persistent"
                                    + " service (one that takes every port); add persistent= or"
                                    + " give a port 1..65535");
                    d.ok = false;
                }
            }
        }
        checkVirtualSettings(d);
        if (d.service == null) {
            d.service = d.ok ? ServiceType.forPort(d.port).keyword() : "none";
            if (d.service.equals("oracle")
                    && (d.checktype.equals("negotiate") || d.checktype.equals("combined"))) {
                error(
                        d.line,
                        "virtual service "
                                + d.written
                                + " on port 1521 would be checked with an oracle negotiate check"
                                + " (ldirectord infers service=oracle from the port), which needs"
                                + " Oracle's proprietary driver that ldirector does not ship; set"
                                + " checktype=connect or external, or another service=");
            }
        }
        for (String[] todo : d.realTodo) {
            servers.real(d, Integer.parseInt(todo[1]), todo[0]);
        }
        if (d.ops && !d.protocol.equals("udp")) {
            warn(
                    d.opsLine,
                    "ops=yes applies to udp virtual services only; it is ignored for "
                            + d.protocol);
        }
        if (!d.ok) {
            return;
        }
        for (VirtualDraft other : drafts) {
            if (other != d && other.ok && id(other).equals(id(d))) {
                error(
                        d.line,
                        "duplicate virtual server "
                                + d.written
                                + " ("
                                + id(d)
                                + "); it is already defined"
                                + " at line "
                                + other.line);
                d.ok = false;
                return;
            }
        }
    }

    /** What can only be checked once the whole block is read (its directives come in any order). */
    private void checkVirtualSettings(VirtualDraft d) {
        if (d.schedFlags != null) {
            try {
                SchedulerFlags.parse(d.schedFlags, d.scheduler);
            } catch (IllegalArgumentException e) {
                error(d.schedFlagsLine, "schedflags: " + e.getMessage());
            }
        }
        if (d.netmask != null && d.persistent == null) {
            warn(
                    d.netmaskLine,
                    "netmask has no effect without persistent= (it is the granularity of"
                            + " persistence)");
        }
        if (d.httpsServerName != null && d.httpsCaFile == null) {
            warn(
                    d.httpsServerNameLine,
                    "httpsservername without httpscafile: the name is sent, but no certificate is"
                            + " verified; add httpscafile= to verify the real's certificate against"
                            + " it");
        }
        if (d.httpExpectLine > 0
                && !d.checktype.equals("negotiate")
                && !d.checktype.equals("combined")) {
            warn(
                    d.httpExpectLine,
                    "httpstatus, httpdigest and checkurl apply to http and https negotiate checks;"
                            + " checktype="
                            + d.checktype
                            + " does not use them");
        }
        if (d.externalWeight
                && !d.checktype.equals("external")
                && !d.checktype.equals("external-perl")) {
            warn(
                    d.externalWeightLine,
                    "externalweight applies to external checks; checktype="
                            + d.checktype
                            + " does not use it");
        }
        if (d.checkCommandLine > 0
                && (d.checktype.equals("external") || d.checktype.equals("external-perl"))) {
            commandFile(
                    d.checkCommandLine,
                    "checkcommand",
                    d.checkCommand,
                    !d.checktype.equals("external-perl"),
                    true);
        }
        if (d.inherited.fallbackCommandLine > 0) {
            commandFile(
                    d.inherited.fallbackCommandLine,
                    "fallbackcommand",
                    firstWord(d.inherited.fallbackCommand),
                    true,
                    false);
        }
    }

    /**
     * The sync settings as a whole, checked once the file is read (the directives may come in any
     * order).
     */
    private Optional<SyncConfig> syncConfig() {
        GlobalDraft g = global;
        if (g.syncRole == null) {
            if (g.firstSyncSettingLine != 0) {
                error(
                        g.firstSyncSettingLine,
                        "sync settings without syncdaemon; add syncdaemon = master, backup or none"
                                + " (without it ldirector leaves the kernel's sync daemons alone)");
            }
            return Optional.empty();
        }
        if (g.syncRole != SyncConfig.Role.NONE && g.syncInterface == null) {
            error(
                    g.syncRoleLine,
                    "syncdaemon = "
                            + g.syncRole.word()
                            + " needs the multicast interface; add e.g."
                            + " syncinterface = eth1");
            return Optional.empty();
        }
        if (g.syncGroup != null && g.syncGroup instanceof Inet6Address && g.syncMaxLength > 65487) {
            error(
                    g.syncRoleLine,
                    "syncmaxlen "
                            + g.syncMaxLength
                            + " is too large with an IPv6 syncgroup; expected at"
                            + " most 65487");
        }
        return Optional.of(
                new SyncConfig(
                        g.syncRole,
                        Optional.ofNullable(g.syncInterface),
                        g.syncId,
                        g.syncMaxLength,
                        Optional.ofNullable(g.syncGroup),
                        g.syncPort,
                        g.syncTtl));
    }

    private static String firstWord(String command) {
        return command.strip().split("\\s+", 2)[0];
    }

    /**
     * Warns when the program a command names cannot be run: a path that is not a file, or (for a
     * program run directly) not executable, or (for a script run by perl) not readable. A bare name
     * run through the shell is not looked up: it may be a shell builtin.
     *
     * @param searchPath whether a bare name is run directly, so found on PATH
     */
    private void commandFile(
            int line, String name, String program, boolean executable, boolean searchPath) {
        Path file;
        if (program.contains("/")) {
            file = Path.of(program);
        } else if (searchPath && executable) {
            String path = System.getenv("PATH");
            Optional<Path> found =
                    path == null
                            ? Optional.empty()
                            : Arrays.stream(path.split(":"))
                                    .filter(dir -> !dir.isEmpty())
                                    .map(dir -> Path.of(dir, program))
                                    .filter(Files::isRegularFile)
                                    .findFirst();
            if (found.isEmpty()) {
                warn(
                        line,
                        name
                                + " "
                                + abbreviate(program)
                                + " is not found on PATH; give the full path of the program");
                return;
            }
            file = found.get();
        } else {
            return;
        }
        if (!Files.isRegularFile(file)) {
            warn(line, name + " " + abbreviate(program) + " does not exist (or is not a file)");
        } else if (executable ? !Files.isExecutable(file) : !Files.isReadable(file)) {
            warn(
                    line,
                    name
                            + " "
                            + abbreviate(program)
                            + " is not "
                            + (executable ? "executable" : "readable"));
        }
    }

    /** The same identity {@link VirtualConfig#id()} gives, for a draft that parsed. */
    private static VirtualId id(VirtualDraft d) {
        if (d.fwmark != null) {
            return VirtualId.mark(
                    Integer.toUnsignedLong(d.fwmark), d.family == AddressFamily.INET6);
        }
        return VirtualId.service(
                VirtualId.Protocol.valueOf(d.protocol.toUpperCase(Locale.ROOT)), d.address, d.port);
    }

    // ---------------------------------------------------------------- values, for the readers of
    // directives

    Optional<InetAddress> host(String name, AddressFamily af) {
        String n = name;
        Matcher br = Pattern.compile("\\[(.*)\\]").matcher(n);
        if (br.find()) {
            n = br.group(1);
        }
        return resolver.host(n, af);
    }

    Optional<Integer> port(String text, String protocol) {
        if (text.matches("[0-9]+")) {
            if (text.length() > 5 || Integer.parseInt(text) > 65535) {
                return Optional.empty();
            }
            return Optional.of(Integer.parseInt(text));
        }
        return resolver.service(text, protocol);
    }

    private static Optional<InetAddress> ipv6Literal(String text) {
        if (!text.matches("[0-9A-Fa-f:]+") || !text.contains(":")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName("[" + text + "]"));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    Integer positive(int line, String name, String value, Integer previous) {
        Optional<Long> n = digits(value);
        if (n.isEmpty() || n.get() == 0) {
            error(
                    line,
                    name
                            + " must be a positive whole number"
                            + (name.endsWith("timeout") || name.equals("checkinterval")
                                    ? " of seconds"
                                    : "")
                            + ", found '"
                            + abbreviate(value)
                            + "'");
            return previous;
        }
        if (n.get() > 1_000_000) {
            error(line, name + " " + abbreviate(value) + " is too large (at most 1000000)");
            return previous;
        }
        noteLoose(line, name, value, n.get());
        return n.get().intValue();
    }

    void noteLoose(int line, String name, String value, long read) {
        // "checkinterval=3 # why" is a plain 3 with a comment: no warning for that.
        if (!value.replaceFirst("\\s+#.*$", "").equals(Long.toString(read))) {
            warn(
                    line,
                    name
                            + "="
                            + abbreviate(value)
                            + " is read as "
                            + read
                            + " (ldirectord takes the first number in the value)");
        }
    }

    static Optional<Long> digits(String value) {
        Matcher m = Pattern.compile("(\\d+)").matcher(value);
        if (!m.find()) {
            return Optional.empty();
        }
        String s = m.group(1).replaceFirst("^0+(?=\\d)", "");
        return Optional.of(s.length() > 12 ? Long.MAX_VALUE : Long.parseLong(s));
    }

    boolean yesNo(int line, String name, String value, boolean previous) {
        if (value.equals("yes")) {
            return true;
        }
        if (value.equals("no")) {
            return false;
        }
        String hint = value.contains("#") ? " (a comment must be on a line of its own here)" : "";
        error(line, name + " must be 'yes' or 'no', found '" + abbreviate(value) + "'" + hint);
        return previous;
    }

    Boolean yesNo(int line, String name, String value, Boolean previous) {
        if (value.equals("yes") || value.equals("no")) {
            return value.equals("yes");
        }
        yesNo(line, name, value, false);
        return previous;
    }

    /**
     * A value ldirectord only accepts in double quotes ({@code request="/"}); empty unless
     * allowEmpty.
     */
    Optional<String> quoted(int line, String name, String value, boolean allowEmpty) {
        Matcher m = Pattern.compile("^\"(.*)\"").matcher(value);
        // an error message must never carry a password: they reach terminals, logs and tickets
        String shown = SecretText.isSecretName(name) ? SecretText.MASK : abbreviate(value);
        if (!m.find() && value.startsWith("\"")) {
            error(
                    line,
                    name
                            + " has an opening double quote but no closing one: found "
                            + name
                            + "="
                            + shown);
            return Optional.empty();
        }
        if (!m.find(0)) {
            error(
                    line,
                    name
                            + " needs its value in double quotes, e.g. "
                            + name
                            + "=\""
                            + shown
                            + "\"; found "
                            + name
                            + "="
                            + shown);
            return Optional.empty();
        }
        if (m.group(1).isEmpty() && !allowEmpty) {
            error(line, name + " is empty; expected a non-empty value between the quotes");
            return Optional.empty();
        }
        return Optional.of(m.group(1));
    }

    /**
     * receive is a Perl regex in ldirectord: one Java would match otherwise is refused here, not at
     * check time.
     */
    boolean perlRegex(int line, String regex) {
        try {
            PerlRegex.compileConfigured(regex);
            return true;
        } catch (PatternSyntaxException e) {
            error(
                    line,
                    "receive \""
                            + abbreviate(regex)
                            + "\" is not a Perl regex ldirector can match as ldirectord"
                            + " does: "
                            + e.getDescription());
            return false;
        }
    }

    static String unquote(String value) {
        Matcher m = Pattern.compile("^\"(.*)\"").matcher(value);
        return m.find() ? m.group(1) : value;
    }

    /** True when {@code value} has no control character; else an error naming the directive. */
    boolean noControl(int line, String name, String value) {
        int c = Printable.firstControl(value);
        if (c < 0) {
            return true;
        }
        error(
                line,
                name
                        + " holds a control character ("
                        + String.format("\\x%02x", c)
                        + "); it goes into the headers of alert mails and log lines, so only"
                        + " printable text is accepted");
        return false;
    }

    /**
     * A persistence netmask as the kernel takes it: four parts 0..255 and, as a 32-bit value, ones
     * followed by zeros, at least one one. ipvsadm would take 255.255.255.256 as .0 and a mask with
     * holes as written; neither is what an operator meant.
     */
    static Optional<Integer> ipv4Mask(String text) {
        if (!text.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            return Optional.empty();
        }
        int mask = 0;
        for (String part : text.split("\\.")) {
            int b = Integer.parseInt(part);
            if (b > 255) {
                return Optional.empty();
            }
            mask = (mask << 8) | b;
        }
        int ones = Integer.bitCount(mask);
        if (ones == 0 || mask != (int) (0xffffffffL << (32 - ones))) {
            return Optional.empty();
        }
        return Optional.of(mask);
    }

    /**
     * Text from the file as a diagnostic quotes it: a secret's value masked ({@link SecretText}),
     * control characters escaped, at most 60 characters. Every message that quotes the file goes
     * through here.
     */
    static String abbreviate(String s) {
        String t = s.length() > 2000 ? s.substring(0, 2000) : s;
        String b = Printable.escape(SecretText.mask(t));
        return b.length() > 60 ? b.substring(0, 57) + "..." : b;
    }

    // ---------------------------------------------------------------- diagnostics

    // Messages are printed on terminals and written to logs: whatever text of the file one carries
    // (a path, say, not quoted through abbreviate), it never carries a raw control character.
    void error(int line, String message) {
        errors.add(new Diagnostic(source, line, Printable.escape(message)));
    }

    void warn(int line, String message) {
        warnings.add(new Diagnostic(source, line, Printable.escape(message)));
    }
}
