package org.ldirector.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.ldirector.net.InetText;

/**
 * The effective configuration in ldirectord.cf-like syntax, every default filled in: what {@code
 * ldirector -t} prints. Meant for people, not for parsing back (unset values read "(none)", secrets
 * are masked). Stable: one directive per line in a fixed order, virtuals in file order, each real
 * (ranges expanded) on a line of its own with its effective port and weight.
 */
public final class ConfigPrinter {
    private ConfigPrinter() {}

    public static String print(Config config) {
        StringBuilder b = new StringBuilder();
        GlobalConfig g = config.global();
        b.append("# effective configuration of ").append(config.source()).append('\n');
        b.append("# global\n");
        line(
                b,
                "",
                "checktimeout",
                g.checkTimeout().map(ConfigPrinter::seconds).orElse("(not set)"));
        line(
                b,
                "",
                "negotiatetimeout",
                g.negotiateTimeout().map(ConfigPrinter::seconds).orElse("(not set)"));
        line(b, "", "checkinterval", seconds(g.checkInterval()));
        line(b, "", "checkcount", Integer.toString(g.checkCount()));
        line(b, "", "failurecount", Integer.toString(g.failureCount()));
        line(b, "", "autoreload", yesNo(g.autoreload()));
        line(b, "", "callback", g.callback().map(ConfigPrinter::quote).orElse("(none)"));
        line(b, "", "fallback", g.fallback().map(ConfigPrinter::fallback).orElse("(none)"));
        line(b, "", "fallback6", g.fallback6().map(ConfigPrinter::fallback).orElse("(none)"));
        line(b, "", "fallbackcommand", g.fallbackCommand().orElse("(none)"));
        line(
                b,
                "",
                "logfile",
                quote(
                        g.logTarget()
                                .file()
                                .map(Object::toString)
                                .orElseGet(() -> g.logTarget().syslogFacility().orElse(""))));
        line(b, "", "emailalert", g.emailAlert().to().orElse("(none)"));
        line(b, "", "emailalertfrom", g.emailAlert().from().orElse("(none)"));
        line(b, "", "emailalertfreq", Integer.toString(g.emailAlert().frequencySeconds()));
        line(b, "", "emailalertstatus", states(g.emailAlert().states()));
        line(b, "", "smtp", g.emailAlert().smtp().orElse("(none: local sendmail)"));
        g.metrics()
                .ifPresent(
                        a ->
                                line(
                                        b,
                                        "",
                                        "metrics",
                                        InetText.withPort(a.getAddress(), a.getPort())));
        g.sync()
                .ifPresent(
                        sc -> {
                            line(b, "", "syncdaemon", sc.role().word());
                            sc.iface().ifPresent(i -> line(b, "", "syncinterface", i));
                            line(b, "", "syncid", Integer.toString(sc.syncId()));
                            if (sc.maxLength() != 0) {
                                line(b, "", "syncmaxlen", Integer.toString(sc.maxLength()));
                            }
                            sc.group().ifPresent(a -> line(b, "", "syncgroup", a.getHostAddress()));
                            if (sc.port() != 0) {
                                line(b, "", "syncport", Integer.toString(sc.port()));
                            }
                            if (sc.ttl() != 0) {
                                line(b, "", "syncttl", Integer.toString(sc.ttl()));
                            }
                        });
        for (String e : g.execute()) {
            line(b, "", "execute", e);
        }
        line(b, "", "supervised", yesNo(g.supervised()));
        line(b, "", "fork", yesNo(g.fork()));
        line(b, "", "quiescent", yesNo(g.quiescent()));
        line(b, "", "readdquiescent", yesNo(g.readdQuiescent()));
        line(b, "", "cleanstop", yesNo(g.cleanstop()));
        line(b, "", "maintenancedir", g.maintenanceDir().orElse("(none)"));
        for (VirtualConfig v : config.virtuals()) {
            b.append('\n');
            virtual(b, v);
        }
        return b.toString();
    }

