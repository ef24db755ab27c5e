package org.ldirector.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.DaemonState;

class MetricsEndpointTest {
    @TempDir Path dir;

    private final List<String> log = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private Config config(String text) throws Exception {
        Path f = dir.resolve("ldirectord.cf");
        Files.writeString(f, text);
        return ConfigParser.parse(f);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path, String method) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutTheDirectiveNoPortIsOpened() throws Exception {
        try (MetricsEndpoint e = new MetricsEndpoint(new Metrics("dev"), log::add)) {
            e.configured(config("checkinterval=5\n"));
            assertEquals(Optional.empty(), e.address());
            assertEquals(List.of(), log);
        }
    }

    @Test
    void servesMetricsOnLoopbackOnlyAtSlashMetricsAndFollowsReloads() throws Exception {
        Metrics metrics = new Metrics("9.9");
        int port = freePort();
        try (MetricsEndpoint e = new MetricsEndpoint(metrics, log::add)) {
            e.configured(config("metrics=" + port + "\n"));
            assertEquals("/127.0.0.1:" + port, e.address().orElseThrow().toString());
            assertEquals(List.of("Metrics on http://127.0.0.1:" + port + "/metrics"), log);

            HttpResponse<String> r = get(port, "/metrics", "GET");
            assertEquals(200, r.statusCode());
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(r.body().contains("ldirector_build_info{version=\"9.9\"} 1\n"), r.body());
            assertEquals(404, get(port, "/", "GET").statusCode());
            assertEquals(404, get(port, "/metrics/x", "GET").statusCode());
            assertEquals(405, get(port, "/metrics", "POST").statusCode());

            // a reload that moves the endpoint closes the old port and opens the new one
            int other = freePort();
            e.configured(config("metrics=127.0.0.1:" + other + "\n"));
            assertEquals(200, get(other, "/metrics", "GET").statusCode());
            assertTrue(refused(port), "the old port is closed");
            // one without the directive closes it
            e.configured(config("checkinterval=5\n"));
            assertEquals(Optional.empty(), e.address());
            assertTrue(refused(other));
        }
    }

    @Test
    void aPortInUseIsLoggedAndTheDirectorCarriesOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                MetricsEndpoint e = new MetricsEndpoint(new Metrics("dev"), log::add)) {
            e.configured(config("metrics=" + taken.getLocalPort() + "\n"));
            assertEquals(Optional.empty(), e.address());
            assertEquals(1, log.size());
            assertTrue(
                    log.get(0)
                            .startsWith(
                                    "Error: cannot serve metrics on 127.0.0.1:"
                                            + taken.getLocalPort()
                                            + ": "),
                    log.get(0));
        }
    }

    @Test
    void stoppingClosesThePort() throws Exception {
        int port = freePort();
        try (MetricsEndpoint e = new MetricsEndpoint(new Metrics("dev"), log::add)) {
            e.configured(config("metrics=" + port + "\n"));
            e.daemonState(DaemonState.STOPPING);
            assertEquals(Optional.empty(), e.address());
            assertTrue(refused(port));
        }
    }

    /**
     * The JDK HttpServer this replaced read each request head on its one executor thread, so one
     * connection that sent half a header stopped every scrape until it went away.
     */
    @Test
    void slowlorisClientsDoNotDelayScrapes() throws Exception {
        int port = freePort();
        List<Socket> slow = new ArrayList<>();
        try (MetricsEndpoint e = new MetricsEndpoint(new Metrics("dev"), log::add)) {
            e.configured(config("metrics=" + port + "\n"));
            // more half-sent requests than the server has connection slots
            for (int i = 0; i < ScrapeServer.MAX_CONNECTIONS + 8; i++) {
                Socket s = new Socket("127.0.0.1", port);
                slow.add(s);
                s.getOutputStream()
                        .write(
                                "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo"
                                        .getBytes());
                s.getOutputStream().flush();
            }
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                String answer = rawScrape(port, Duration.ofSeconds(1));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
                assertTrue(answer.contains("ldirector_build_info{version=\"dev\"} 1\n"), answer);
                assertTrue(millis < 1000, "scrape " + i + " took " + millis + " ms");
                // a slow client that keeps trickling bytes, as a slowloris does
                slow.get(slow.size() - 1).getOutputStream().write('x');
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * A Prometheus-style scrape over a plain socket: the whole answer, or a failure after {@code
     * timeout}.
     */
    static String rawScrape(int port, Duration timeout) throws Exception {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            c.setSoTimeout((int) timeout.toMillis());
            c.getOutputStream()
                    .write(
                            ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:"
                                            + port
                                            + "\r\n"
                                            + "Accept: text/plain;version=0.0.4\r\n"
                                            + "User-Agent: Prometheus/2.53.0\r\n\r\n")
                                    .getBytes());
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException expected) {
            return true;
        }
    }
}
