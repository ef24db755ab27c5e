package org.ldirector.keepalived;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * keepalived's {@code virtual_server} blocks as ldirectord.cf text. Every keyword is either carried
 * over, or named in a warning ({@code FILE:LINE: keyword: why}) that says what ldirector does
 * instead: nothing is dropped silently. Blocks that are not about LVS ({@code global_defs}, {@code
 * vrrp_*}, static addresses and routes, ...) stay in keepalived and get one note.
 *
 * <p>The mapping, keepalived's defaults written out so the result does not depend on ldirectord's
 * different ones (NAT vs gate, wlc vs wrr, 60 s vs 5 s):
 *
 * <ul>
 *   <li>{@code lvs_sched}/{@code lb_algo} → scheduler (default wlc); {@code lvs_method}/{@code
 *       lb_kind} NAT, DR, TUN → masq, gate, ipip (default NAT); {@code persistence_timeout} [N] →
 *       persistent (360 without N); {@code persistence_granularity} → netmask; {@code protocol} →
 *       protocol; {@code ops}; the scheduler flags → schedflags.
 *   <li>{@code real_server} with weight, its own lvs_method, uthreshold/lthreshold → {@code real=}.
 *       {@code inhibit_on_failure} → quiescent=yes (per virtual in ldirectord: all reals must
 *       agree).
 *   <li>{@code sorry_server} [with {@code sorry_server_lvs_method}] → fallback; with keepalived's
 *       default quorum of 1 both engage when no real with a weight above 0 is up.
 *   <li>One checker per virtual (ldirectord checks each real of a virtual alike): the first real's
 *       first checker. TCP_CHECK → connect; HTTP_GET/SSL_GET → negotiate http/https with the first
 *       url as request (+ httpstatus, httpdigest, regex as receive) and every further url as
 *       checkurl; MISC_CHECK → external (misc_dynamic → externalweight); DNS_CHECK, SMTP_CHECK →
 *       negotiate dns, smtp; PING_CHECK → ping. delay_loop → checkinterval, connect_timeout →
 *       checktimeout or negotiatetimeout, misc_timeout → checktimeout, retry/nb_get_retry N →
 *       failurecount N+1.
 * </ul>
 */
public final class KeepalivedImport {
    /** Top-level blocks and statements that are not LVS: they stay in keepalived. */
    private static final Set<String> NOT_LVS =
            Set.of(
                    "global_defs",
                    "static_ipaddress",
                    "static_routes",
                    "static_rules",
                    "linkbeat_use_polling",
                    "net_namespace",
                    "net_namespace_ipvs",
                    "namespace_with_ipsets",
                    "instance",
                    "use_pid_dir",
                    "bfd_instance",
                    "garp_group",
                    "track_file",
                    "track_process",
                    "track_bfd",
                    "local_address_group");

    private static final Set<String> SCHED_FLAGS =
            Set.of(
                    "flag-1",
                    "flag-2",
                    "flag-3",
                    "sh-port",
                    "sh-fallback",
                    "mh-port",
                    "mh-fallback");
    private static final Set<String> CHECKERS =
            Set.of(
                    "HTTP_GET",
                    "SSL_GET",
                    "TCP_CHECK",
                    "MISC_CHECK",
                    "DNS_CHECK",
                    "SMTP_CHECK",
                    "PING_CHECK",
                    "UDP_CHECK",
                    "BFD_CHECK",
                    "FILE_CHECK");

    /**
     * @param config the ldirectord.cf text
     * @param warnings "FILE:LINE: keyword: why" for everything not carried over; empty = all mapped
     * @param notes what was left to keepalived on purpose (not counted as unmapped)
     */
    public record Result(String config, List<String> warnings, List<String> notes) {
        public boolean complete() {
            return warnings.isEmpty();
        }
    }

    private final List<String> warnings = new ArrayList<>();
    private final List<String> leftAlone = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();

    private KeepalivedImport() {}

    /** Reads {@code file} (and what it includes) and maps it. */
    public static Result run(Path file) throws IOException {
        KeepalivedImport i = new KeepalivedImport();
        List<Node> top = KeepalivedParser.parse(file, i.warnings::add);
        return i.map(file, top);
    }

