package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ldirectord's defaults, inheritance and inference rules, one at a time. */
class ConfigParserTest {
    private static final Path F = Path.of("t.cf");

    /** A minimal virtual, for tests of global directives (a file without one is warned about). */
    static final String V = "virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n";

    static Config parse(String text) throws ConfigException {
        return ConfigParser.parse(text, F, new FixedResolver());
    }

    static List<String> errors(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text));
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    static List<String> warnings(String text) throws ConfigException {
        return parse(text).warnings().stream().map(Diagnostic::toString).toList();
    }

    static VirtualConfig only(String text) throws ConfigException {
        Config c = parse(text);
        assertEquals(1, c.virtuals().size());
        return c.virtuals().get(0);
    }

    @Test
    void defaultsOfAMinimalVirtual() throws Exception {
        Config c = parse("virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n");
        VirtualConfig v = c.virtuals().get(0);
        assertEquals(Protocol.TCP, v.protocol());
        assertEquals(80, v.port());
        assertEquals("10.77.0.1", v.address().orElseThrow().getHostAddress());
        assertEquals(CheckType.NEGOTIATE, v.check().type());
        assertEquals(ServiceType.HTTP, v.check().service(), "inferred from port 80");
        assertEquals("/", v.check().request());
        assertEquals("", v.check().receive());
        assertEquals("/bin/true", v.check().checkCommand());
        assertEquals(HttpMethod.GET, v.check().httpMethod());
        assertEquals(Duration.ofSeconds(5), v.check().checkTimeout());
        assertEquals(Duration.ofSeconds(30), v.check().negotiateTimeout());
        assertEquals(Duration.ofSeconds(10), v.checkInterval());
        assertFalse(v.checkIntervalOwn());
        assertEquals(1, v.failureCount());
        assertEquals(1, v.successCount());
        assertEquals(1, v.check().checkCount());
        assertEquals("wrr", v.scheduler());
        assertFalse(v.quiescent(), "the code's default is no, whatever the manual says");
        assertTrue(v.cleanstop());
        assertEquals(Optional.empty(), v.fallback());
        Real r = v.reals().get(0);
        assertEquals(0, r.port());
        assertEquals(80, v.ipvsPort(r), "a real without a port takes the virtual's");
        assertEquals(Optional.of(80), v.checkPort(r));
        assertEquals(1, r.weight());
        assertEquals(ForwardMethod.GATE, r.forward());
        GlobalConfig g = c.global();
        assertEquals(LogTarget.DEFAULT, g.logTarget());
        assertEquals(EnumSet.allOf(DaemonState.class), g.emailAlert().states());
        assertFalse(g.fork());
        assertFalse(g.supervised());
        assertFalse(g.autoreload());
        assertTrue(c.warnings().isEmpty());
    }

    @Test
    void timeoutChainPerVirtualBeforeGlobal() throws Exception {
        // checktimeout and negotiatetimeout default to each other, the virtual's own first.
        VirtualConfig v =
                only(
                        "checktimeout=3\n"
                                + "negotiatetimeout=40\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "\tnegotiatetimeout=7\n");
        assertEquals(
                Duration.ofSeconds(7),
                v.check().checkTimeout(),
                "virtual's negotiatetimeout beats global checktimeout");
        assertEquals(Duration.ofSeconds(7), v.check().negotiateTimeout());
        v = only("negotiatetimeout=12\nvirtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n");
        assertEquals(
                Duration.ofSeconds(12),
                v.check().checkTimeout(),
                "global negotiatetimeout when no checktimeout");
        v = only("checktimeout=4\nvirtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n");
        assertEquals(
                Duration.ofSeconds(4),
                v.check().negotiateTimeout(),
                "global checktimeout when no negotiatetimeout");
        v = only("virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n\tchecktimeout=2\n");
        assertEquals(Duration.ofSeconds(2), v.check().checkTimeout());
        assertEquals(Duration.ofSeconds(2), v.check().negotiateTimeout());
    }

    @Test
    void globalsWrittenAfterTheVirtualStillApply() throws Exception {
        VirtualConfig v =
                only(
                        "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "failurecount=4\n"
                                + "quiescent=yes\n"
                                + "checkinterval=2\n"
                                + "successcount=3\n");
        assertEquals(4, v.failureCount());
        assertTrue(v.quiescent());
        assertEquals(Duration.ofSeconds(2), v.checkInterval());
        assertEquals(3, v.successCount());
    }

    @Test
    void perVirtualOverridesGlobal() throws Exception {
        VirtualConfig v =
                only(
                        "quiescent=yes\n"
                                + "failurecount=4\n"
                                + "cleanstop=no\n"
                                + "successcount=2\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "\tquiescent=no\n"
                                + "\tfailurecount=1\n"
                                + "\tcleanstop=yes\n"
                                + "\tsuccesscount=5\n");
        assertFalse(v.quiescent());
        assertEquals(1, v.failureCount());
        assertTrue(v.cleanstop());
        assertEquals(5, v.successCount());
    }

    @Test
    void perVirtualCheckintervalIsHonouredWithAWarningWhenForkIsNo() throws Exception {
        String cf = "virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n\tcheckinterval=3\n";
        VirtualConfig v = only(cf);
        assertEquals(Duration.ofSeconds(3), v.checkInterval());
        assertTrue(v.checkIntervalOwn());
        assertEquals(
                List.of(
                        "t.cf:3: checkinterval of virtual 10.77.0.1:80 is honoured by ldirector"
                                + " (ldirectord ignores a per-virtual checkinterval when fork=no)"),
                warnings(cf));
        assertEquals(List.of(), warnings("fork=yes\n" + cf));
    }

    @Test
    void udpForPort53AndDomainAndFwmGetsServiceNone() throws Exception {
        assertEquals(
                Protocol.UDP, only("virtual=10.77.0.1:53\n\treal=10.77.1.1 gate\n").protocol());
        VirtualConfig d = only("virtual=10.77.0.1:domain\n\treal=10.77.1.1 gate\n");
        assertEquals(Protocol.UDP, d.protocol());
        assertEquals(53, d.port());
        assertEquals(ServiceType.DNS, d.check().service());
        assertEquals(
                Protocol.TCP,
                only("virtual=10.77.0.1:53\n\tprotocol=tcp\n\treal=10.77.1.1 gate\n").protocol());
        VirtualConfig f = only("virtual=8\n\treal=10.77.1.1:80 gate\n");
        assertEquals(Protocol.FWM, f.protocol());
        assertEquals(Optional.of(8), f.fwmark());
        assertEquals(0, f.port());
        assertEquals(ServiceType.NONE, f.check().service());
        assertEquals("fwm:8", f.id().toString());
    }

    @Test
    void aReceiveJavaWouldMatchOtherwiseIsRefusedWithFileAndLine() {
        List<String> e =
                errors("virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n\treceive=\"(a|b(?R))\"\n");
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("t.cf:3: receive \"(a|b(?R))\""), e.get(0));
        assertTrue(e.get(0).contains("recursion"), e.get(0));
        List<String> real =
                errors("virtual=10.77.0.1:80\n\treal=10.77.1.1 gate 1 \"a.html\", \"\\p{L}\"\n");
        assertEquals(1, real.size(), real.toString());
        assertTrue(real.get(0).startsWith("t.cf:2: receive"), real.get(0));
    }

    @Test
    void aReceiveWithPerlOnlySyntaxIsAccepted() throws Exception {
        VirtualConfig v =
                only(
                        "virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n"
                                + "\treceive=\"^[[:digit:]]+ items\\z\"\n");
        assertEquals("^[[:digit:]]+ items\\z", v.check().receive());
    }

    @Test
    void requestGetsALeadingSlashAndChecktypeQuirks() throws Exception {
        VirtualConfig v =
                only(
                        "virtual=10.77.0.1:80\n\treal=10.77.1.1 gate 2 \"a.html\", \"A\" l:3 u:9\n"
                                + "\trequest=\"index.html\"\n\tchecktype=4\n");
        assertEquals("/index.html", v.check().request());
        assertEquals(CheckType.COMBINED, v.check().type());
        assertEquals(4, v.check().numConnects());
        Real r = v.reals().get(0);
        assertEquals(Optional.of("/a.html"), r.request());
        assertEquals(Optional.of("A"), r.receive());
        assertEquals(Optional.of(3), r.lowerThreshold());
        assertEquals(Optional.of(9), r.upperThreshold());
        assertEquals(2, r.weight());
    }

    @Test
    void ftpAndSipLoginDefaultsOnlyWithAnExplicitService() throws Exception {
        VirtualConfig ftp = only("virtual=10.77.0.1:21\n\treal=10.77.1.1 gate\n\tservice=ftp\n");
        assertEquals("anonymous", ftp.check().login());
        assertEquals("ldirectord@director.example.test", ftp.check().passwd().reveal());
        VirtualConfig inferred = only("virtual=10.77.0.1:21\n\treal=10.77.1.1 gate\n");
        assertEquals(ServiceType.FTP, inferred.check().service());
        assertEquals(
                "",
                inferred.check().login(),
                "ldirectord sets the defaults only on a service= line");
        VirtualConfig sip =
                only(
                        "virtual=10.77.0.1:5060\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "\tlogin=\"me\"\n"
                                + "\tservice=sip\n");
        assertEquals("me", sip.check().login());
        VirtualConfig sip2 = only("virtual=10.77.0.1:5060\n\treal=10.77.1.1 gate\n\tservice=sip\n");
        assertEquals("ldirectord@director.example.test", sip2.check().login());
    }

    @Test
    void rangesExpandInclusively() throws Exception {
        VirtualConfig v = only("virtual=10.77.0.1:80\n\treal=10.77.1.254->10.77.2.1:8080 masq 3\n");
        assertEquals(
                List.of("10.77.1.254", "10.77.1.255", "10.77.2.0", "10.77.2.1"),
                v.reals().stream().map(r -> r.address().getHostAddress()).toList());
        assertTrue(
                v.reals().stream()
                        .allMatch(r -> r.port() == 8080 && r.weight() == 3 && r.line() == 2));
    }

    @Test
    void fallbackPerVirtualElseGlobalByFamily() throws Exception {
        Config c =
                parse(
                        "fallback=127.0.0.1 masq\n"
                                + "fallback6=[::1]:8080\n"
                                + "virtual=10.77.0.1:443\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "virtual=10.77.0.2:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "\tfallback=127.0.0.2\n"
                                + "virtual6=[2001:db8::1]:80\n"
                                + "\treal6=[2001:db8::2] gate\n");
        VirtualConfig a = c.virtuals().get(0);
        assertEquals("127.0.0.1", a.fallback().orElseThrow().address().getHostAddress());
        assertEquals(ForwardMethod.MASQ, a.fallback().get().forward());
        assertEquals(
                Optional.of(443),
                a.fallbackPort(),
                "a global fallback without port serves on the virtual's");
        VirtualConfig b = c.virtuals().get(1);
        assertEquals("127.0.0.2", b.fallback().orElseThrow().address().getHostAddress());
        assertEquals(
                Optional.of(80),
                b.fallback().get().port(),
                "own fallback takes the virtual's port");
        assertEquals(ForwardMethod.GATE, b.fallback().get().forward());
        VirtualConfig six = c.virtuals().get(2);
        assertEquals(Optional.of(8080), six.fallback().orElseThrow().port());
        assertEquals("tcp:[2001:db8::1]:80", six.id().toString());
    }

    @Test
    void emailAlertInheritance() throws Exception {
        Config c =
                parse(
                        "emailalert=\"ops@example.test\"\n"
                                + "emailalertfrom=lvs@example.test\n"
                                + "emailalertfreq=60\n"
                                + "emailalertstatus=starting, stopping\n"
                                + "smtp=192.0.2.25\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "virtual=10.77.0.2:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "\temailalert=web@example.test\n"
                                + "\temailalertstatus=none\n");
        EmailAlert a = c.virtuals().get(0).emailAlert();
        assertEquals(Optional.of("ops@example.test"), a.to());
        assertEquals(Optional.of("lvs@example.test"), a.from());
        assertEquals(60, a.frequencySeconds());
        assertEquals(EnumSet.of(DaemonState.STARTING, DaemonState.STOPPING), a.states());
        assertEquals(Optional.of("192.0.2.25"), a.smtp());
        EmailAlert b = c.virtuals().get(1).emailAlert();
        assertEquals(Optional.of("web@example.test"), b.to());
        assertEquals(EnumSet.noneOf(DaemonState.class), b.states());
    }

    @Test
    void logfileIsAFileWhenItStartsWithSlashElseASyslogFacility() throws Exception {
        assertEquals(
                LogTarget.syslog("local3"), parse("logfile=\"local3\"\n").global().logTarget());
        assertEquals(
                LogTarget.file(Path.of("/tmp/ld-test.log")),
                parse("logfile=\"/tmp/ld-test.log\"\n").global().logTarget());
        Config odd = parse("logfile=\"ldirectord.log\"\n" + V);
        assertEquals(LogTarget.syslog("user"), odd.global().logTarget());
        assertEquals(1, odd.warnings().size());
        assertTrue(
                errors("logfile=\"/no-such-dir-ld/x.log\"\n")
                        .get(0)
                        .contains("unable to open logfile"));
    }

    @Test
    void crlfTrailingWhitespaceAndSpacesForIndentation() throws Exception {
        VirtualConfig v =
                only(
                        "quiescent=yes  \r\n"
                                + "virtual=10.77.0.1:80 \r\n"
                                + "    real=10.77.1.1:80 masq 2 \r\n"
                                + "\t\tservicename=My Web  \r\n");
        assertTrue(v.quiescent());
        assertEquals(2, v.reals().get(0).weight());
        assertEquals(Optional.of("My Web"), v.serviceName());
    }

    @Test
    void everyErrorIsReportedInLineOrder() {
        List<String> e =
                errors(
                        "chekinterval=5\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1:80 nat\n"
                                + "\tschedular=rr\n"
                                + "fork=maybe\n");
        assertEquals(
                List.of(
                        "t.cf:1: unknown directive 'chekinterval'; did you mean 'checkinterval'?",
                        "t.cf:3: forwarding method of a real server must be gate, masq or ipip,"
                                + " found 'nat'",
                        "t.cf:4: unknown directive 'schedular'; did you mean 'scheduler'?",
                        "t.cf:5: fork must be 'yes' or 'no', found 'maybe'"),
                e);
    }

    @Test
    void bareSupervisedAndCheckcountWarn() throws Exception {
        Config c = parse("supervised\ncheckcount=3\nvirtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n");
        assertTrue(c.global().supervised());
        assertEquals(3, c.virtuals().get(0).check().checkCount());
        assertEquals(2, c.warnings().size());
        assertTrue(c.warnings().get(0).message().contains("supervised=yes"));
        assertTrue(c.warnings().get(1).message().contains("deprecated"));
    }

    @Test
    void valuesLdirectordReadsInPartAreAcceptedWithAWarning() throws Exception {
        Config c =
                parse(
                        "checktimeout=5s\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "\tscheduler=wlc2\n");
        assertEquals(Optional.of(Duration.ofSeconds(5)), c.global().checkTimeout());
        assertEquals("wlc", c.virtuals().get(0).scheduler());
        assertEquals(2, c.warnings().size());
    }

    @Test
    void virtualWithoutPortIsAFirewallMarkAsInLdirectord() throws Exception {
        Config c = parse("virtual=10.77.0.1\n\treal=10.77.1.1 gate\n");
        assertEquals(Optional.of(10), c.virtuals().get(0).fwmark());
        assertTrue(c.warnings().get(0).message().contains("firewall mark 10"));
    }

    @Test
    void secretsAreSecretAndMaskedInTheEffectiveConfig() throws Exception {
        Config c =
                parse(
                        "virtual=10.77.0.1:1812\n"
                                + "\tprotocol=udp\n"
                                + "\treal=10.77.1.1 masq\n"
                                + "\tservice=radius\n"
                                + "\tsecret=\"hunter2 x\"\n"
                                + "\tpasswd=\"pw123\"\n");
        assertEquals("hunter2 x", c.virtuals().get(0).check().secret().reveal());
        String printed = ConfigPrinter.print(c);
        assertFalse(printed.contains("hunter2"));
        assertFalse(printed.contains("pw123"));
        assertTrue(printed.contains("secret=\"********\""));
    }

    @Test
    void hostnamesAndServiceNamesResolve() throws Exception {
        Config c =
                ConfigParser.parse(
                        "virtual=web.example.test:https\n\treal=localhost:http masq\n",
                        F,
                        new FixedResolver().host("web.example.test", "192.0.2.80"));
        VirtualConfig v = c.virtuals().get(0);
        assertEquals("192.0.2.80", v.address().orElseThrow().getHostAddress());
        assertEquals(443, v.port());
        assertEquals(ServiceType.HTTPS, v.check().service());
        assertEquals("127.0.0.1", v.reals().get(0).address().getHostAddress());
        assertEquals(80, v.reals().get(0).port());
    }

    @Test
    void executeIsUnquotedAndDeduplicated() throws Exception {
        Config c = parse("execute=\"other.cf\"\nexecute=\"other.cf\"\nexecute=third.cf\n");
        assertEquals(List.of("other.cf", "third.cf"), c.global().execute());
    }

    @Test
    void opsOnlyForUdp() throws Exception {
        assertTrue(only("virtual=10.77.0.1:53\n\treal=10.77.1.1 gate\n\tops=yes\n").ops());
        Config tcp = parse("virtual=10.77.0.1:80\n\treal=10.77.1.1 gate\n\tops=yes\n");
        assertFalse(tcp.virtuals().get(0).ops());
        assertEquals(1, tcp.warnings().size());
    }

    @Test
    void perRealRequestStartingWithSlashIsDroppedAsLdirectordDoes() throws Exception {
        // Perl's /^\// test resets $2/$3 in add_real_server: pair and thresholds after it vanish.
        Config c =
                parse(
                        "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1:80 masq 2 \"/a.html\", \"A\" l:3 u:9\n");
        Real r = c.virtuals().get(0).reals().get(0);
        assertEquals(Optional.empty(), r.request());
        assertEquals(Optional.empty(), r.receive());
        assertEquals(Optional.empty(), r.upperThreshold());
        assertEquals(2, r.weight());
        assertEquals(1, c.warnings().size());
        assertTrue(
                c.warnings().get(0).message().contains("'l:3 u:9'"), c.warnings().get(0).message());
    }

    @Test
    void globalFallbackSkipsFirewallMarkVirtuals() throws Exception {
        Config c = parse("fallback=127.0.0.1:80\nvirtual=4\n\treal=10.77.1.1 gate\n");
        assertEquals(Optional.empty(), c.virtuals().get(0).fallback());
        assertTrue(
                c.warnings()
                        .get(0)
                        .message()
                        .startsWith(
                                "the global fallback does not apply to firewall-mark virtual 4"));
    }

    @Test
    void textLdirectordSkipsInARealLineIsAcceptedWithAWarning() throws Exception {
        // Its unanchored l: regex finds " l:3" and everything before it (here u:5) is lost.
        Config c = parse("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 gate u:5 l:3\n");
        Real r = c.virtuals().get(0).reals().get(0);
        assertEquals(Optional.of(3), r.lowerThreshold());
        assertEquals(Optional.empty(), r.upperThreshold());
        assertTrue(c.warnings().get(0).message().startsWith("ldirectord skips 'u:5'"));
    }

    @Test
    void emptyEmailAlertStatusMeansNone() throws Exception {
        assertEquals(
                EnumSet.noneOf(DaemonState.class),
                parse("emailalertstatus=\n").global().emailAlert().states());
    }

    @Test
    void whitespaceOnlyLineEndsABlockLikeABlankLine() {
        assertEquals(
                List.of(
                        "t.cf:4: indented line 'real=10.77.1.2 gate' is not inside a virtual block;"
                            + " a blank line ends a virtual block (line 3 is blank), so remove it"
                            + " or start the line with '#'"),
                errors(
                        "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1 gate\n"
                                + "      \n"
                                + "\treal=10.77.1.2 gate\n"));
    }

    @Test
    void kernelPortFollowsIpvsadmForEachForwardingMethod() throws Exception {
        VirtualConfig v =
                only(
                        "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1:8080 gate\n"
                                + "\treal=10.77.1.2:8080 masq\n"
                                + "\treal=10.77.1.3 masq\n"
                                + "\treal=10.77.1.4:8080 ipip\n");
        assertEquals(
                List.of(80, 8080, 0, 80),
                v.reals().stream().map(r -> ConfigPrinter.kernelPort(v, r)).toList());
        VirtualConfig f = only("virtual=9\n\treal=10.77.1.1:8080 gate\n\treal=10.77.1.2 masq\n");
        assertEquals(
                List.of(8080, 0),
                f.reals().stream().map(r -> ConfigPrinter.kernelPort(f, r)).toList());
    }

    @Test
    void httpsVerificationIsAnOptInExtension(@TempDir Path dir) throws Exception {
        VirtualConfig plain = only("virtual=10.77.0.1:443\n\treal=10.77.1.1 gate\n");
        assertEquals(Optional.empty(), plain.check().httpsCaFile(), "ldirectord never verifies");
        assertEquals(Optional.empty(), plain.check().httpsSniName());

        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        VirtualConfig v =
                only(
                        "virtual=10.77.0.1:443\n\treal=10.77.1.1 gate\n\thttpscafile=\""
                                + ca
                                + "\"\n\thttpsservername=www.example.test\n");
        assertEquals(Optional.of(ca), v.check().httpsCaFile());
        assertEquals(Optional.of("www.example.test"), v.check().httpsSniName());
        assertTrue(
                ConfigPrinter.print(
                                parse(
                                        "virtual=10.77.0.1:443\n"
                                                + "\treal=10.77.1.1 gate\n"
                                                + "\thttpscafile="
                                                + ca
                                                + "\n"))
                        .contains("\thttpscafile=" + ca + "\n"));

        assertEquals(
                List.of(
                        "t.cf:3: httpscafile "
                                + dir.resolve("missing.pem")
                                + " is not a readable file; expected a PEM file of CA"
                                + " certificates"),
                errors(
                        "virtual=10.77.0.1:443\n\treal=10.77.1.1 gate\n\thttpscafile="
                                + dir.resolve("missing.pem")
                                + "\n"));
    }

    @Test
    void mysqlPublicKeyRetrievalIsAnOptInExtensionOffByDefault() throws Exception {
        String v = "virtual=10.77.0.1:3306\n\treal=10.77.1.1 gate\n\tservice=mysql\n";
        assertFalse(
                only(v).check().mysqlPublicKeyRetrieval(), "as libmysqlclient: never by default");
        assertTrue(only(v + "\tmysqlpublickeyretrieval=yes\n").check().mysqlPublicKeyRetrieval());
        assertFalse(ConfigPrinter.print(parse(v)).contains("mysqlpublickeyretrieval"));
        assertTrue(
                ConfigPrinter.print(parse(v + "\tmysqlpublickeyretrieval=yes\n"))
                        .contains("\tmysqlpublickeyretrieval=yes\n"));
        assertEquals(
                List.of("t.cf:4: mysqlpublickeyretrieval must be 'yes' or 'no', found 'true'"),
                errors(v + "\tmysqlpublickeyretrieval=true\n"));
    }

    @Test
    void aLowerThresholdAboveTheUpperIsWarnedAtParseTimeBecauseTheKernelRefusesIt()
            throws Exception {
        assertEquals(
                List.of(
                        "t.cf:2: real server 10.77.1.1: l:5 is above u:0 (no u: means 0), so the"
                                + " kernel refuses this real server (ERANGE), as it does under"
                                + " ldirectord; expected u:UPPER at least as large as l:LOWER"),
                warnings("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq l:5\n"));
        assertTrue(
                warnings("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq l:9 u:3\n")
                        .get(0)
                        .contains("l:9 is above u:3, so"));
        assertEquals(
                List.of(), warnings("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq l:3 u:3\n"));
    }

    @Test
    void metricsIsOffByDefaultAndListensOnLoopbackWhenOnlyAPortIsGiven() throws Exception {
        assertEquals(Optional.empty(), parse("checkinterval=5\n").global().metrics());
        assertEquals(
                Optional.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9469)),
                parse("metrics=9469\n").global().metrics());
        assertEquals(
                Optional.of(new InetSocketAddress(InetAddress.getByName("::1"), 9100)),
                parse("metrics = [::1]:9100\n").global().metrics());
        assertEquals(List.of(), warnings("metrics=127.0.0.1:9469\n" + V));
        assertTrue(
                ConfigPrinter.print(parse("metrics=[::1]:9100\n"))
                        .contains("\nmetrics=[::1]:9100\n"));
        assertTrue(
                !ConfigPrinter.print(parse("checkinterval=5\n")).contains("metrics"),
                "-t shows metrics only when on");
    }

    @Test
    void metricsOnAnotherAddressIsWarnedAndBadValuesAreErrorsNamingTheLine() throws Exception {
        assertEquals(
                List.of(
                        "t.cf:1: metrics listens on 10.77.0.5, not on loopback: anyone who can"
                                + " reach it reads the health of every real server; bind it to"
                                + " 127.0.0.1 unless a remote Prometheus must scrape it"),
                warnings("metrics=10.77.0.5:9469\n" + V));
        String expected =
                "expected metrics = [ADDRESS:]PORT, e.g. 9469 or 127.0.0.1:9469 or [::1]:9469";
        assertEquals(
                List.of("t.cf:2: metrics 'localhost:9469' is not an address and port; " + expected),
                errors("checkinterval=5\nmetrics=localhost:9469\n"));
        assertEquals(
                List.of("t.cf:1: metrics port 70000 is out of range; " + expected),
                errors("metrics=70000\n"));
        assertEquals(
                List.of("t.cf:1: metrics address '10.0.0.300' is not an IP address; " + expected),
                errors("metrics=10.0.0.300:9469\n"));
    }

    @Test
    void syncDaemonIsUnmanagedUnlessSyncdaemonIsWrittenAndReadsEverySetting() throws Exception {
        assertEquals(Optional.empty(), parse("checkinterval=5\n").global().sync());
        SyncConfig sc =
                parse(
                                "syncdaemon = backup\n"
                                        + "syncinterface = eth1\n"
                                        + "syncid = 7\n"
                                        + "syncmaxlen = 1472\n"
                                        + "syncgroup = 224.0.0.99\n"
                                        + "syncport = 9999\n"
                                        + "syncttl = 2\n")
                        .global()
                        .sync()
                        .orElseThrow();
        assertEquals(
                new SyncConfig(
                        SyncConfig.Role.BACKUP,
                        Optional.of("eth1"),
                        7,
                        1472,
                        Optional.of(InetAddress.getByName("224.0.0.99")),
                        9999,
                        2),
                sc);
        assertEquals(
                new SyncConfig(
                        SyncConfig.Role.NONE, Optional.empty(), 0, 0, Optional.empty(), 0, 0),
                parse("syncdaemon=none\n").global().sync().orElseThrow());
        String printed = ConfigPrinter.print(parse("syncdaemon=master\nsyncinterface=eth1\n"));
        assertTrue(
                printed.contains("\nsyncdaemon=master\nsyncinterface=eth1\nsyncid=0\n"), printed);
        String all =
                ConfigPrinter.print(
                        parse(
                                "syncdaemon = backup\n"
                                        + "syncinterface = eth1\n"
                                        + "syncid = 7\n"
                                        + "syncmaxlen = 1472\n"
                                        + "syncgroup = 224.0.0.99\n"
                                        + "syncport = 9999\n"
                                        + "syncttl = 2\n"));
        assertTrue(
                all.contains(
                        "\n"
                                + "syncdaemon=backup\n"
                                + "syncinterface=eth1\n"
                                + "syncid=7\n"
                                + "syncmaxlen=1472\n"
                                + "syncgroup=224.0.0.99\n"
                                + "syncport=9999\n"
                                + "syncttl=2\n"),
                all);
    }

    @Test
    void malformedSyncSettingsAreErrorsNamingTheLineAndWhatWasExpected() {
        assertEquals(
                List.of(
                        "t.cf:2: syncdaemon 'primary' is not a role; expected syncdaemon = master,"
                                + " backup or none"),
                errors("checkinterval=5\nsyncdaemon=primary\n"));
        assertEquals(
                List.of(
                        "t.cf:1: syncdaemon = master needs the multicast interface; add e.g."
                                + " syncinterface = eth1"),
                errors("syncdaemon=master\n"));
        assertEquals(
                List.of(
                        "t.cf:1: sync settings without syncdaemon; add syncdaemon = master, backup"
                                + " or none (without it ldirector leaves the kernel's sync daemons"
                                + " alone)"),
                errors("syncinterface=eth1\n"));
        assertEquals(
                List.of("t.cf:2: syncid '256' is out of range; expected syncid = 0..255"),
                errors("syncdaemon=none\nsyncid=256\n"));
        assertEquals(
                List.of(
                        "t.cf:2: syncmaxlen '100' is out of range; expected syncmaxlen ="
                                + " 1024..65507"),
                errors("syncdaemon=none\nsyncmaxlen=100\n"));
        assertEquals(
                List.of(
                        "t.cf:2: syncgroup '10.0.0.1' is not a multicast address; expected e.g."
                                + " syncgroup = 224.0.0.81 or syncgroup = ff02::8848"),
                errors("syncdaemon=none\nsyncgroup=10.0.0.1\n"));
        assertEquals(
                List.of(
                        "t.cf:2: syncinterface 'eth1:0' is not an interface name; expected 1 to 15"
                            + " characters without '/', ':' or blanks, e.g. syncinterface = eth1"),
                errors("syncdaemon=none\nsyncinterface=eth1:0\n"));
        assertEquals(
                List.of("t.cf:2: syncttl '0' is out of range; expected syncttl = 1..255"),
                errors("syncdaemon=none\nsyncttl=0\n"));
    }

    @Test
    void noErrorOrWarningEverQuotesAPasswordOrSecret() {
        String secret = "hunter2-xyzzy";
        for (String bad :
                List.of(
                        "passwd=" + secret,
                        "passwd=\"" + secret,
                        "secret=" + secret,
                        "secret=\"" + secret,
                        "pasword=\"" + secret + "\"",
                        "passwd=\"" + secret + "\" trailing",
                        "secret " + secret)) {
            String text =
                    "virtual=10.77.0.1:80\n"
                            + "\treal=10.77.1.1:80 masq\n"
                            + "\tservice=mysql\n"
                            + "\tlogin=\"u\"\n"
                            + "\t"
                            + bad
                            + "\n";
            List<String> messages = new ArrayList<>();
            try {
                Config c = parse(text);
                c.warnings().forEach(w -> messages.add(w.toString()));
                messages.add(ConfigPrinter.print(c));
            } catch (ConfigException e) {
                e.errors().forEach(d -> messages.add(d.toString()));
            }
            for (String m : messages) {
                assertTrue(!m.contains(secret), bad + " leaked: " + m);
            }
        }
    }
}
