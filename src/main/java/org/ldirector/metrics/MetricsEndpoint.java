package org.ldirector.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.ldirector.config.Config;
import org.ldirector.config.DaemonState;
import org.ldirector.engine.EngineListener;
import org.ldirector.net.InetText;

/**
 * Serves {@link Metrics} on {@code metrics=} with the JDK's HTTP server, one thread, GET
 * {@code /metrics} only. It follows the config: a reload that sets, changes or removes
 * {@code metrics=} opens, moves or closes the port; without it no port is ever opened.
 */
public final class MetricsEndpoint implements EngineListener, AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Metrics metrics;
    private final Consumer<String> log;
    private HttpServer server;
    private ExecutorService executor;
    private Optional<InetSocketAddress> bound = Optional.empty();

    /** @param log the operator log, for the one line a failed bind gets */
    public MetricsEndpoint(Metrics metrics, Consumer<String> log) {
        this.metrics = metrics;
        this.log = log;
    }

    @Override
    public synchronized void configured(Config config) {
        Optional<InetSocketAddress> want = config.global().metrics();
        if (want.equals(bound)) {
            return;
        }
        close();
        if (want.isEmpty()) {
            return;
        }
        try {
            open(want.get());
            bound = want;
            log.accept("Metrics on http://" + text(server.getAddress()) + "/metrics");
        } catch (IOException e) {
            // The director works without its metrics: say so once and carry on.
            log.accept("Error: cannot serve metrics on " + text(want.get()) + ": " + e.getMessage());
            close();
        }
    }

    @Override
    public void daemonState(DaemonState state) {
        if (state == DaemonState.STOPPING) {
            close();
        }
    }

    /** Where it listens (the real port when configured as 0), for tests and the log. */
    public synchronized Optional<InetSocketAddress> address() {
        return server == null ? Optional.empty() : Optional.of(server.getAddress());
    }

    private void open(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 16);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ldirector-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics\n");
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            } else {
                reply(exchange, 200, CONTENT_TYPE, metrics.scrape());
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String text(InetSocketAddress a) {
        return InetText.withPort(a.getAddress(), a.getPort());
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
            executor = null;
        }
        bound = Optional.empty();
    }
}
