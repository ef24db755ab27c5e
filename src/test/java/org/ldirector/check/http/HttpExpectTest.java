package org.ldirector.check.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ldirector.check.CheckResult;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.SharedCheckers;
import org.ldirector.check.Targets;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpExpect;
import org.ldirector.config.ServiceType;
import org.ldirector.config.StatusSet;
import org.ldirector.config.UrlCheck;

/**
 * The keepalived HTTP_GET/SSL_GET extensions (httpstatus, httpdigest, checkurl) against WireMock on
 * loopback.
 */
class HttpExpectTest {
    /** MD5 of "hello\n", as md5sum and keepalived's genhash print it. */
    static final String HELLO = "b1946ac92492d2347c6235b4d2611184";

    private static WireMockServer wm;
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();
    private static TestCerts.Cert cert;

    @BeforeAll
    static void start() throws Exception {
        cert = TestCerts.make("real", "real.example");
        wm =
                new WireMockServer(
                        wireMockConfig()
                                .bindAddress("127.0.0.1")
                                .dynamicPort()
                                .dynamicHttpsPort()
                                .keystorePath(cert.keystore().toString())
                                .keystorePassword(TestCerts.PASS)
                                .keyManagerPassword(TestCerts.PASS)
                                .keystoreType("PKCS12"));
        wm.start();
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
    }

    private static CheckResult run(Targets t, String status, String digest, UrlCheck... more)
            throws Exception {
        ProbeTarget p = t.target();
        HttpExpect e =
                new HttpExpect(
                        Optional.ofNullable(status).map(StatusSet::parse),
                        Optional.ofNullable(digest),
                        List.of(more));
        ProbeTarget k =
                new ProbeTarget(
                        p.spec().withKeepalived(e, false),
                        p.protocol(),
                        p.family(),
                        p.virtualAddress(),
                        p.virtualPort(),
                        p.realAddress(),
                        p.realPort(),
                        p.checkPort(),
                        p.request(),
                        p.receive(),
                        p.fwmark(),
                        p.writtenRealPort());
        return checkers.run(k);
    }

    private static Targets http() {
        return Targets.of(CheckType.NEGOTIATE, wm.port()).service(ServiceType.HTTP);
    }

    private static void page(String path, int status, String body) {
        wm.stubFor(get(urlEqualTo(path)).willReturn(aResponse().withStatus(status).withBody(body)));
    }

    @Test
    void theBodysDigestMustMatch() throws Exception {
        page("/", 200, "hello\n");
        CheckResult ok = run(http(), "200-299", HELLO);
        assertTrue(ok.up(), ok.reason());
        assertEquals("HTTP 200, digest " + HELLO, ok.reason());
        page("/", 200, "hello!\n");
        CheckResult changed = run(http(), "200-299", HELLO);
        assertFalse(changed.up());
        assertTrue(
                changed.reason().startsWith("HTTP 200, body digest ")
                        && changed.reason().endsWith(", expected " + HELLO),
                changed.reason());
    }

    @Test
    void theStatusMustBeInTheSet() throws Exception {
        page("/", 503, "maintenance");
        assertTrue(run(http(), "200,503", null).up(), "503 is in the set");
        CheckResult r = run(http(), "200-299,301", null);
        assertFalse(r.up());
        assertEquals("HTTP 503 not in httpstatus 200-299,301", r.reason());
        page("/", 200, "ok");
        assertFalse(run(http(), "301", null).up(), "a 200 outside the set is down");
    }

    @Test
    void withAStatusSetARedirectIsJudgedNotFollowed() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/"))
                        .willReturn(aResponse().withStatus(301).withHeader("Location", "/next")));
        page("/next", 200, "ok");
        CheckResult r = run(http(), "301", null);
        assertTrue(r.up(), r.reason());
        wm.verify(0, getRequestedFor(urlEqualTo("/next")));
        assertFalse(run(http(), "200", null).up(), "keepalived does not follow it to the 200");
        // without httpstatus: ldirectord's rule, followed to the final 2xx
        assertTrue(run(http(), null, null).up());
        wm.verify(1, getRequestedFor(urlEqualTo("/next")));
    }

    @Test
    void receiveStillAppliesBesideTheDigest() throws Exception {
        page("/", 200, "hello\n");
        assertTrue(run(http().receive("hel+o"), null, HELLO).up());
        CheckResult r = run(http().receive("absent"), null, HELLO);
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("receive /absent/ not found"), r.reason());
    }

    @Test
    void everyUrlMustPassInTurn() throws Exception {
        page("/", 200, "hello\n");
        page("/a", 200, "a");
        page("/b", 500, "b");
        CheckResult both =
                run(
                        http(),
                        "200",
                        HELLO,
                        new UrlCheck("/a", Optional.of(StatusSet.parse("200")), Optional.empty()));
        assertTrue(both.up(), both.reason());
        CheckResult r =
                run(
                        http(),
                        "200",
                        HELLO,
                        new UrlCheck("/a", Optional.empty(), Optional.empty()),
                        new UrlCheck("/b", Optional.of(StatusSet.parse("200")), Optional.empty()));
        assertFalse(r.up());
        assertEquals("checkurl /b: HTTP 500 not in httpstatus 200", r.reason());
        // a wrong digest on a further url fails it too
        CheckResult d =
                run(http(), null, null, new UrlCheck("/a", Optional.empty(), Optional.of(HELLO)));
        assertFalse(d.up());
        assertTrue(d.reason().startsWith("checkurl /a: HTTP 200, body digest "), d.reason());
        // the first failure ends the walk: /a is not asked when / fails
        wm.resetRequests();
        page("/", 404, "");
        assertFalse(
                run(http(), "200", null, new UrlCheck("/a", Optional.empty(), Optional.empty()))
                        .up());
        wm.verify(0, getRequestedFor(urlEqualTo("/a")));
    }

    @Test
    void httpsDigestAsSslGet() throws Exception {
        page("/", 200, "hello\n");
        Targets https = Targets.of(CheckType.NEGOTIATE, wm.httpsPort()).service(ServiceType.HTTPS);
        assertTrue(run(https, "200", HELLO).up());
        assertFalse(run(https, "200", "00000000000000000000000000000000").up());
    }

    @Test
    void statusSetsParseAsKeepalivedWritesThem() {
        StatusSet s = StatusSet.parse("200-299 400-499, 503");
        assertEquals("200-299,400-499,503", s.toString());
        assertTrue(s.contains(404) && s.contains(503) && s.contains(200));
        assertFalse(s.contains(300) || s.contains(502));
        for (String bad : List.of("", "2xx", "299-200", "99", "1000", "200-")) {
            try {
                StatusSet.parse(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertFalse(e.getMessage().isEmpty());
            }
        }
    }
}