    private static void virtual(StringBuilder b, VirtualConfig v) {
        b.append("# line ").append(v.line()).append(": ").append(v.written()).append('\n');
        b.append(v.family() == AddressFamily.INET6 ? "virtual6=" : "virtual=")
                .append(v.id().vip())
                .append('\n');
        String in = "\t";
        String realKey = v.family() == AddressFamily.INET6 ? "real6" : "real";
        for (Real r : v.reals()) {
            StringBuilder rl = new StringBuilder(host(r.address(), v.family()));
            rl.append(':')
                    .append(kernelPort(v, r))
                    .append(' ')
                    .append(r.forward().keyword())
                    .append(' ')
                    .append(r.weight());
            if (r.request().isPresent()) {
                rl.append(' ')
                        .append(quote(r.request().get()))
                        .append(", ")
                        .append(quote(r.receive().orElse("")));
            }
            r.lowerThreshold().ifPresent(l -> rl.append(" l:").append(l));
            r.upperThreshold().ifPresent(u -> rl.append(" u:").append(u));
            rl.append("\t# line ").append(r.line());
            v.checkPort(r).ifPresent(p -> rl.append(", checked on port ").append(p));
            line(b, in, realKey, rl.toString());
        }
        if (v.reals().isEmpty()) {
            b.append(in).append("# no real servers\n");
        }
        line(b, in, "protocol", v.protocol().keyword());
        line(b, in, "scheduler", v.scheduler());
        v.schedFlags().ifPresent(f -> line(b, in, "schedflags", f));
        line(b, in, "persistent", v.persistent().map(Object::toString).orElse("(no)"));
        v.netmask().ifPresent(n -> line(b, in, "netmask", n));
        if (v.protocol() == Protocol.UDP) {
            line(b, in, "ops", yesNo(v.ops()));
        }
        CheckSpec c = v.check();
        line(
                b,
                in,
                "checktype",
                c.type() == CheckType.COMBINED
                        ? Integer.toString(c.numConnects())
                        : c.type().keyword());
        line(b, in, "service", c.service().keyword());
        c.checkPort().ifPresent(p -> line(b, in, "checkport", p.toString()));
        if (c.type() == CheckType.EXTERNAL || c.type() == CheckType.EXTERNAL_PERL) {
            line(b, in, "checkcommand", quote(c.checkCommand()));
        }
        line(b, in, "request", quote(c.request()));
        line(b, in, "receive", quote(c.receive()));
        line(b, in, "httpmethod", c.httpMethod().name());
        c.virtualHost().ifPresent(h -> line(b, in, "virtualhost", h));
        c.httpsCaFile().ifPresent(f -> line(b, in, "httpscafile", f.toString()));
        c.httpsSniName().ifPresent(n -> line(b, in, "httpsservername", n));
        if (c.mysqlPublicKeyRetrieval()) {
            line(b, in, "mysqlpublickeyretrieval", "yes");
        }
        c.http().status().ifPresent(s -> line(b, in, "httpstatus", s.toString()));
        c.http().digest().ifPresent(h -> line(b, in, "httpdigest", h));
        for (UrlCheck u : c.http().more()) {
            line(
                    b,
                    in,
                    "checkurl",
                    u.path()
                            + u.status().map(s -> " httpstatus=" + s).orElse("")
                            + u.digest().map(h -> " httpdigest=" + h).orElse(""));
        }
        if (c.externalWeight()) {
            line(b, in, "externalweight", "yes");
        }
        if (!c.login().isEmpty()) {
            line(b, in, "login", quote(c.login()));
        }
        if (!c.passwd().isEmpty()) {
            line(b, in, "passwd", quote(c.passwd().toString()));
        }
        if (!c.database().isEmpty()) {
            line(b, in, "database", quote(c.database()));
        }
        if (!c.secret().isEmpty()) {
            line(b, in, "secret", quote(c.secret().toString()));
        }
        line(b, in, "checktimeout", seconds(c.checkTimeout()));
        line(b, in, "negotiatetimeout", seconds(c.negotiateTimeout()));
        line(
                b,
                in,
                "checkinterval",
                seconds(v.checkInterval())
                        + (v.checkIntervalOwn()
                                ? "\t# this virtual's own: ldirector honours it (ldirectord only"
                                        + " with fork=yes)"
                                : ""));
        line(b, in, "checkcount", Integer.toString(c.checkCount()));
        line(b, in, "failurecount", Integer.toString(v.failureCount()));
        line(b, in, "successcount", Integer.toString(v.successCount()));
        line(
                b,
                in,
                v.family() == AddressFamily.INET6 ? "fallback6" : "fallback",
                v.fallback()
                        .map(
                                f ->
                                        host(f.address(), v.family())
                                                + ":"
                                                + f.port().orElse(v.port())
                                                + " "
                                                + f.forward().keyword())
                        .orElse("(none)"));
        line(b, in, "fallbackcommand", v.fallbackCommand().orElse("(none)"));
        line(b, in, "quiescent", yesNo(v.quiescent()));
        line(b, in, "cleanstop", yesNo(v.cleanstop()));
        line(b, in, "emailalert", v.emailAlert().to().orElse("(none)"));
        if (v.emailAlert().to().isPresent()) {
            line(b, in, "emailalertfreq", Integer.toString(v.emailAlert().frequencySeconds()));
            line(b, in, "emailalertstatus", states(v.emailAlert().states()));
            line(b, in, "smtp", v.emailAlert().smtp().orElse("(none: local sendmail)"));
        }
        v.monitorFile().ifPresent(m -> line(b, in, "monitorfile", quote(m)));
        v.serviceName().ifPresent(s -> line(b, in, "servicename", s));
        v.comment().ifPresent(s -> line(b, in, "comment", s));
    }

