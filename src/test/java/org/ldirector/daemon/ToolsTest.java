package org.ldirector.daemon;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs that need no ldirectord.cf: import-keepalived and genhash, as the command line runs
 * them.
 */
class ToolsTest {
    private static WireMockServer wm;

    @TempDir Path dir;

    @BeforeAll
    static void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        wm.stubFor(
                get(urlEqualTo("/index.html"))
                        .willReturn(aResponse().withStatus(200).withBody("hello\n")));
        wm.stubFor(
                get(urlEqualTo("/gone"))
                        .willReturn(aResponse().withStatus(404).withBody("hello\n")));
        wm.stubFor(
                get(urlEqualTo("/moved"))
                        .willReturn(
                                aResponse().withStatus(301).withHeader("Location", "/index.html")));
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    record Run(int code, String out, String err) {}

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // no config file exists, no run dir is usable: these verbs need neither
        int code =
                Main.run(
                        List.of(args),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        p -> false,
                        Map.of("LDIRECTOR_RUNDIR", "/nonexistent/run", "LDIRECTOR_IPVS", "memory"));
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void importPrintsTheConfigAndExitsZeroWhenAllMapped() throws Exception {
        Path conf = Path.of("test-fixtures/keepalived/01-lvs-dr.conf");
        Run r = run("import-keepalived", conf.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(Path.of("test-fixtures/keepalived/01-lvs-dr.cf")), r.out());
        assertEquals(
                Files.readString(Path.of("test-fixtures/keepalived/01-lvs-dr.warnings")), r.err());
    }

    @Test
    void importExitsOneAndStillPrintsWhenAKeywordDidNotMap() throws Exception {
        Run r = run("import-keepalived", "test-fixtures/keepalived/13-unmappable.conf");
        assertEquals(1, r.code());
        assertEquals(
                Files.readString(Path.of("test-fixtures/keepalived/13-unmappable.cf")), r.out());
        assertTrue(
                r.err()
                        .startsWith(
                                "test-fixtures/keepalived/13-unmappable.conf:2:"
                                        + " virtual_server_group: "),
                r.err());
        assertTrue(
                r.err()
                        .endsWith(
                                "ldirector: 12 keywords of"
                                        + " test-fixtures/keepalived/13-unmappable.conf not carried"
                                        + " over exactly (see above)\n"),
                r.err());
    }

    @Test
    void importOfAMissingFileSaysSo() {
        Run r = run("import-keepalived", dir.resolve("none.conf").toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(
                r.err().startsWith("ldirector: cannot read " + dir.resolve("none.conf")), r.err());
    }

    @Test
    void eachToolTakesExactlyOneArgument() {
        for (String[] args :
                List.of(
                        new String[] {"import-keepalived"},
                        new String[] {"genhash"},
                        new String[] {"genhash", "http://a/", "http://b/"})) {
            Run r = run(args);
            assertEquals(Main.EXIT_USAGE, r.code(), String.join(" ", args));
            assertTrue(r.err().contains("Usage: ldirector"), r.err());
        }
    }

    @Test
    void genhashPrintsTheBodysMd5AsKeepalivedsGenhash() {
        Run r = run("genhash", "http://127.0.0.1:" + wm.port() + "/index.html");
        assertEquals(0, r.code(), r.err());
        // keepalived's genhash -s 127.0.0.1 -p PORT -u /index.html prints this for "hello\n"
        assertEquals("b1946ac92492d2347c6235b4d2611184\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void genhashNamesAStatusOutside2xxAndFollowsNoRedirect() {
        Run gone = run("genhash", "http://127.0.0.1:" + wm.port() + "/gone");
        assertEquals(0, gone.code());
        assertEquals("b1946ac92492d2347c6235b4d2611184\n", gone.out());
        assertTrue(gone.err().contains("answered HTTP 404"), gone.err());
        Run moved = run("genhash", "http://127.0.0.1:" + wm.port() + "/moved");
        assertEquals(
                "d41d8cd98f00b204e9800998ecf8427e\n",
                moved.out(),
                "the digest of the redirect's empty body");
        assertTrue(moved.err().contains("answered HTTP 301"), moved.err());
    }

    @Test
    void genhashFailsOnARefusedConnectionAndABadUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Run refused = run("genhash", "http://127.0.0.1:" + port + "/");
        assertEquals(1, refused.code());
        assertEquals("", refused.out());
        assertTrue(
                refused.err().startsWith("ldirector: genhash: http://127.0.0.1:" + port + "/"),
                refused.err());
        Run ftp = run("genhash", "ftp://127.0.0.1/");
        assertEquals(Main.EXIT_USAGE, ftp.code());
        assertTrue(ftp.err().contains("expected an http:// or https:// URL"), ftp.err());
    }
}
