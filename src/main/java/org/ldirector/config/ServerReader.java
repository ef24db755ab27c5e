package org.ldirector.config;

import static org.ldirector.config.ConfigParser.abbreviate;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the server specifications of one file: {@code real=} lines (ldirectord's {@code
 * add_real_server}, ranges expanded, counted against {@link #MAX_REALS} over the whole file) and
 * {@code fallback=} values (its {@code parse_fallback} and their resolution). Errors and warnings
 * go to the parser, naming the line.
 */
final class ServerReader {
    // ldirectord's real= regex, including its A-f class (it admits more than hex digits in
    // brackets).
    private static final String R_HOST =
            "(\\d+\\.\\d+\\.\\d+\\.\\d+|[A-Za-z0-9.-]+|\\[[0-9A-fa-f:]+\\])";
    private static final Pattern REAL =
            Pattern.compile(R_HOST + "(->" + R_HOST + ")?(:(\\d+|[A-Za-z0-9_-]+))?\\s+(.*)");
    private static final Pattern REAL_NO_FLAGS =
            Pattern.compile(R_HOST + "(->" + R_HOST + ")?(:(\\d+|[A-Za-z0-9_-]+))?");
    private static final Pattern PORT_SUFFIX = Pattern.compile("(:(\\d+|[A-Za-z0-9_-]+))?$");

    /** ipvsadm's limit for {@code -w}; the kernel refuses a negative weight. */
    static final int MAX_WEIGHT = 65535;

    /** Addresses one {@code a->b} range may expand to: a /16. */
    static final int MAX_RANGE_REALS = 65_536;

    /**
     * Reals in the whole file, ranges expanded. Counted before a range is expanded, so a file of
     * many large ranges is refused without the memory it would take.
     */
    static final int MAX_REALS = 100_000;

    /** Reals accepted so far in the whole file (ranges expanded), against {@link #MAX_REALS}. */
    private int realCount;

    private final ConfigParser p;

    ServerReader(ConfigParser p) {
        this.p = p;
    }

    void real(VirtualDraft d, int line, String text) {
        Matcher m = REAL.matcher(text);
        if (!m.lookingAt()) {
            if (text.startsWith("[") && d.family == AddressFamily.INET) {
                p.error(
                        line,
                        "invalid address for real server: found '"
                                + abbreviate(text)
                                + "'; write IPv4 addresses"
                                + " without brackets (brackets are for IPv6 addresses in real6=)");
            } else if (REAL_NO_FLAGS.matcher(text).matches()) {
                p.error(
                        line,
                        "real server '"
                                + abbreviate(text)
                                + "' has no forwarding method; expected"
                                + " 'real=ADDRESS[:PORT] gate|masq|ipip [WEIGHT]'");
            } else {
                p.error(
                        line,
                        "invalid address for real server: found '"
                                + abbreviate(text)
                                + "', expected"
                                + " ADDRESS[->ADDRESS][:PORT] followed by gate, masq or ipip");
            }
            return;
        }
        String ip1 = m.group(1);
        String ip2 = m.group(3);
        String portText = m.group(5) != null ? m.group(5) : "0";
        String flags = m.group(6);
        Optional<InetAddress> a1 = p.host(ip1, d.family);
        if (a1.isEmpty()) {
            p.error(
                    line,
                    "cannot resolve real server '"
                            + abbreviate(ip1)
                            + "' to an "
                            + (d.family == AddressFamily.INET ? "IPv4" : "IPv6")
                            + " address");
            return;
        }
        Optional<Integer> port = p.port(portText, "");
        if (port.isEmpty()) {
            p.error(
                    line,
                    "invalid port '"
                            + abbreviate(portText)
                            + "' for real server: expected 0..65535 or a"
                            + " service name from /etc/services");
            return;
        }
        Real proto = realFlags(line, flags, port.get(), a1.get());
        if (proto == null) {
            return;
        }
        if (ip2 == null) {
            if (withinRealLimit(line, 1)) {
                d.reals.add(proto);
                realCount++;
            }
            return;
        }
        if (d.family == AddressFamily.INET6) {
            p.error(
                    line,
                    "address ranges (a->b) are supported for IPv4 only; list IPv6 reals one per"
                            + " line");
            return;
        }
        Optional<InetAddress> a2 = p.host(ip2, d.family);
        if (a2.isEmpty()) {
            p.error(
                    line,
                    "cannot resolve the end of the real server range '" + abbreviate(ip2) + "'");
            return;
        }
        long first = toLong(a1.get());
        long last = toLong(a2.get());
        if (first > last) {
            p.error(
                    line,
                    "invalid real server range "
                            + a1.get().getHostAddress()
                            + "->"
                            + a2.get().getHostAddress()
                            + ": the first address must not be greater than the last");
            return;
        }
        if (last - first >= MAX_RANGE_REALS) {
            p.error(
                    line,
                    "real server range "
                            + a1.get().getHostAddress()
                            + "->"
                            + a2.get().getHostAddress()
                            + " has "
                            + (last - first + 1)
                            + " addresses; at most "
                            + MAX_RANGE_REALS
                            + " (a /16) are accepted");
            return;
        }
        if (!withinRealLimit(line, last - first + 1)) {
            return;
        }
        realCount += (int) (last - first + 1);
        for (long i = first; i <= last; i++) {
            d.reals.add(
                    new Real(
                            line,
                            fromLong(i),
                            proto.port(),
                            proto.forward(),
                            proto.weight(),
                            proto.request(),
                            proto.receive(),
                            proto.lowerThreshold(),
                            proto.upperThreshold()));
        }
    }

    /**
     * Whether {@code more} reals still fit in {@link #MAX_REALS}; an error on the line when not.
     */
    private boolean withinRealLimit(int line, long more) {
        if (realCount + more <= MAX_REALS) {
            return true;
        }
        p.error(
                line,
                (more == 1 ? "this real server" : "these " + more + " real servers")
                        + " would make more than "
                        + MAX_REALS
                        + " in the file ("
                        + realCount
                        + " before this line); at most "
                        + MAX_REALS
                        + " are accepted, ranges expanded");
        return false;
    }

    /**
     * ldirectord's add_real_server: method, then optional weight, "request","receive", l:N, u:N.
     * Its regexes are unanchored, so text before each item is skipped: accepted here too (same
     * meaning), but named in a warning.
     */
    private Real realFlags(int line, String flags, int port, InetAddress address) {
        List<String> skipped = new ArrayList<>();
        Matcher m = Pattern.compile("(\\w+)(.*)").matcher(flags);
        if (!m.find() || !Set.of("gate", "masq", "ipip").contains(m.group(1))) {
            String found =
                    flags.isBlank()
                            ? "nothing"
                            : "'" + abbreviate(flags.strip().split("\\s+")[0]) + "'";
            p.error(
                    line,
                    "forwarding method of a real server must be gate, masq or ipip, found "
                            + found);
            return null;
        }
        skip(skipped, flags, m.start());
        ForwardMethod forward = ForwardMethod.valueOf(m.group(1).toUpperCase(Locale.ROOT));
        Items items = new Items(m.group(2), skipped);
        int weight = 1;
        Matcher w = items.take("\\s+(\\d+)(.*)");
        if (w != null) {
            if (w.group(1).length() > 9 || Integer.parseInt(w.group(1)) > MAX_WEIGHT) {
                p.error(
                        line,
                        "real server weight "
                                + abbreviate(w.group(1))
                                + " is out of range; expected 0.."
                                + MAX_WEIGHT);
                return null;
            }
            weight = Integer.parseInt(w.group(1));
        }
        Optional<String> request = Optional.empty();
        Optional<String> receive = Optional.empty();
        Matcher rr = items.take("\\s+\"(.*)\"[, ]\\s*\"(.*)\"(.*)");
        if (rr != null) {
            String req = rr.group(1);
            if (req.startsWith("/")) {
                // ldirectord bug kept for equal meaning: its /^\\// test on the request resets
                // Perl's $2 and $3,
                // so the pair is dropped (the virtual's request/receive apply) and so is the rest
                // of the line.
                p.warn(
                        line,
                        "real server "
                                + address.getHostAddress()
                                + ": ldirectord ignores a per-real request"
                                + " starting with '/' (\""
                                + abbreviate(req)
                                + "\") together with its receive string and"
                                + " everything after it"
                                + (rr.group(3).isBlank()
                                        ? ""
                                        : " ('" + abbreviate(rr.group(3).strip()) + "')")
                                + "; ldirector does the same. Write the request without the leading"
                                + " '/' to make it count");
                warnSkipped(line, skipped);
                return new Real(
                        line,
                        address,
                        port,
                        forward,
                        weight,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty());
            }
            request = Optional.of("/" + req);
            if (!p.perlRegex(line, rr.group(2))) {
                return null;
            }
            receive = Optional.of(rr.group(2));
        }
        Optional<Integer> lower = Optional.empty();
        Optional<Integer> upper = Optional.empty();
        Matcher l = items.take("\\s+l:(\\d{1,9})(.*)");
        if (l != null) {
            lower = Optional.of(Integer.parseInt(l.group(1)));
        }
        Matcher u = items.take("\\s+u:(\\d{1,9})(.*)");
        if (u != null) {
            upper = Optional.of(Integer.parseInt(u.group(1)));
        }
        String rest = items.rest;
        if (!rest.isBlank()) {
            p.error(
                    line,
                    "invalid real server line around '"
                            + abbreviate(rest.strip())
                            + "'; expected 'gate|masq|ipip [WEIGHT] [\"REQUEST\", \"RECEIVE\"]"
                            + " [l:LOWER] [u:UPPER]' in that order");
            return null;
        }
        warnSkipped(line, skipped);
        if (lower.orElse(0) > upper.orElse(0)) {
            // ip_vs_ctl.c refuses l_threshold > u_threshold with ERANGE, and a missing u: is 0 to
            // it.
            p.warn(
                    line,
                    "real server "
                            + address.getHostAddress()
                            + ": l:"
                            + lower.get()
                            + " is above u:"
                            + upper.orElse(0)
                            + (upper.isEmpty() ? " (no u: means 0)" : "")
                            + ", so the kernel refuses this real server (ERANGE), as it does under"
                            + " ldirectord; expected u:UPPER at least as large as l:LOWER");
        }
        return new Real(line, address, port, forward, weight, request, receive, lower, upper);
    }

    /**
     * What is left of a real server line, taken item by item in their order. Each item's regex ends
     * in a group for what follows it, and is unanchored, as ldirectord's: the text before an item
     * is skipped, and noted.
     */
    private static final class Items {
        private String rest;
        private final List<String> skipped;

        Items(String rest, List<String> skipped) {
            this.rest = rest;
            this.skipped = skipped;
        }

        /** The item's match, what follows it now the rest; null when the item is absent. */
        Matcher take(String regex) {
            Matcher m = Pattern.compile(regex).matcher(rest);
            if (!m.find()) {
                return null;
            }
            skip(skipped, rest, m.start());
            rest = m.group(m.groupCount());
            return m;
        }
    }

    private static void skip(List<String> skipped, String text, int upTo) {
        if (!text.substring(0, upTo).isBlank()) {
            skipped.add(text.substring(0, upTo).strip());
        }
    }

    private void warnSkipped(int line, List<String> skipped) {
        if (!skipped.isEmpty()) {
            p.warn(
                    line,
                    "ldirectord skips '"
                            + abbreviate(String.join("' and '", skipped))
                            + "' in this real server line, and so does ldirector; expected"
                            + " 'gate|masq|ipip [WEIGHT] [\"REQUEST\", \"RECEIVE\"] [l:LOWER]"
                            + " [u:UPPER]' in that order");
        }
    }

    /** ldirectord's parse_fallback plus its resolution; null on error. */
    Fallback fallback(
            int line, String name, String text, AddressFamily af, String protocol, VirtualDraft d) {
        String[] tokens = text.strip().split("\\s+");
        if (text.isBlank() || tokens.length > 2) {
            p.error(
                    line,
                    name
                            + " must be 'HOST[:PORT] [gate|masq|ipip]', found '"
                            + abbreviate(text)
                            + "'");
            return null;
        }
        ForwardMethod fwd = ForwardMethod.GATE;
        if (tokens.length == 2) {
            if (!Set.of("gate", "masq", "ipip").contains(tokens[1])) {
                p.error(
                        line,
                        "forwarding method of the fallback server must be gate, masq or ipip, found"
                                + " '"
                                + abbreviate(tokens[1])
                                + "'");
                return null;
            }
            fwd = ForwardMethod.valueOf(tokens[1].toUpperCase(Locale.ROOT));
        }
        String hostPort = tokens[0];
        Matcher m = PORT_SUFFIX.matcher(hostPort);
        m.find();
        String portText = m.group(2);
        String server = hostPort.substring(0, m.start());
        if (af == AddressFamily.INET6 && !server.startsWith("[") && server.contains(":")) {
            p.error(
                    line,
                    "write the IPv6 fallback address in brackets, e.g. "
                            + name
                            + "=["
                            + abbreviate(hostPort)
                            + "]:PORT; ldirectord would read the last ':' group as a port");
            return null;
        }
        Optional<InetAddress> a = p.host(server, af);
        if (a.isEmpty()) {
            p.error(
                    line,
                    "invalid "
                            + (af == AddressFamily.INET ? "IPv4" : "IPv6")
                            + " address or could not resolve for fallback server: '"
                            + abbreviate(server)
                            + "'"
                            + (af == AddressFamily.INET && server.contains(":")
                                    ? " (use fallback6= for IPv6)"
                                    : ""));
            return null;
        }
        Optional<Integer> port = Optional.empty();
        if (portText == null && d != null && d.portPart != null) {
            portText = d.portPart; // a virtual's own fallback defaults to the virtual's port
        }
        if (portText != null && !portText.equals("0")) {
            port = p.port(portText, protocol);
            if (port.isEmpty()) {
                p.error(
                        line,
                        "invalid port '"
                                + abbreviate(portText)
                                + "' for fallback server: expected 1..65535 or a "
                                + protocol
                                + " service name from /etc/services");
                return null;
            }
            if (port.get() == 0) {
                port = Optional.empty();
            }
        }
        return new Fallback(a.get(), port, fwd);
    }

    private static long toLong(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xffL) << 24)
                | ((b[1] & 0xffL) << 16)
                | ((b[2] & 0xffL) << 8)
                | (b[3] & 0xffL);
    }

    private static InetAddress fromLong(long v) {
        try {
            return Inet4Address.getByAddress(
                    new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