    private Result map(Path file, List<Node> top) {
        out.append("# ldirectord.cf imported from keepalived's ")
                .append(file)
                .append(" by ldirector import-keepalived.\n");
        out.append("# keepalived's defaults are written out where ldirectord's differ.\n");
        // each virtual carries keepalived's delay_loop as its own checkinterval, which ldirectord
        // honours only with fork=yes
        out.append(
                "# Each virtual has its own checkinterval (keepalived's delay_loop); ldirectord"
                        + " honours it with fork=yes.\n");
        out.append("fork=yes\n");
        for (Node n : top) {
            String k = n.keyword();
            if (k.equals("virtual_server")) {
                virtual(n);
            } else if (k.startsWith("vrrp_") || NOT_LVS.contains(k)) {
                leftAlone.add(n.where() + " " + k + (n.words().size() > 1 ? " " + n.arg(1) : ""));
            } else if (k.equals("virtual_server_group")) {
                warn(
                        n,
                        "ldirector has no virtual server groups: write one virtual= per address and"
                                + " port of the group");
            } else if (k.equals("SSL")) {
                warn(
                        n,
                        "the SSL_GET client certificate and CA are not carried over: ldirector's"
                            + " https check sends no client certificate; httpscafile= verifies the"
                            + " real's certificate against a CA if wanted");
            } else {
                warn(n, "not an LVS keyword the importer knows: left out");
            }
        }
        List<String> notes = new ArrayList<>();
        if (!leftAlone.isEmpty()) {
            notes.add(
                    "note: left to keepalived, which keeps running VRRP and the addresses: "
                            + String.join(", ", leftAlone));
        }
        return new Result(out.toString(), List.copyOf(warnings), notes);
    }

    private void warn(Node n, String why) {
        warnings.add(n.where() + ": " + n.keyword() + ": " + why);
    }

    /**
     * A checker's settings as ldirectord.cf lines in print order (a key starting with # is a line
     * as is), and where they came from.
     */
    private static final class Check {
        final Node from;
        final Map<String, String> lines = new LinkedHashMap<>();

        Check(Node from) {
            this.from = from;
        }

        /** What makes two reals' checks the same check in ldirectord's terms. */
        boolean sameAs(Check o) {
            return lines.equals(o.lines);
        }
    }

    /**
     * Timing from the virtual, then the real, then the checker: the nearest wins, as in keepalived.
     */
    private final class Timing {
        Optional<String> delayLoop = Optional.empty();
        Optional<String> connectTimeout = Optional.empty();
        Optional<String> retry = Optional.empty();
        Optional<Node> delayBeforeRetry = Optional.empty();

        Timing copy() {
            Timing t = new Timing();
            t.delayLoop = delayLoop;
            t.connectTimeout = connectTimeout;
            t.retry = retry;
            t.delayBeforeRetry = delayBeforeRetry;
            return t;
        }

