package org.ldirector.check.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ldirector.check.CheckResult;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.SharedCheckers;
import org.ldirector.check.Targets;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpMethod;
import org.ldirector.config.ServiceType;
import org.ldirector.net.RefusingPorts;

/** Every rule of ldirectord's check_http against a real HTTP(S) server (WireMock) on loopback. */
class HttpCheckTest {
    private static WireMockServer wm;
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();
    private static TestCerts.Cert realCert;
    private static TestCerts.Cert otherCert;

    @BeforeAll
    static void start() throws IOException {
        realCert = TestCerts.make("real", "real.example");
        otherCert = TestCerts.make("other", "other.example");
        wm =
                new WireMockServer(
                        wireMockConfig()
                                .bindAddress("127.0.0.1")
                                .dynamicPort()
                                .dynamicHttpsPort()
                                .keystorePath(realCert.keystore().toString())
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

    private static Targets http() {
        return Targets.of(CheckType.NEGOTIATE, wm.port()).service(ServiceType.HTTP);
    }

    @Test
    void getWithHostSetToTheRealsAddressWithoutPort() throws Exception {
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("ok")));
        CheckResult r = checkers.run(http());
        assertTrue(r.up(), r.reason());
        assertEquals("HTTP 200", r.reason());
        // ldirectord: HTTP::Headers("Host" => $$r{server}) — no port, even on a non-default one
        wm.verify(getRequestedFor(urlEqualTo("/")).withHeader("Host", equalTo("127.0.0.1")));
    }