    /**
     * The port {@code ipvsadm -Ln} shows once ldirectord added the real: ipvsadm forces the
     * service's port onto gate and ipip reals of an address:port service (no port mapping without
     * NAT); masq keeps the real's own port, even 0 (seen in a real kernel: {@code -r 192.0.2.10:0
     * -m} stays :0, and the kernel then uses each packet's port); a firewall-mark service keeps
     * what the real says.
     */
    public static int kernelPort(VirtualConfig v, Real r) {
        if (v.isFwmark() || r.forward() == ForwardMethod.MASQ) {
            return r.port();
        }
        return v.port();
    }

    /**
     * As inet_ntop writes it, like every other line that names an address; in brackets in a
     * virtual6.
     */
    private static String host(InetAddress a, AddressFamily family) {
        return family == AddressFamily.INET6 ? "[" + InetText.ntop(a) + "]" : InetText.ntop(a);
    }

    private static String fallback(Fallback f) {
        return InetText.bracketed(f.address())
                + f.port().map(p -> ":" + p).orElse("")
                + " "
                + f.forward().keyword()
                + (f.port().isEmpty() ? "\t# port: each virtual's own" : "");
    }

    private static String states(Set<DaemonState> s) {
        if (s.isEmpty()) {
            return "none";
        }
        if (s.size() == DaemonState.values().length) {
            return "all";
        }
        return s.stream().sorted().map(DaemonState::keyword).collect(Collectors.joining(","));
    }

    /**
     * Values come from the file: control characters in them are printed escaped, never raw to a
     * terminal.
     */
    private static void line(StringBuilder b, String indent, String key, String value) {
        b.append(indent).append(key).append('=').append(Printable.escape(value, true)).append('\n');
    }

    private static String seconds(Duration d) {
        return Long.toString(d.toSeconds());
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /**
     * The warnings, one {@code FILE:LINE: warning: ...} line each, as {@code -t} prints them on
     * stderr: the first {@link ConfigException#SHOWN}, then a count of the rest.
     */
    public static List<String> warnings(Config config) {
        List<Diagnostic> all = config.warnings();
        List<String> out =
                new ArrayList<>(
                        all.stream()
                                .limit(ConfigException.SHOWN)
                                .map(ConfigPrinter::warning)
                                .toList());
        if (all.size() > ConfigException.SHOWN) {
            out.add(
                    config.source()
                            + ": warning: "
                            + (all.size() - ConfigException.SHOWN)
                            + " more warnings not shown");
        }
        return out;
    }

    public static String warning(Diagnostic d) {
        return d.line() > 0
                ? d.file() + ":" + d.line() + ": warning: " + d.message()
                : d.file() + ": warning: " + d.message();
    }
}
