package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * httpstatus, httpdigest, checkurl and externalweight: the keepalived check extensions as
 * ldirectord.cf directives.
 */
class CheckExtensionDirectivesTest {
    private static final Path F = Path.of("t.cf");
    private static final String HELLO = "b1946ac92492d2347c6235b4d2611184";

    private static Config parse(String text) throws ConfigException {
        return ConfigParser.parse(text, F, new FixedResolver());
    }

    private static List<String> errors(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text));
        return e.errors().stream().map(Diagnostic::toString).toList();
    }

    private static String http(String... lines) {
        return "virtual=10.77.0.1:80\n"
                + "\treal=10.77.1.1:80 masq\n"
                + "\tservice=http\n"
                + "\tchecktype=negotiate\n"
                + String.join("", List.of(lines).stream().map(l -> "\t" + l + "\n").toList());
    }

    @Test
    void theSettingsReachTheCheck() throws Exception {
        CheckSpec c =
                parse(
                                http(
                                        "httpstatus=200-299, 304",
                                        "httpdigest=" + HELLO.toUpperCase(),
                                        "checkurl=/status httpstatus=200",
                                        "checkurl=\"/db\" httpdigest=" + HELLO,
                                        "checkurl=/plain"))
                        .virtuals()
                        .get(0)
                        .check();
        assertEquals(Optional.of(StatusSet.parse("200-299,304")), c.http().status());
        assertEquals(
                Optional.of(HELLO), c.http().digest(), "stored lowercase, as genhash prints it");
        assertEquals(
                List.of(
                        new UrlCheck(
                                "/status", Optional.of(StatusSet.parse("200")), Optional.empty()),
                        new UrlCheck("/db", Optional.empty(), Optional.of(HELLO)),
                        new UrlCheck("/plain", Optional.empty(), Optional.empty())),
                c.http().more());
        assertFalse(c.externalWeight());
    }

    @Test
    void withoutThemTheCheckIsLdirectords() throws Exception {
        CheckSpec c = parse(http()).virtuals().get(0).check();
        assertTrue(c.http().isNone());
        assertFalse(c.externalWeight());
    }

    @Test
    void externalweightIsAYesNo() throws Exception {
        String ext =
                "virtual=10.77.0.1:80\n"
                        + "\treal=10.77.1.1:80 masq\n"
                        + "\tchecktype=external\n"
                        + "\tcheckcommand=/bin/true\n";
        assertTrue(
                parse(ext + "\texternalweight=yes\n").virtuals().get(0).check().externalWeight());
        assertFalse(
                parse(ext + "\texternalweight=no\n").virtuals().get(0).check().externalWeight());
        List<String> e = errors(ext + "\texternalweight=maybe\n");
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("t.cf:5: "), e.get(0));
    }

    @Test
    void badValuesAreErrorsOnTheirLine() {
        List<String> e =
                errors(
                        http(
                                "httpstatus=2xx",
                                "httpdigest=abc",
                                "checkurl=/x httpstatus=299-200",
                                "checkurl=/y color=red",
                                "checkurl=",
                                "httpstatus=",
                                "checkurl=/z httpdigest=00"));
        assertEquals(
                List.of(
                        "t.cf:5: httpstatus: '2xx' is not a status code (100 to 999) or a range"
                                + " such as 200-299",
                        "t.cf:6: httpdigest: 'abc' is not an MD5 digest (32 hex digits, as genhash"
                                + " prints)",
                        "t.cf:7: checkurl: '299-200': a range goes from the lower code to the"
                                + " higher",
                        "t.cf:8: checkurl: 'color=red': expected checkurl = PATH [httpstatus=LIST]"
                                + " [httpdigest=HEX]",
                        "t.cf:9: checkurl is empty; expected checkurl = PATH [httpstatus=LIST]"
                                + " [httpdigest=HEX]",
                        "t.cf:10: httpstatus: no status code given; expected codes and ranges such"
                                + " as 200-299,301",
                        "t.cf:11: checkurl: '00' is not an MD5 digest (32 hex digits, as genhash"
                                + " prints)"),
                e);
    }

    @Test
    void settingsTheCheckDoesNotUseAreWarned() throws Exception {
        List<String> w =
                parse(
                                "virtual=10.77.0.1:80\n"
                                        + "\treal=10.77.1.1:80 masq\n"
                                        + "\tchecktype=connect\n"
                                        + "\thttpstatus=200\n"
                                        + "\texternalweight=yes\n")
                        .warnings()
                        .stream()
                        .map(Diagnostic::toString)
                        .toList();
        assertEquals(
                List.of(
                        "t.cf:4: httpstatus, httpdigest and checkurl apply to http and https"
                                + " negotiate checks; checktype=connect does not use them",
                        "t.cf:5: externalweight applies to external checks; checktype=connect does"
                                + " not use it"),
                w);
    }

    @Test
    void theyAreVirtualDirectivesOnly() {
        List<String> e = errors("httpstatus=200\n" + http());
        assertEquals(1, e.size(), e.toString());
        assertTrue(e.get(0).startsWith("t.cf:1: "), e.get(0));
    }

    @Test
    void minusTPrintsThemBack() throws Exception {
        String printed =
                ConfigPrinter.print(
                        parse(
                                http(
                                        "httpstatus=200,301",
                                        "httpdigest=" + HELLO,
                                        "checkurl=/status httpstatus=200")));
        assertTrue(
                printed.contains("httpstatus = 200,301\n")
                        || printed.contains("httpstatus=200,301\n"),
                printed);
        assertTrue(printed.contains(HELLO), printed);
        assertTrue(printed.contains("/status httpstatus=200\n"), printed);
    }
}
