package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values the kernel, ipvsadm or a mail header could not take are refused when the file is read,
 * each with its line; secrets never reach a message; text is read as UTF-8 and printed escaped. One
 * test per reproduction of issues 24 and 25.
 */
class ConfigValidationTest {
    private static final Path F = Path.of("t.cf");

    @TempDir Path dir;

    private static Config parse(String text) throws ConfigException {
        return ConfigParser.parse(text, F, new FixedResolver());
    }

    private static List<String> errors(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text));
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    private static List<String> warnings(String text) throws ConfigException {
        return parse(text).warnings().stream().map(Diagnostic::toString).toList();
    }

    private static String virtual(String... lines) {
        StringBuilder b = new StringBuilder("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        for (String l : lines) {
            b.append('\t').append(l).append('\n');
        }
        return b.toString();
    }

    private static void assertOneError(String text, int line, String containing) {
        List<String> e = errors(text);
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("t.cf:" + line + ": "), e.get(0));
        assertTrue(e.get(0).contains(containing), e.get(0));
    }

    // ---------------------------------------------------------------- item 1: schedflags

    @Test
    void aBogusSchedflagsIsAnErrorOnItsLineAndNotAFailingPass() {
        String text =
                "virtual=10.77.0.1:81\n\treal=10.77.1.1:81 masq\n"
                        + "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n\tschedflags=bogus\n";
        assertOneError(text, 5, "schedflags: unknown scheduler flag 'bogus'");
    }

    @Test
    void aSchedflagOfAnotherSchedulerIsAnErrorWhateverTheOrderOfTheLines() throws Exception {
        assertOneError(
                virtual("schedflags=sh-port", "scheduler=wrr"), 3, "needs scheduler sh, not wrr");
        assertEquals(
                Optional.of("sh-fallback,sh-port"),
                parse(virtual("schedflags=sh-fallback,sh-port", "scheduler=sh"))
                        .virtuals()
                        .get(0)
                        .schedFlags());
        assertOneError(
                virtual("schedflags=flag-1,", "scheduler=sh"), 3, "unknown scheduler flag ''");
    }

    // ---------------------------------------------------------------- item 2: netmask

    @Test
    void aNetmaskWithAnOversizedPartIsAnErrorNotANumberFormatException() {
        assertOneError(
                virtual("persistent=300", "netmask=99999999999.1.1.1"),
                4,
                "netmask must be a contiguous");
    }

    @Test
    void aNetmaskPartAbove255IsAnErrorNotSilentlyASlash24() {
        assertOneError(
                virtual("persistent=300", "netmask=255.255.255.256"), 4, "'255.255.255.256'");
    }

    @Test
    void aNonContiguousOrEmptyNetmaskIsAnError() throws Exception {
        assertOneError(virtual("persistent=300", "netmask=255.0.255.0"), 4, "ones then zeros");
        assertOneError(virtual("persistent=300", "netmask=0.0.0.0"), 4, "from 128.0.0.0");
        assertEquals(Optional.of(0xffffff00), ConfigParser.ipv4Mask("255.255.255.0"));
        assertEquals(Optional.of(0x80000000), ConfigParser.ipv4Mask("128.0.0.0"));
        assertEquals(Optional.of(0xffffffff), ConfigParser.ipv4Mask("255.255.255.255"));
        assertEquals(Optional.empty(), ConfigParser.ipv4Mask("255.255.254.1"));
    }

    @Test
    void anIpv6NetmaskIsAPrefixLengthFrom1To128() throws Exception {
        String v6 =
                "virtual6=[2001:db8::1]:80\n"
                        + "\treal6=[2001:db8::2]:80 masq\n"
                        + "\tpersistent=60\n"
                        + "\tnetmask=";
        assertEquals(Optional.of("64"), parse(v6 + "64\n").virtuals().get(0).netmask());
        assertOneError(v6 + "129\n", 4, "prefix length 1..128");
        assertOneError(v6 + "0\n", 4, "prefix length 1..128");
        assertOneError(v6 + "ffff::\n", 4, "prefix length 1..128");
    }

    @Test
    void aNetmaskWithoutPersistentIsWarnedAboutForItHasNoEffect() throws Exception {
        assertEquals(
                List.of(
                        "t.cf:3: netmask has no effect without persistent= (it is the granularity"
                                + " of persistence)"),
                warnings(virtual("netmask=255.255.255.0")));
    }

    // ---------------------------------------------------------------- item 3: overflow

    @Test
    void aPersistentTimeoutThatWouldOverflowIsAnErrorNotZeroOrNegative() throws Exception {
        for (String v :
                List.of("4294967296", "2147483648", "99999999999999999999", "0", "2678401")) {
            assertOneError(virtual("persistent=" + v), 3, "expected 1..2678400 seconds");
        }
        assertEquals(
                Optional.of(2678400),
                parse(virtual("persistent=2678400")).virtuals().get(0).persistent());
    }

    @Test
    void aWeightAboveIpvsadmsLimitIsAnError() throws Exception {
        assertOneError(
                "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq 65536\n", 2, "expected 0..65535");
        assertOneError(
                "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq 99999999999\n",
                2,
                "expected 0..65535");
        assertEquals(
                65535,
                parse("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq 65535\n")
                        .virtuals()
                        .get(0)
                        .reals()
                        .get(0)
                        .weight());
    }

    @Test
    void aFirewallMarkIsFrom1To4294967295() throws Exception {
        assertOneError("virtual=0\n\treal=10.77.1.1 gate\n", 1, "expected 1..4294967295");
        assertOneError("virtual=4294967296\n\treal=10.77.1.1 gate\n", 1, "expected 1..4294967295");
        assertEquals(
                -1,
                parse("virtual=4294967295\n\treal=10.77.1.1 gate\n")
                        .virtuals()
                        .get(0)
                        .fwmark()
                        .orElseThrow(),
                "the mark is an unsigned 32-bit value held in an int");
        assertEquals(
                5,
                parse("virtual=005\n\treal=10.77.1.1 gate\n")
                        .virtuals()
                        .get(0)
                        .fwmark()
                        .orElseThrow());
    }

    @Test
    void virtualPortZeroNeedsPersistentAsIpvsadmSays() throws Exception {
        assertOneError("virtual=10.77.0.1:0\n\treal=10.77.1.1 gate\n", 1, "has port 0");
        assertEquals(
                0,
                parse("virtual=10.77.0.1:0\n\treal=10.77.1.1 gate\n\tpersistent=60\n")
                        .virtuals()
                        .get(0)
                        .port());
    }

    @Test
    void aSchedulerNameLongerThanTheKernelsIsAnError() throws Exception {
        assertOneError(
                virtual("scheduler=abcdefghijklmnop"), 3, "longer than the kernel's 15 characters");
        assertEquals(
                "abcdefghijklmno",
                parse(virtual("scheduler=abcdefghijklmno")).virtuals().get(0).scheduler());
    }

    // ---------------------------------------------------------------- item 4: ranges

    @Test
    void fortyWholeSlash16RangesAreRefusedWithTheirLinesInsteadOfRunningOutOfMemory() {
        StringBuilder b = new StringBuilder("virtual=10.77.0.1:80\n");
        for (int n = 0; n < 40; n++) {
            b.append("\treal=10.")
                    .append(n)
                    .append(".0.0->10.")
                    .append(n)
                    .append(".255.255 gate\n");
        }
        List<String> e =
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> errors(b.toString()));
        // the first range (65,536 reals) fits in 100,000; every later one would not
        assertEquals(39, e.size());
        assertTrue(
                e.get(0)
                        .startsWith(
                                "t.cf:3: these 65536 real servers would make more than 100000 in"
                                        + " the file (65536 before this line)"),
                e.get(0));
        assertTrue(e.get(38).startsWith("t.cf:41: "), e.get(38));
    }

    @Test
    void twoHundredRangesAnswerWithinSeconds() {
        StringBuilder b = new StringBuilder("virtual=10.77.0.1:80\n");
        for (int n = 0; n < 200; n++) {
            b.append("\treal=10.")
                    .append(n)
                    .append(".0.0->10.")
                    .append(n)
                    .append(".255.255 gate\n");
        }
        List<String> e =
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> errors(b.toString()));
        assertEquals(199, e.size());
    }

    @Test
    void aRangeLargerThanASlash16IsRefusedBeforeItIsExpanded() {
        assertOneError(
                "virtual=10.77.0.1:80\n\treal=10.0.0.0->10.1.0.0 gate\n",
                2,
                "has 65537 addresses; at most 65536 (a /16) are accepted");
        assertOneError(
                "virtual=10.77.0.1:80\n\treal=0.0.0.0->255.255.255.255 gate\n",
                2,
                "has 4294967296 addresses");
    }

    @Test
    void singleRealsCountTowardsTheLimitToo() throws Exception {
        StringBuilder b =
                new StringBuilder(
                        "virtual=10.77.0.1:80\n\treal=10.1.0.0->10.1.255.255 gate\n"
                                + "\treal=10.2.0.0->10.2.134.157 gate\n"); // 65536 + 34462 = 99998
        b.append("\treal=10.3.0.1 gate\n\treal=10.3.0.2 gate\n");
        assertEquals(100_000, parse(b.toString()).virtuals().get(0).reals().size());
        assertOneError(
                b + "\treal=10.3.0.3 gate\n", 6, "this real server would make more than 100000");
    }

    // ---------------------------------------------------------------- item 5: secrets

    @Test
    void aPasswordNeverReachesAMessageWhateverTheLinesShape() {
        String head = "virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n\tservice=ftp\n";
        List<String> shapes =
                List.of(
                        head + "\n\tpasswd=\"HUNTER2\"\n", // after a blank line: outside the block
                        head + "   passwd=\"HUNTER2\"\n", // a 3-space indent
                        head + "\tpasswd:\"HUNTER2\"\n", // a colon
                        head + "\tpasswd \"HUNTER2\"\n", // a blank
                        head + "\tpasswd=HUNTER2\n", // no quotes
                        head + "\tpasswd=\"HUNTER2\n", // no closing quote
                        head + "\tPASSWD=\"HUNTER2\"\n", // case
                        head + "\tpasswrd=\"HUNTER2\"\n", // a typo
                        head + "\tpassword=\"HUNTER2\"\n", // another word for it
                        head + "\tsecret:HUNTER2\n",
                        "passwd=\"HUNTER2\"\n" + head, // unindented, global
                        "passwd \"HUNTER2\"\n" + head,
                        "virtual=10.77.0.1:80 passwd=\"HUNTER2\"\n\treal=10.77.1.1 gate\n");
        for (String text : shapes) {
            String all;
            try {
                all = parse(text).warnings().toString();
            } catch (ConfigException e) {
                all = e.getMessage();
            }
            assertFalse(all.isEmpty() || all.equals("[]"), "no diagnostic for " + text);
            assertFalse(all.toLowerCase(Locale.ROOT).contains("hunter"), all);
        }
    }

    @Test
    void theIssuesIndentedLineIsShownMaskedWithItsLine() {
        List<String> e =
                errors("virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n\n\tpasswd=\"HUNTER2\"\n");
        assertEquals(1, e.size(), e.toString());
        assertTrue(
                e.get(0)
                        .startsWith(
                                "t.cf:4: indented line 'passwd=********' is not inside a virtual"
                                        + " block"),
                e.get(0));
    }

    @Test
    void aWarningThatQuotesALineMasksItsSecretToo() throws Exception {
        List<String> w = warnings("virtual=10.77.0.1:80 secret=HUNTER2\n\treal=10.77.1.1 gate\n");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("'secret=********'"), w.get(0));
    }

    @Test
    void secretTextMasksByDirectiveNameOnlyWhereItStandsAsADirective() {
        assertEquals("passwd=********", SecretText.mask("passwd=\"x y\""));
        assertEquals("  Secret : ********", SecretText.mask("  Secret : abc"));
        assertEquals("request=\"/secret.html\"", SecretText.mask("request=\"/secret.html\""));
        assertEquals(
                "real=secret.example.test:80 gate",
                SecretText.mask("real=secret.example.test:80 gate"));
        assertEquals("passwd", SecretText.mask("passwd"));
        // found by the properties: a control character inside or after the name hides nothing
        assertEquals("pa\u0000sswd=********", SecretText.mask("pa\u0000sswd=zq7"));
        assertEquals("Secret\u001b =  ********", SecretText.mask("Secret\u001b =  \"zq7 x"));
        assertEquals("pa\rsswd=********", SecretText.mask("pa\rsswd=zq7"));
        assertEquals("x\rpasswd=********", SecretText.mask("x\rpasswd=zq7"));
    }

    // ---------------------------------------------------------------- item 7: UTF-8, control
    // characters

    @Test
    void theFileIsReadAsUtf8() throws Exception {
        byte[] bytes =
                (virtual("servicename=café", "comment=naïve ☃")).getBytes(StandardCharsets.UTF_8);
        VirtualConfig v = ConfigParser.parse(bytes, F, new FixedResolver()).virtuals().get(0);
        assertEquals(Optional.of("café"), v.serviceName());
        assertEquals(Optional.of("naïve ☃"), v.comment());
        assertTrue(
                ConfigPrinter.print(ConfigParser.parse(bytes, F, new FixedResolver()))
                        .contains("\tservicename=café\n"));
    }

    @Test
    void aLineThatIsNotUtf8IsAnErrorNamingItAndTheRestIsStillRead() {
        byte[] latin1 =
                virtual("comment=caf\u00e9", "checktype=bogus")
                        .getBytes(StandardCharsets.ISO_8859_1);
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ConfigParser.parse(latin1, F, new FixedResolver()));
        List<String> all = e.errors().stream().map(Diagnostic::toString).toList();
        assertEquals(2, all.size(), all.toString());
        assertTrue(all.get(0).startsWith("t.cf:3: this line is not valid UTF-8"), all.get(0));
        assertTrue(all.get(1).startsWith("t.cf:4: checktype must be"), all.get(1));
    }

    /**
     * Found by ConfigInvariantPropertiesTest: a NUL in callback's value threw InvalidPathException
     * out of the parser.
     */
    @Test
    void aNulByteIsAnErrorOnItsLineNotAnException() {
        byte[] bytes =
                ("callback=\" \0/bin/true\"\n"
                                + "virtual=10.1.1.1:80\n"
                                + "\treal=10.2.2.2:80 masq\n"
                                + "\tlogin=\"a\0b\"\n")
                        .getBytes(StandardCharsets.UTF_8);
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ConfigParser.parse(bytes, F, new FixedResolver()));
        List<String> all = e.errors().stream().map(Diagnostic::toString).toList();
        assertEquals(
                List.of(
                        "t.cf:1: this line holds a NUL byte, which no directive takes",
                        "t.cf:4: this line holds a NUL byte, which no directive takes"),
                all);
    }

    @Test
    void aByteOrderMarkIsSkipped() throws Exception {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        byte[] text = virtual().getBytes(StandardCharsets.UTF_8);
        byte[] both = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, both, 0, 3);
        System.arraycopy(text, 0, both, 3, text.length);
        assertEquals(1, ConfigParser.parse(both, F, new FixedResolver()).virtuals().size());
    }

    @Test
    void controlCharactersArePrintedEscapedByTestModeAndInMessages() throws Exception {
        String printed =
                ConfigPrinter.print(
                        parse(virtual("request=\"/a\u001b[2Jb\"", "receive=\"\u202eok\"")));
        assertTrue(printed.contains("\trequest=\"/a\\x1b[2Jb\"\n"), printed);
        assertTrue(printed.contains("\treceive=\"\\u202eok\"\n"), printed);
        assertFalse(printed.contains("\u001b"), printed);
        List<String> e = errors(virtual("httpmethod=\u001b[31mred"));
        assertTrue(e.get(0).contains("'\\x1b[31mred'"), e.get(0));
        // a value a message shows without quoting it (a path) is escaped too
        List<String> w = warnings("maintenancedir=/no/such\u001b[2J\n" + virtual());
        assertEquals(List.of("t.cf:1: maintenance directory /no/such\\x1b[2J does not exist"), w);
    }

    // ---------------------------------------------------------------- issue 25 item 9: mail
    // headers

    @Test
    void anEmailalertfreqTooLargeIsRefusedNotTruncatedToItsFirstNineDigits() throws Exception {
        // found by the properties: 2147483647 was read as 214748364
        assertOneError(virtual("emailalertfreq=2147483647"), 3, "expected 0..999999999 seconds");
        assertEquals(
                999999999,
                parse(virtual("emailalertfreq=999999999"))
                        .virtuals()
                        .get(0)
                        .emailAlert()
                        .frequencySeconds());
    }

    @Test
    void controlCharactersInWhatGoesIntoMailHeadersAreErrors() {
        assertOneError(
                virtual("servicename=web\rBcc: victim@example.test"),
                3,
                "servicename holds a control character (\\x0d)");
        assertOneError(virtual("comment=a\u0007b"), 3, "comment holds a control character (\\x07)");
        assertOneError(
                "emailalertfrom=ld@example.test\rBcc: x@example.test\n" + virtual(),
                1,
                "emailalertfrom holds a control character");
        assertOneError(
                "emailalert=\"ops@example.test\rBcc: x@example.test\"\n" + virtual(),
                1,
                "emailalert holds a control character");
    }

    // ---------------------------------------------------------------- item 11: warnings and the
    // cap

    @Test
    void aMissingOrNotExecutableCommandIsWarnedAbout() throws Exception {
        Path script = Files.writeString(dir.resolve("check.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Path missing = dir.resolve("nope.sh");
        String text =
                "callback=\""
                        + missing
                        + " --flag\"\nfallbackcommand="
                        + script
                        + " arg\n"
                        + virtual("checktype=external", "checkcommand=" + missing)
                        + "virtual=10.77.0.2:80\n"
                        + "\treal=10.77.1.1:80 masq\n"
                        + "\tchecktype=external-perl\n"
                        + "\tcheckcommand="
                        + script
                        + "\n\tfallbackcommand="
                        + missing
                        + "\n";
        List<String> w = warnings(text);
        assertEquals(
                List.of(
                        "t.cf:1: callback " + missing + " does not exist (or is not a file)",
                        "t.cf:2: fallbackcommand " + script + " is not executable",
                        "t.cf:6: checkcommand " + missing + " does not exist (or is not a file)",
                        "t.cf:11: fallbackcommand "
                                + missing
                                + " does not exist (or is not a file)"),
                w,
                "a perl script needs to be readable only");
    }

    @Test
    void aCheckcommandIsCheckedOnlyWhenAnExternalCheckRunsIt() throws Exception {
        assertEquals(
                List.of(), warnings(virtual("checktype=connect", "checkcommand=/no/such/check")));
        assertEquals(List.of(), warnings(virtual("checktype=external", "checkcommand=/bin/sh")));
    }

    @Test
    void aConfigWithoutAVirtualServiceIsWarnedAbout() throws Exception {
        assertEquals(
                List.of(
                        "t.cf: no virtual service is defined (no virtual= or virtual6= line);"
                                + " ldirector would check nothing and program nothing"),
                warnings("checkinterval=5\n"));
    }

    @Test
    void httpsservernameWithoutACaFileIsWarnedAboutForNothingIsVerified() throws Exception {
        List<String> w =
                warnings(
                        "virtual=10.77.0.1:443\n\treal=10.77.1.1:443 masq\n\tservice=https\n"
                                + "\thttpsservername=www.example.test\n");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("t.cf:4: httpsservername without httpscafile"), w.get(0));
    }

    @Test
    void aHugeNumberOfBadLinesIsReportedAsTheFirstHundredAndACount() {
        StringBuilder b = new StringBuilder(virtual());
        for (int i = 0; i < 200_000; i++) {
            b.append("bogus").append(i % 10).append('\n');
        }
        ConfigException e =
                assertTimeoutPreemptively(
                        Duration.ofSeconds(60),
                        () -> assertThrows(ConfigException.class, () -> parse(b.toString())));
        assertEquals(200_000, e.errors().size());
        assertEquals(100, e.shown().size());
        assertEquals(199_900, e.notShown());
        String[] lines = e.getMessage().split("\n");
        assertEquals(101, lines.length);
        assertEquals("(and 199900 more errors)", lines[100]);
        assertTrue(lines[0].startsWith("t.cf:3: "), lines[0]);
    }

    @Test
    void testModePrintsTheFirstHundredWarningsAndACount() throws Exception {
        StringBuilder b = new StringBuilder(virtual());
        for (int i = 0; i < 150; i++) {
            b.append("checkcount=1\n");
        }
        List<String> w = ConfigPrinter.warnings(parse(b.toString()));
        assertEquals(101, w.size());
        assertEquals("t.cf: warning: 50 more warnings not shown", w.get(100));
    }
}