        /** Takes a timing keyword; false when {@code n} is not one. */
        boolean take(Node n) {
            switch (n.keyword()) {
                case "delay_loop" -> delayLoop = seconds(n).or(() -> delayLoop);
                case "connect_timeout" -> connectTimeout = seconds(n).or(() -> connectTimeout);
                case "retry", "nb_get_retry" -> retry = Optional.of(n.arg(1));
                case "delay_before_retry" -> delayBeforeRetry = Optional.of(n);
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    private void virtual(Node vs) {
        String kind = vs.arg(1);
        if (kind.equals("group")) {
            warn(
                    vs,
                    "virtual_server group "
                            + vs.arg(2)
                            + ": ldirector has no virtual server groups; this virtual"
                            + " is left out: write it once per address and port of the group");
            return;
        }
        boolean fwmark = kind.equals("fwmark");
        String address = fwmark ? "" : kind;
        String port = fwmark ? "" : vs.arg(2);
        if (!fwmark && port.isEmpty()) {
            warn(
                    vs,
                    "a virtual_server without a port (all ports) has no ldirectord form: left out");
            return;
        }
        boolean v6 = address.contains(":");
        String scheduler = "wlc";
        String method = "NAT";
        Optional<String> persistent = Optional.empty();
        Optional<String> netmask = Optional.empty();
        Optional<String> protocol = Optional.empty();
        Node opsNode = null;
        boolean ops = false;
        List<String> flags = new ArrayList<>();
        Optional<Node> sorry = Optional.empty();
        Optional<String> sorryMethod = Optional.empty();
        Optional<String> virtualHost = Optional.empty();
        boolean inhibit = false;
        Timing timing = new Timing();
        List<Node> reals = new ArrayList<>();
        for (Node n : vs.children()) {
            switch (n.keyword()) {
                case "lvs_sched", "lb_algo" -> scheduler = n.arg(1).toLowerCase(Locale.ROOT);
                case "lvs_method", "lb_kind" -> {
                    method = n.arg(1).toUpperCase(Locale.ROOT);
                    tunnelOptions(n);
                }
                case "persistence_timeout" ->
                        persistent = Optional.of(n.arg(1).isEmpty() ? "360" : n.arg(1));
                case "persistence_granularity" -> netmask = Optional.of(n.arg(1));
                case "protocol" -> {
                    protocol = Optional.of(n.arg(1).toLowerCase(Locale.ROOT));
                    if (protocol.get().equals("sctp")) {
                        warn(
                                n,
                                "ldirector has no sctp virtual services (tcp, udp or a firewall"
                                        + " mark): tcp written instead");
                        protocol = Optional.of("tcp");
                    }
                }
                case "ops" -> {
                    ops = true;
                    opsNode = n;
                }
                case "sorry_server" -> sorry = Optional.of(n);
                case "sorry_server_lvs_method", "sorry_server_lb_kind" ->
                        sorryMethod = Optional.of(n.arg(1).toUpperCase(Locale.ROOT));
                case "sorry_server_inhibit" ->
                        warn(
                                n,
                                "ldirector removes the fallback server when a real is up again;"
                                        + " it is never kept at weight 0");
                case "virtualhost" -> virtualHost = Optional.of(n.arg(1));
                case "inhibit_on_failure" -> inhibit = bool(n);
                case "real_server" -> reals.add(n);
                case "alpha" -> {
                    // ldirector's only mode: a real is never served before its first check has
                    // passed
                }
                case "quorum" -> {
                    if (!n.arg(1).equals("1")) {
                        warn(
                                n,
                                "ldirector has no quorum: the fallback serves when no real with a"
                                    + " weight above 0 is up, which is keepalived's default quorum"
                                    + " of 1");
                    }
                }
                case "hysteresis" -> {
                    if (!n.arg(1).equals("0")) {
                        warn(n, "ldirector has no quorum, so no hysteresis around it");
                    }
                }
                case "quorum_up", "quorum_down" ->
                        warn(
                                n,
                                "ldirector runs no script on quorum changes (fallbackcommand= runs"
                                        + " a command when the fallback is added and removed)");
                case "omega" ->
                        warn(
                                n,
                                "ldirector runs no notify scripts at shutdown (cleanstop= decides"
                                        + " whether its virtual services are removed)");
                case "ip_family" -> v6 = n.arg(1).equals("inet6");
                case "ha_suspend" ->
                        warn(
                                n,
                                "ldirector does not suspend its checks while the virtual address is"
                                    + " not on this host: run it on the node that holds the address"
                                    + " (README's director-pair section)");
                case "smtp_alert" ->
                        warn(
                                n,
                                "mail alerts: ldirector's emailalert= takes the addresses"
                                        + " (keepalived's are in global_defs): add emailalert= by"
                                        + " hand");
                case "persistence_engine" ->
                        warn(
                                n,
                                "ldirector sets no persistence engine (sip): plain persistence"
                                        + " only");
                case "snmp_name" ->
                        warn(
                                n,
                                "ldirector has no SNMP agent; its metrics= endpoint names virtuals"
                                        + " by address");
                case "warmup" ->
                        warn(n, "ldirector staggers first probes by itself: no warmup setting");
                default -> {
                    if (SCHED_FLAGS.contains(n.keyword())) {
                        flags.add(n.keyword());
                    } else if (!timing.take(n)) {
                        warn(
                                n,
                                "not carried over: the importer does not know this virtual_server"
                                        + " keyword");
                    }
                }
            }
        }
        if (protocol.isEmpty() && !fwmark) {
            // keepalived sets UDP explicitly, since the kernel takes protocol 0 as UDP (and -t
            // flags it)
            warn(
                    vs,
                    "no protocol: keepalived defaults to UDP (keepalived -t reports it), so"
                        + " protocol=udp is written; add protocol TCP to the keepalived file if TCP"
                        + " was meant");
        }
        String proto = protocol.orElse("udp");
        if (ops && !fwmark && !proto.equals("udp")) {
            warn(
                    opsNode,
                    "one-packet scheduling is for udp only: keepalived resets it on "
                            + proto
                            + ", and so it is left out");
            ops = false;
        }
        if (fwmark) {
            // a mark's family follows its reals in keepalived
            for (Node r : reals) {
                v6 |= r.arg(1).contains(":");
            }
        }
        out.append('\n');
        out.append("# ")
                .append(vs.where())
                .append(" ")
                .append(String.join(" ", vs.words()))
                .append('\n');
        String vkey = v6 ? "virtual6=" : "virtual=";
        out.append(vkey).append(fwmark ? vs.arg(2) : hostPort(address, port)).append('\n');
        List<Check> checks = new ArrayList<>();
        List<Node> unchecked = new ArrayList<>();
        Boolean realsInhibit = null;
        for (Node r : reals) {
            RealOut ro = real(r, method, fwmark, v6, timing, virtualHost, proto);
            out.append('\t').append(ro.line).append('\n');
            if (ro.check != null) {
                checks.add(ro.check);
            } else {
                unchecked.add(r);
            }
            boolean ri = ro.inhibit.orElse(inhibit);
            if (realsInhibit == null) {
                realsInhibit = ri;
            } else if (realsInhibit != ri) {
                warn(
                        ro.inhibitNode.orElse(r),
                        "quiescent= is per virtual in ldirectord: the first real's setting ("
                                + (realsInhibit
                                        ? "inhibit_on_failure, quiescent=yes"
                                        : "quiescent=no")
                                + ") is used for all");
            }
        }
        if (sorry.isPresent()) {
            Node s = sorry.get();
            String sm = forward(sorryMethod.orElse(method));
            String sa = s.arg(1);
            out.append('\t')
                    .append(sa.contains(":") ? "fallback6=" : "fallback=")
                    .append(s.arg(2).isEmpty() ? bracket(sa) : hostPort(sa, s.arg(2)))
                    .append(' ')
                    .append(sm)
                    .append('\n');
        }
        out.append("\tscheduler=").append(scheduler).append('\n');
        out.append("\tprotocol=").append(fwmark ? "fwm" : proto).append('\n');
        persistent.ifPresent(p -> out.append("\tpersistent=").append(p).append('\n'));
        netmask.ifPresent(m -> out.append("\tnetmask=").append(m).append('\n'));
        if (ops) {
            out.append("\tops=yes\n");
        }
        if (!flags.isEmpty()) {
            out.append("\tschedflags=").append(String.join(",", flags)).append('\n');
        }
        out.append("\tquiescent=")
                .append(Objects.requireNonNullElse(realsInhibit, inhibit) ? "yes" : "no")
                .append('\n');
        if (checks.isEmpty()) {
            // keepalived serves a real without a checker as long as it runs
            out.append("\tchecktype=on\n");
            return;
        }
        Check chosen = checks.get(0);
        for (Check c : checks.subList(1, checks.size())) {
            if (!c.sameAs(chosen)) {
                warn(
                        c.from,
                        "ldirectord checks every real of a virtual alike: this real's checker"
                                + " differs from the one at "
                                + chosen.from.where()
                                + ", which is used for all");
            }
        }
        for (Node r : unchecked) {
            warn(
                    r,
                    "this real has no checker (keepalived keeps it up), but ldirectord checks every"
                            + " real of a virtual alike: it gets the checker at "
                            + chosen.from.where());
        }
        for (Map.Entry<String, String> e : chosen.lines.entrySet()) {
            if (e.getKey().startsWith("#")) {
                out.append('\t').append(e.getValue()).append('\n');
            } else {
                out.append('\t').append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
        }
    }

    private record RealOut(
            String line, Check check, Optional<Boolean> inhibit, Optional<Node> inhibitNode) {}

    private RealOut real(
            Node r,
            String vsMethod,
            boolean fwmark,
            boolean v6,
            Timing vsTiming,
            Optional<String> vsHost,
            String protocol) {
        String addr = r.arg(1);
        String port = r.arg(2);
        String weight = "1";
        String method = vsMethod;
        Optional<String> upper = Optional.empty();
        Optional<String> lower = Optional.empty();
        Optional<Boolean> inhibit = Optional.empty();
        Optional<Node> inhibitNode = Optional.empty();
        Optional<String> host = vsHost;
        Timing timing = vsTiming.copy();
        List<Node> checkers = new ArrayList<>();
        for (Node n : r.children()) {
            switch (n.keyword()) {
                case "weight" -> weight = n.arg(1);
                case "lvs_method", "lb_kind" -> {
                    method = n.arg(1).toUpperCase(Locale.ROOT);
                    tunnelOptions(n);
                }
                case "uthreshold" -> upper = Optional.of(n.arg(1));
                case "lthreshold" -> lower = Optional.of(n.arg(1));
                case "inhibit_on_failure" -> {
                    inhibit = Optional.of(bool(n));
                    inhibitNode = Optional.of(n);
                }
                case "virtualhost" -> host = Optional.of(n.arg(1));
                case "alpha" -> {
                    // ldirector's only mode, see virtual()
                }
                case "notify_up", "notify_down" ->
                        warn(
                                n,
                                "ldirector runs no per-real scripts: its log and"
                                        + " emailalert= report each real going up and down");
                case "smtp_alert" ->
                        warn(
                                n,
                                "mail alerts: add emailalert= by hand (keepalived's addresses are"
                                        + " in global_defs)");
                case "snmp_name" -> warn(n, "ldirector has no SNMP agent");
                case "warmup" ->
                        warn(n, "ldirector staggers first probes by itself: no warmup setting");
                default -> {
                    if (CHECKERS.contains(n.keyword())) {
                        checkers.add(n);
                    } else if (!timing.take(n)) {
                        warn(
                                n,
                                "not carried over: the importer does not know this real_server"
                                        + " keyword");
                    }
                }
            }
        }
        if (v6 != addr.contains(":")) {
            warn(
                    r,
                    "a real of the other address family than its virtual: ldirector (and IPVS"
                            + " without tunnelling) needs one family");
        }
        StringBuilder line = new StringBuilder(v6 ? "real6=" : "real=");
        // keepalived clears a firewall-mark real's port (the mark, not the port, selects the
        // traffic)
        line.append(
                        port.isEmpty() || fwmark || port.equals("0")
                                ? bracket(addr)
                                : hostPort(addr, port))
                .append(' ')
                .append(forward(method));
        if (!weight.equals("1") || lower.isPresent() || upper.isPresent()) {
            line.append(' ').append(weight);
        }
        lower.ifPresent(l -> line.append(" l:").append(l));
        upper.ifPresent(u -> line.append(" u:").append(u));
        Check check = null;
        if (!checkers.isEmpty()) {
            check = checker(checkers.get(0), addr, timing, host, protocol);
            for (Node extra : checkers.subList(1, checkers.size())) {
                warn(
                        extra,
                        "ldirector runs one check per real: only the first checker ("
                                + checkers.get(0).keyword()
                                + " at "
                                + checkers.get(0).where()
                                + ") is carried over");
            }
        }
        return new RealOut(line.toString(), check, inhibit, inhibitNode);
    }

    private Check checker(
            Node c,
            String realAddress,
            Timing inherited,
            Optional<String> inheritedHost,
            String protocol) {
        Check check = new Check(c);
        Timing timing = inherited.copy();
        Optional<String> connectPort = Optional.empty();
        Optional<String> host = inheritedHost;
        String type = c.keyword();
        List<Node> urls = new ArrayList<>();
        Optional<String> miscPath = Optional.empty();
        Optional<String> miscTimeout = Optional.empty();
        boolean miscDynamic = false;
        boolean sni = false;
        Optional<String> dnsType = Optional.empty();
        Optional<String> dnsName = Optional.empty();
        Node dnsTypeNode = null;
        for (Node n : c.children()) {
            switch (n.keyword()) {
                case "connect_port" -> connectPort = Optional.of(n.arg(1));
                case "connect_ip" -> {
                    if (!n.arg(1).equals(realAddress)) {
                        warn(
                                n,
                                "ldirector checks the real's own address: a check of another"
                                        + " address is not carried over");
                    }
                }
                case "bindto", "bind_if", "bind_port" ->
                        warn(
                                n,
                                "ldirector's checks take the source address and port"
                                        + " the kernel picks: not carried over");
                case "fwmark" -> warn(n, "ldirector does not mark its check packets");
                case "alpha" -> {
                    // ldirector's only mode
                }
                case "log_all_failures" ->
                        warn(n, "ldirector logs state changes, and every failure with -d");
                case "warmup" ->
                        warn(n, "ldirector staggers first probes by itself: no warmup setting");
                case "url" -> urls.add(n);
                case "virtualhost" -> host = Optional.of(n.arg(1));
                case "http_protocol" -> {
                    if (!n.arg(1).equals("1.1") && !n.arg(1).equals("1.0C")) {
                        warn(
                                n,
                                "ldirector's http check sends HTTP/1.1 with Connection: close"
                                        + " (keepalived's 1.0C/1.1)");
                    }
                }
                case "fast_recovery" -> {
                    // ldirector checks every url in each round: fast_recovery is what it does
                }
                case "enable_sni" -> sni = true;
                case "misc_path" -> miscPath = Optional.of(n.arg(1));
                case "misc_timeout" -> miscTimeout = seconds(n).or(() -> Optional.empty());
                case "misc_dynamic" -> miscDynamic = true;
                case "user" ->
                        warn(
                                n,
                                "ldirector runs an external check as its own user (root): not"
                                        + " carried over");
                case "type" -> {
                    dnsType = Optional.of(n.arg(1).toUpperCase(Locale.ROOT));
                    dnsTypeNode = n;
                }
                case "name" -> dnsName = Optional.of(n.arg(1));
                case "helo_name" ->
                        warn(
                                n,
                                "ldirector's smtp check sends no HELO: it reads the 220 greeting"
                                        + " and quits");
                default -> {
                    if (!timing.take(n)) {
                        warn(
                                n,
                                "not carried over: the importer does not know this "
                                        + type
                                        + " keyword");
                    }
                }
            }
        }
        int defaultRetry =
                switch (type) {
                    case "MISC_CHECK" -> 0;
                    case "DNS_CHECK" -> 3;
                    default -> 1;
                };
        String timeout = timing.connectTimeout.orElse("5");
        switch (type) {
            case "TCP_CHECK" -> {
                check.lines.put("checktype", "connect");
                connectPort.ifPresent(p -> check.lines.put("checkport", p));
                check.lines.put("checktimeout", timeout);
            }
            case "PING_CHECK" -> {
                check.lines.put("checktype", "ping");
                check.lines.put("checktimeout", timeout);
            }
            case "HTTP_GET", "SSL_GET" -> {
                check.lines.put("checktype", "negotiate");
                check.lines.put("service", type.equals("SSL_GET") ? "https" : "http");
                connectPort.ifPresent(p -> check.lines.put("checkport", p));
                Optional<String> firstHost = Optional.empty();
                Optional<String> checkerHost = host;
                if (urls.isEmpty()) {
                    warn(
                            c,
                            "a "
                                    + type
                                    + " without a url checks nothing in keepalived: request=/ is"
                                    + " written");
                    check.lines.put("request", "\"/\"");
                    check.lines.put("httpstatus", "200-299");
                }
                for (int i = 0; i < urls.size(); i++) {
                    UrlOut u = url(urls.get(i), i == 0);
                    Optional<String> h = u.host.or(() -> checkerHost);
                    if (i == 0) {
                        firstHost = h;
                        check.lines.put("request", "\"" + u.path + "\"");
                        u.regex.ifPresent(rx -> check.lines.put("receive", "\"" + rx + "\""));
                        check.lines.put("httpstatus", u.status);
                        u.digest.ifPresent(d -> check.lines.put("httpdigest", d));
                    } else {
                        if (!h.equals(firstHost)) {
                            warn(
                                    urls.get(i),
                                    "every url of a check is asked with one Host header in"
                                            + " ldirector ("
                                            + firstHost.orElse("the real's address")
                                            + ")");
                        }
                        // raw lines keep their place: each further url right after the first one's
                        // settings
                        check.lines.put(
                                "#url" + i,
                                "checkurl="
                                        + u.path
                                        + " httpstatus="
                                        + u.status
                                        + u.digest.map(d -> " httpdigest=" + d).orElse(""));
                    }
                }
                if (urls.isEmpty()) {
                    firstHost = host;
                }
                firstHost.ifPresent(h -> check.lines.put("virtualhost", "\"" + h + "\""));
                if (sni) {
                    if (firstHost.isPresent()) {
                        check.lines.put("httpsservername", firstHost.get());
                    } else {
                        warn(
                                c,
                                "enable_sni without a virtualhost sends no name: nothing to carry"
                                        + " over");
                    }
                }
                check.lines.put("negotiatetimeout", timeout);
            }
            case "MISC_CHECK" -> {
                check.lines.put("checktype", "external");
                String path = miscPath.orElse("");
                if (path.isEmpty()) {
                    warn(c, "MISC_CHECK without misc_path: /bin/true (always up) is written");
                    path = "/bin/true";
                } else if (path.strip().contains(" ")) {
                    warn(
                            c,
                            "misc_path has arguments (\""
                                    + path
                                    + "\"): ldirector runs checkcommand without a shell and appends"
                                    + " the virtual and real as arguments; wrap the command in a"
                                    + " script (only its first word is written)");
                    path = path.strip().split("\\s+")[0];
                }
                check.lines.put(
                        "#args",
                        "# ldirector runs it as: COMMAND VIRTUAL-ADDRESS VIRTUAL-PORT REAL-ADDRESS"
                                + " REAL-PORT");
                check.lines.put("checkcommand", "\"" + path + "\"");
                // keepalived's misc_timeout defaults to delay_loop
                check.lines.put("checktimeout", miscTimeout.orElse(timing.delayLoop.orElse("60")));
                if (miscDynamic) {
                    check.lines.put("externalweight", "yes");
                }
            }
            case "DNS_CHECK" -> {
                check.lines.put("checktype", "negotiate");
                check.lines.put("service", "dns");
                connectPort.ifPresent(p -> check.lines.put("checkport", p));
                String name = dnsName.orElse(".");
                String qtype = dnsType.orElse("SOA");
                if (!qtype.equals("A") || name.equals(".")) {
                    warn(
                            dnsTypeNode != null ? dnsTypeNode : c,
                            "ldirector's dns check asks an A query for request= and"
                                    + " needs an answer; keepalived's "
                                    + qtype
                                    + " query for "
                                    + name
                                    + " is not carried over: set request= to a name the real"
                                    + " answers");
                }
                check.lines.put("request", "\"" + name + "\"");
                check.lines.put("receive", "\".\"");
                check.lines.put("negotiatetimeout", timeout);
            }
            case "SMTP_CHECK" -> {
                check.lines.put("checktype", "negotiate");
                check.lines.put("service", "smtp");
                connectPort.ifPresent(p -> check.lines.put("checkport", p));
                check.lines.put("negotiatetimeout", timeout);
            }
            default -> {
                warn(c, "ldirector has no " + type + ": a connect check is written instead");
                check.lines.put("checktype", protocol.equals("udp") ? "ping" : "connect");
                connectPort.ifPresent(p -> check.lines.put("checkport", p));
                check.lines.put("checktimeout", timeout);
            }
        }
        timing.delayLoop.ifPresent(d -> check.lines.put("checkinterval", d));
        if (timing.delayLoop.isEmpty()) {
            check.lines.put("checkinterval", "60");
        }
        int retry = defaultRetry;
        if (timing.retry.isPresent()) {
            try {
                retry = Integer.parseInt(timing.retry.get());
            } catch (NumberFormatException e) {
                warn(
                        c,
                        "retry "
                                + timing.retry.get()
                                + " is not a number: keepalived's default "
                                + defaultRetry
                                + " used");
            }
        }
        check.lines.put("failurecount", String.valueOf(retry + 1));
        if (timing.delayBeforeRetry.isPresent()
                && retry > 0
                && !timing.delayBeforeRetry.get().arg(1).equals(check.lines.get("checkinterval"))) {
            warn(
                    timing.delayBeforeRetry.get(),
                    "ldirector retries at checkinterval: a failing real is taken out after "
                            + (retry + 1)
                            + " checks "
                            + check.lines.get("checkinterval")
                            + " s apart, not "
                            + timing.delayBeforeRetry.get().arg(1)
                            + " s apart");
        }
        return check;
    }

    private record UrlOut(
            String path,
            String status,
            Optional<String> digest,
            Optional<String> regex,
            Optional<String> host) {}

    private UrlOut url(Node u, boolean first) {
        String path = "/";
        List<String> status = new ArrayList<>();
        Optional<String> digest = Optional.empty();
        Optional<String> regex = Optional.empty();
        Optional<String> host = Optional.empty();
        for (Node n : u.children()) {
            switch (n.keyword()) {
                case "path" -> path = n.arg(1);
                case "digest" -> digest = Optional.of(n.arg(1).toLowerCase(Locale.ROOT));
                case "status_code" -> status.addAll(n.args());
                case "virtualhost" -> host = Optional.of(n.arg(1));
                case "regex" -> {
                    if (first) {
                        regex = Optional.of(n.arg(1));
                    } else {
                        warn(
                                n,
                                "ldirector matches receive= on the first url only: this url's regex"
                                        + " is not carried over");
                    }
                }
                default ->
                        warn(n, "not carried over: ldirector's http check has no " + n.keyword());
            }
        }
        return new UrlOut(
                path, status.isEmpty() ? "200-299" : String.join(",", status), digest, regex, host);
    }

    /**
     * A keepalived TIMER (seconds, fractions allowed) as ldirectord's whole seconds, at least 1: a
     * fraction is rounded up, with a warning. Empty, with a warning, when it is not a number.
     */
    private Optional<String> seconds(Node n) {
        String v = n.arg(1);
        if (v.matches("\\d{1,9}") && Long.parseLong(v) > 0) {
            return Optional.of(String.valueOf(Long.parseLong(v)));
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && d < 1e9) {
                String whole = String.valueOf(Math.max(1, (long) Math.ceil(d)));
                warn(
                        n,
                        "ldirector counts whole seconds (at least 1): "
                                + whole
                                + " written for "
                                + v);
                return Optional.of(whole);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        warn(n, "'" + v + "' is not a time in seconds: keepalived's default is written");
        return Optional.empty();
    }

    private void tunnelOptions(Node n) {
        if (n.words().size() > 2) {
            warn(
                    n,
                    "ldirector's ipip forwarding has no tunnel type options ("
                            + String.join(" ", n.words().subList(2, n.words().size()))
                            + "): plain ipip written");
        }
    }

    private static String forward(String method) {
        return switch (method) {
            case "DR" -> "gate";
            case "TUN" -> "ipip";
            default -> "masq";
        };
    }

    private static boolean bool(Node n) {
        String v = n.arg(1).toLowerCase(Locale.ROOT);
        return !(v.equals("false") || v.equals("no") || v.equals("off") || v.equals("0"));
    }

    private static String bracket(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String hostPort(String address, String port) {
        return bracket(address) + ":" + port;
    }
}