    @Test
    void virtualhostIsTheHostHeader() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/"))
                        .withHeader("Host", equalTo("www.example.com"))
                        .willReturn(aResponse().withStatus(200)));
        assertTrue(checkers.run(http().virtualHost("www.example.com")).up());
        assertFalse(checkers.run(http()).up(), "the stub only answers for the virtual host");
    }

    @Test
    void requestPathIsAppendedToTheRealsUrl() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/health/check.html?x=1")).willReturn(aResponse().withStatus(200)));
        assertTrue(checkers.run(http().request("/health/check.html?x=1")).up());
    }

    @Test
    void headIsSentWhenConfigured() throws Exception {
        wm.stubFor(head(urlEqualTo("/")).willReturn(aResponse().withStatus(200)));
        CheckResult r = checkers.run(http().method(HttpMethod.HEAD));
        assertTrue(r.up(), r.reason());
        wm.verify(1, headRequestedFor(urlEqualTo("/")));
        wm.verify(0, getRequestedFor(urlEqualTo("/")));
    }

    @ParameterizedTest
    @CsvSource({
        "200,true,HTTP 200",
        "204,true,HTTP 204",
        "299,true,HTTP 299",
        "304,false,HTTP 304",
        "302,false,HTTP 302",
        "404,false,HTTP 404",
        "401,false,HTTP 401",
        "500,false,HTTP 500",
        "503,false,HTTP 503"
    })
    void onlyTwoHundredsAreUp(int status, boolean up, String reason) throws Exception {
        // a 302 without Location is not followed (LWP returns it), so it is down like any non-2xx
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(status)));
        CheckResult r = checkers.run(http());
        assertEquals(up, r.up(), r.reason());
        assertEquals(reason, r.reason());
    }

    @Test
    void receiveIsAnUnanchoredRegexOverTheBody() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/"))
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withBody("<html>all is well here</html>")));
        assertTrue(checkers.run(http().receive("is w.ll")).up());
        assertTrue(
                checkers.run(http().receive("well")).up(),
                "unanchored: a match in the middle counts");
        assertFalse(
                checkers.run(http().receive("^well")).up(),
                "anchors the operator wrote still apply");
        CheckResult miss = checkers.run(http().receive("broken"));
        assertFalse(miss.up());
        assertEquals("receive /broken/ not found in 29 bytes", miss.reason());
    }

    /** The two line-end cases of issue 26, with ldirectord's verdicts: receive is a Perl regex. */
    @Test
    void receiveHasPerlsMeaningOfDotAndDollar() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/cr"))
                        .willReturn(aResponse().withStatus(200).withBody("ok\rdone")));
        wm.stubFor(
                get(urlEqualTo("/crlf"))
                        .willReturn(aResponse().withStatus(200).withBody("test\r\n")));
        assertTrue(
                checkers.run(http().request("/cr").receive("ok.*done")).up(),
                "Perl's . matches \\r");
        assertFalse(
                checkers.run(http().request("/crlf").receive("^test$")).up(),
                "Perl's $ is not before a final \\r\\n");
    }

    @Test
    void receiveIsTestedOnlyOnSuccess() throws Exception {
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(500).withBody("ok")));
        CheckResult r = checkers.run(http().receive("ok"));
        assertFalse(r.up());
        assertEquals("HTTP 500", r.reason());
    }

    @Test
    void receiveOnAHeadIsMatchedAgainstTheEmptyBody() throws Exception {
        wm.stubFor(
                head(urlEqualTo("/"))
                        .willReturn(aResponse().withStatus(200).withHeader("X", "ok")));
        CheckResult r = checkers.run(http().method(HttpMethod.HEAD).receive("ok"));
        assertFalse(r.up());
        assertEquals("receive /ok/ not found in 0 bytes", r.reason());
    }

    private static void redirectChain(int hops) {
        for (int i = 0; i < hops; i++) {
            wm.stubFor(
                    get(urlEqualTo("/r" + i))
                            .willReturn(
                                    aResponse()
                                            .withStatus(i % 2 == 0 ? 302 : 301)
                                            .withHeader("Location", "/r" + (i + 1))));
        }
        wm.stubFor(
                get(urlEqualTo("/r" + hops))
                        .willReturn(aResponse().withStatus(200).withBody("landed")));
    }

    @Test
    void sevenRedirectsAreFollowed() throws Exception {
        redirectChain(7);
        CheckResult r = checkers.run(http().request("/r0").receive("landed"));
        assertTrue(r.up(), r.reason());
        assertTrue(r.reason().startsWith("HTTP 200 after 7 redirects"), r.reason());
        // LWP drops the Host header on a redirect: the next request's Host comes from its URL
        wm.verify(
                getRequestedFor(urlEqualTo("/r1"))
                        .withHeader("Host", equalTo("127.0.0.1:" + wm.port())));
    }

    @Test
    void theEighthRedirectIsDown() throws Exception {
        redirectChain(8);
        CheckResult r = checkers.run(http().request("/r0"));
        assertFalse(r.up());
        assertEquals("HTTP 301: more than 7 redirects", r.reason());
        wm.verify(0, getRequestedFor(urlEqualTo("/r8")));
    }

    @Test
    void slowResponseTimesOutAtNegotiatetimeout() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withFixedDelay(5000)));
        CheckResult r =
                checkers.run(http().timeouts(Duration.ofSeconds(10), Duration.ofMillis(800)));
        assertFalse(r.up());
        assertEquals("timeout after 0.8 s", r.reason());
        assertTrue(
                r.latency().toMillis() >= 750 && r.latency().toMillis() < 2000,
                "latency " + r.latency());
    }

    @Test
    void timeoutCoversTheWholeRedirectChain() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/a"))
                        .willReturn(
                                aResponse()
                                        .withStatus(302)
                                        .withHeader("Location", "/b")
                                        .withFixedDelay(500)));
        wm.stubFor(
                get(urlEqualTo("/b")).willReturn(aResponse().withStatus(200).withFixedDelay(500)));
        CheckResult r =
                checkers.run(
                        http().request("/a")
                                .timeouts(Duration.ofSeconds(10), Duration.ofMillis(800)));
        assertFalse(r.up(), "two 500 ms hops exceed one 800 ms budget");
        assertEquals("timeout after 0.8 s", r.reason());
    }

    @Test
    void unansweredConnectTimesOutAtNegotiatetimeout() throws Exception {
        // a listener with a full accept queue drops SYNs: the connect itself hangs (loopback only)
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at =
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
            try (var a = SocketChannel.open(at);
                    var b = SocketChannel.open(at)) {
                CheckResult r =
                        checkers.run(
                                Targets.of(CheckType.NEGOTIATE, s.getLocalPort())
                                        .service(ServiceType.HTTP)
                                        .timeouts(Duration.ofSeconds(10), Duration.ofMillis(700)));
                assertFalse(r.up());
                assertEquals("timeout after 0.7 s", r.reason());
                assertTrue(
                        r.latency().toMillis() >= 650 && r.latency().toMillis() < 2000,
                        "latency " + r.latency());
            }
        }
    }

    @Test
    void bodyBytesAreMatchedOneCharPerByte() throws Exception {
        // LWP's content is raw bytes: a UTF-8 "é" is two bytes, so "caf..$" matches it, "caf.$"
        // does not
        wm.stubFor(
                get(urlEqualTo("/"))
                        .willReturn(
                                aResponse()
                                        .withStatus(200)
                                        .withBody("caf\u00e9".getBytes(StandardCharsets.UTF_8))));
        assertTrue(checkers.run(http().receive("caf..$")).up());
        assertFalse(checkers.run(http().receive("caf.$")).up());
    }

    @Test
    void connectionRefused() throws Exception {
        int port = RefusingPorts.reserve();
        CheckResult r =
                checkers.run(Targets.of(CheckType.NEGOTIATE, port).service(ServiceType.HTTP));
        assertFalse(r.up());
        assertEquals("connect refused", r.reason());
    }

    private static Targets https() {
        return Targets.of(CheckType.NEGOTIATE, wm.httpsPort()).service(ServiceType.HTTPS);
    }

    @Test
    void httpsDoesNotVerifyTheCertificateByDefault() throws Exception {
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("secure")));
        CheckResult r = checkers.run(https().receive("secure"));
        assertTrue(r.up(), r.reason());
    }

    @Test
    void verificationSucceedsWithTheRightCaAndName() throws Exception {
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(200)));
        CheckResult r = checkers.run(https().verify(realCert.pem(), "real.example"));
        assertTrue(r.up(), r.reason());
    }

    @Test
    void verificationFailsWithAnotherCa() throws Exception {
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(200)));
        CheckResult r = checkers.run(https().verify(otherCert.pem(), "real.example"));
        assertFalse(r.up());
        assertTrue(r.reason().startsWith("TLS handshake failed"), r.reason());
    }

    @Test
    void verificationFailsWhenTheNameDoesNotMatch() throws Exception {
        wm.stubFor(get(urlEqualTo("/")).willReturn(aResponse().withStatus(200)));
        CheckResult r = checkers.run(https().verify(realCert.pem(), "wrong.example"));
        assertFalse(r.up(), r.reason());
        assertTrue(
                r.reason().contains("wrong.example") || r.reason().startsWith("TLS"), r.reason());
    }

    @Test
    void unreadableCaFileIsADownResultNamingTheFile() throws Exception {
        CheckResult r = checkers.run(https().verify(Path.of("/nonexistent/ca.pem"), null));
        assertFalse(r.up());
        assertTrue(r.reason().contains("/nonexistent/ca.pem"), r.reason());
    }

    @Test
    void httpProxyRequestsTheAbsoluteUrlThroughTheReal() throws Exception {
        wm.stubFor(
                get(urlEqualTo("/proxied"))
                        .withHeader("Host", equalTo("origin.example"))
                        .willReturn(aResponse().withStatus(200).withBody("via proxy")));
        CheckResult r =
                checkers.run(
                        Targets.of(CheckType.NEGOTIATE, wm.port())
                                .service(ServiceType.HTTP_PROXY)
                                .request("/http://origin.example/proxied")
                                .receive("via"));
        assertTrue(r.up(), r.reason());
        assertEquals(1, wm.getAllServeEvents().size());
        assertTrue(
                wm.getAllServeEvents()
                        .get(0)
                        .getRequest()
                        .getAbsoluteUrl()
                        .contains("origin.example"));
    }

    @Test
    void urlFollowsLdirectordsRule() {
        Targets t = Targets.of(CheckType.NEGOTIATE, 8080).service(ServiceType.HTTP);
        assertEquals(
                "http://127.0.0.1:8080/index.html",
                HttpCheck.url(t.request("/index.html").target(), 8080));
        assertEquals(
                "https://127.0.0.1:8443/",
                HttpCheck.url(t.service(ServiceType.HTTPS).target(), 8443));
        assertEquals(
                "http://[::1]:80/x",
                HttpCheck.url(t.real(Targets.address("::1"), 80, 80).request("/x").target(), 80));
        assertEquals(
                "http://127.0.0.1:8080/http://other/y",
                HttpCheck.url(t.request("/http://other/y").target(), 8080),
                "a virtual's request is always a path on the real");
        assertEquals(
                "http://other/y",
                HttpCheck.url(perReal(t, "http://other/y"), 8080),
                "a per-real request naming a URL is that URL");
        assertEquals("http://127.0.0.1:8080/z", HttpCheck.url(perReal(t, "/z"), 8080));
        assertEquals(
                "http://origin/p",
                HttpCheck.url(
                        t.service(ServiceType.HTTP_PROXY).request("/http://origin/p").target(),
                        3128));
    }

    /** A target whose real has its own request (ldirectord's real=... "request", "receive"). */
    private static ProbeTarget perReal(Targets t, String request) {
        ProbeTarget v = t.target();
        return new ProbeTarget(
                v.spec(),
                v.protocol(),
                v.family(),
                v.virtualAddress(),
                v.virtualPort(),
                v.realAddress(),
                v.realPort(),
                v.checkPort(),
                request,
                v.receive());
    }
}
