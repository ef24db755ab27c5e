package org.ldirector.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Builds the immutable records from drafts that parsed without error: each inherited setting
 * resolved as the virtual's own, else the global one, else the default in {@link Directives}.
 */
final class ConfigAssembly {
    private ConfigAssembly() {}

    static Config assemble(
            Path source,
            GlobalDraft g,
            Optional<SyncConfig> sync,
            List<VirtualDraft> drafts,
            List<Diagnostic> warnings) {
        InheritedSettings s = g.inherited;
        EmailAlert email =
                new EmailAlert(
                        Optional.ofNullable(s.emailAlert),
                        Optional.ofNullable(g.emailAlertFrom),
                        or(s.emailAlertFreq, "emailalertfreq"),
                        or(s.emailAlertStatus, "emailalertstatus"),
                        Optional.ofNullable(s.smtp));
        GlobalConfig global =
                new GlobalConfig(
                        Optional.ofNullable(s.checkTimeout).map(Duration::ofSeconds),
                        Optional.ofNullable(s.negotiateTimeout).map(Duration::ofSeconds),
                        Duration.ofSeconds(or(s.checkInterval, "checkinterval")),
                        or(s.checkCount, "checkcount"),
                        or(s.failureCount, "failurecount"),
                        g.autoreload,
                        Optional.ofNullable(g.callback),
                        Optional.ofNullable(g.fallback),
                        Optional.ofNullable(g.fallback6),
                        Optional.ofNullable(s.fallbackCommand),
                        g.logTarget,
                        email,
                        List.copyOf(g.execute),
                        g.supervised,
                        g.fork,
                        or(s.quiescent, "quiescent"),
                        g.readdQuiescent,
                        or(s.cleanstop, "cleanstop"),
                        Optional.ofNullable(g.maintenanceDir),
                        Optional.ofNullable(g.metrics),
                        sync);
        List<VirtualConfig> virtuals = new ArrayList<>();
        for (VirtualDraft d : drafts) {
            virtuals.add(virtual(d, g, email));
        }
        List<Diagnostic> w = new ArrayList<>(warnings);
        w.sort(Comparator.comparingInt(Diagnostic::line));
        return new Config(source, global, virtuals, w);
    }

    private static VirtualConfig virtual(VirtualDraft d, GlobalDraft g, EmailAlert globalEmail) {
        InheritedSettings own = d.inherited;
        InheritedSettings gs = g.inherited;
        // ld_setup: checktimeout and negotiatetimeout default to each other before the globals.
        int ct =
                first(
                        own.checkTimeout,
                        own.negotiateTimeout,
                        gs.checkTimeout,
                        gs.negotiateTimeout,
                        Directives.initial("checktimeout"));
        int nt =
                first(
                        own.negotiateTimeout,
                        own.checkTimeout,
                        gs.negotiateTimeout,
                        gs.checkTimeout,
                        Directives.initial("negotiatetimeout"));
        CheckType type =
                d.checktype.equals("combined")
                        ? CheckType.COMBINED
                        : CheckType.valueOf(d.checktype.toUpperCase(Locale.ROOT).replace('-', '_'));
        CheckSpec check =
                new CheckSpec(
                        type,
                        d.numConnects,
                        ServiceType.fromKeyword(d.service).orElseThrow(),
                        d.checkCommand,
                        Optional.ofNullable(d.checkPort),
                        d.request,
                        d.receive,
                        HttpMethod.valueOf(d.httpMethod),
                        Optional.ofNullable(d.virtualHost),
                        d.login,
                        Secret.of(d.passwd),
                        d.database,
                        Secret.of(d.secret),
                        Duration.ofSeconds(ct),
                        Duration.ofSeconds(nt),
                        inherit(own.checkCount, gs.checkCount, "checkcount"),
                        Optional.ofNullable(d.httpsCaFile).map(Path::of),
                        Optional.ofNullable(d.httpsServerName),
                        d.mysqlPublicKeyRetrieval,
                        new HttpExpect(
                                Optional.ofNullable(d.httpStatus),
                                Optional.ofNullable(d.httpDigest),
                                d.checkUrls),
                        d.externalWeight);
        // ldirectord's fallback_find looks the global fallback up by protocol (tcp/udp), so a
        // firewall-mark
        // virtual never gets one.
        Fallback fb =
                d.fallback != null
                        ? d.fallback
                        : d.fwmark != null
                                ? null
                                : d.family == AddressFamily.INET ? g.fallback : g.fallback6;
        EmailAlert email =
                new EmailAlert(
                        own.emailAlert != null ? Optional.of(own.emailAlert) : globalEmail.to(),
                        globalEmail.from(),
                        own.emailAlertFreq != null
                                ? own.emailAlertFreq
                                : globalEmail.frequencySeconds(),
                        own.emailAlertStatus != null ? own.emailAlertStatus : globalEmail.states(),
                        own.smtp != null ? Optional.of(own.smtp) : globalEmail.smtp());
        return new VirtualConfig(
                d.line,
                d.family,
                Protocol.valueOf(d.protocol.toUpperCase(Locale.ROOT)),
                Optional.ofNullable(d.address),
                d.fwmark != null ? 0 : d.port,
                Optional.ofNullable(d.fwmark),
                d.written,
                check,
                Duration.ofSeconds(inherit(own.checkInterval, gs.checkInterval, "checkinterval")),
                own.checkInterval != null,
                inherit(own.failureCount, gs.failureCount, "failurecount"),
                d.scheduler,
                Optional.ofNullable(d.schedFlags),
                Optional.ofNullable(d.persistent),
                Optional.ofNullable(d.netmask),
                d.ops && d.protocol.equals("udp"),
                d.reals,
                Optional.ofNullable(fb),
                Optional.ofNullable(
                        own.fallbackCommand != null ? own.fallbackCommand : gs.fallbackCommand),
                inherit(own.quiescent, gs.quiescent, "quiescent"),
                inherit(own.cleanstop, gs.cleanstop, "cleanstop"),
                email,
                Optional.ofNullable(d.monitorFile),
                Optional.ofNullable(d.serviceName),
                Optional.ofNullable(d.comment),
                inherit(own.successCount, gs.successCount, "successcount"));
    }

    /** A global setting as given, else the directive's default. */
    private static <T> T or(T given, String directive) {
        return given != null ? given : Directives.initial(directive);
    }

    /** A virtual's setting: its own, else the global one, else the directive's default. */
    private static <T> T inherit(T own, T global, String directive) {
        return own != null ? own : or(global, directive);
    }

    private static int first(Integer... values) {
        for (Integer v : values) {
            if (v != null) {
                return v;
            }
        }
        throw new IllegalStateException("no default");
    }
}
