package org.ldirector.uml;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ldirector.keepalived.Node;

/**
 * The copy of a keepalived corpus config that the keepalived differential test runs (keepalived on
 * the copy, ldirector on what {@code import-keepalived} makes of the same copy), and the real
 * servers the copy needs. The copy differs from the corpus file only in these substitutions, the
 * same for both sides because the import reads the copy:
 *
 * <ul>
 *   <li>{@code digest HEX} becomes the MD5 of {@link #body(String)} for the url's path: the reals
 *       serve that body, and a corpus digest names a body nobody has;
 *   <li>{@code misc_path ...} becomes the given script (which exits with a code the test sets);
 *   <li>{@code delay_loop N} above {@link #DELAY_LOOP} becomes {@link #DELAY_LOOP}, and {@code
 *       delay_before_retry N} becomes the new delay_loop when N was at least the virtual's
 *       delay_loop (keepalived's default 60), else 1 (so the import warns for the same lines): the
 *       verdicts are the same, reached in seconds instead of minutes on the guest's one slow CPU.
 * </ul>
 *
 * Addresses are kept: the guest is a kernel of its own, so every corpus address can be hosted
 * there.
 */
final class KeepalivedCorpusCopy {

    static final int DELAY_LOOP = 2;

    private static final Pattern WORD_LINE = Pattern.compile("^(\\s*)(\\S+)((?:\\s+\\S+)*)(\\s*)$");

    private KeepalivedCorpusCopy() {}

    /**
     * What every real serves at an url path (the same on all reals of a virtual, as its digest is).
     */
    static String body(String urlPath) {
        return "keepalived differential " + urlPath + "\n";
    }

    /** The file under a real's document root that httpd.py serves for an url path. */
    static String docrootFile(String urlPath) {
        String p = urlPath.split("\\?", 2)[0];
        return p.endsWith("/") ? p + "index.html" : p;
    }

    static String md5(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("MD5")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The corpus text with the substitutions of the class comment; every other line as it was. */
    static String substitute(String text, String miscPath) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        String path = null;
        double delayLoop = 60;
        for (String line : text.split("\n", -1)) {
            Matcher m = WORD_LINE.matcher(line);
            if (!m.matches() || m.group(2).startsWith("#") || m.group(2).startsWith("!")) {
                out.append(line).append('\n');
                continue;
            }
            String key = m.group(2);
            String[] args =
                    m.group(3).trim().isEmpty() ? new String[0] : m.group(3).trim().split("\\s+");
            String indent = m.group(1);
            if (key.equals("path") && args.length > 0) {
                path = args[0];
                out.append(line);
            } else if (key.equals("digest") && args.length > 0) {
                if (path == null) {
                    throw new IllegalArgumentException("digest before any path: " + line.strip());
                }
                out.append(indent).append("digest ").append(md5(body(path)));
            } else if (key.equals("misc_path")) {
                out.append(indent).append("misc_path ").append(miscPath);
            } else if (key.equals("delay_loop")
                    && args.length == 1
                    && number(args[0]) > DELAY_LOOP) {
                delayLoop = number(args[0]);
                out.append(indent).append("delay_loop ").append(DELAY_LOOP);
            } else if (key.equals("delay_before_retry")
                    && args.length == 1
                    && number(args[0]) > 1) {
                out.append(indent)
                        .append("delay_before_retry ")
                        .append(number(args[0]) >= delayLoop ? DELAY_LOOP : 1);
            } else {
                out.append(line);
            }
            if (key.equals("url")) {
                path = null;
            } else if (key.equals("virtual_server")) {
                delayLoop = 60;
            }
            out.append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Servers and addresses the reals of a parsed config need, in keepalived-differential.sh's
     * "reals" format.
     */
    record Reals(List<String> lines, Map<String, Map<String, String>> docroots) {}

    /**
     * Derived from keepalived's side: each real_server gets the server its checker talks to, on its
     * connect_port if it has one (a TCP_CHECK gets an HTTP server: any listener accepts the
     * connect); a MISC_CHECK or PING_CHECK real, or one whose port is 0, only its address; every
     * HTTP_GET and SSL_GET url path a file with {@link #body(String)}; every virtual address is the
     * director's (as on a director holding its addresses: keepalived's {@code ha_suspend} checks
     * only then), and so is every bindto address.
     */
    static Reals reals(List<Node> top) {
        // ip + " " + port + protocol -> kind, the strongest kind wins (an https server accepts a
        // TCP connect too)
        Map<String, String> servers = new TreeMap<>();
        Set<String> addresses = new LinkedHashSet<>();
        Set<String> locals = new LinkedHashSet<>();
        Map<String, Map<String, String>> docroots = new TreeMap<>();
        for (Node vs : top) {
            if (!vs.keyword().equals("virtual_server")) {
                continue;
            }
            if (!vs.arg(1).equals("fwmark") && !vs.arg(1).equals("group")) {
                locals.add(vs.arg(1));
            }
            for (Node rs : vs.children()) {
                if (!rs.keyword().equals("real_server")) {
                    continue;
                }
                String ip = rs.arg(1);
                addresses.add(ip);
                for (Node check : rs.children()) {
                    String kind =
                            switch (check.keyword()) {
                                case "TCP_CHECK" -> "tcp";
                                case "HTTP_GET" -> "http";
                                case "SSL_GET" -> "https";
                                case "SMTP_CHECK" -> "smtp";
                                case "DNS_CHECK" -> "dns";
                                default -> null;
                            };
                    if (kind == null) {
                        continue;
                    }
                    String port = rs.arg(2);
                    for (Node c : check.children()) {
                        switch (c.keyword()) {
                            case "connect_port" -> port = c.arg(1);
                            case "bindto" -> locals.add(c.arg(1));
                            case "url" ->
                                    c.children().stream()
                                            .filter(u -> u.keyword().equals("path"))
                                            .forEach(
                                                    u -> {
                                                        String file = docrootFile(u.arg(1));
                                                        String had =
                                                                docroots.computeIfAbsent(
                                                                                ip,
                                                                                k ->
                                                                                        new TreeMap<>())
                                                                        .putIfAbsent(
                                                                                file,
                                                                                body(u.arg(1)));
                                                        if (had != null
                                                                && !had.equals(body(u.arg(1)))) {
                                                            throw new IllegalArgumentException(
                                                                    ip
                                                                            + " serves "
                                                                            + file
                                                                            + " for two url paths"
                                                                            + " with different"
                                                                            + " bodies");
                                                        }
                                                    });
                            default -> {}
                        }
                    }
                    if (kind.equals("dns") && port.isEmpty()) {
                        port = "53";
                    }
                    if (port.isEmpty() || port.equals("0")) {
                        continue;
                    }
                    String key = ip + " " + port + (kind.equals("dns") ? "/udp" : "/tcp");
                    servers.merge(key, kind, (a, b) -> rank(a) >= rank(b) ? a : b);
                }
            }
        }
        Map<String, String> byLine = new LinkedHashMap<>();
        for (Map.Entry<String, String> s : servers.entrySet()) {
            byLine.put(s.getValue() + " " + s.getKey().replaceAll("/(udp|tcp)$", ""), "");
        }
        List<String> lines = new ArrayList<>(byLine.keySet());
        addresses.forEach(a -> lines.add("addr " + a));
        locals.forEach(a -> lines.add("local " + a));
        return new Reals(List.copyOf(lines), docroots);
    }

    private static int rank(String kind) {
        return List.of("tcp", "smtp", "dns", "http", "https").indexOf(kind);
    }
}
