package org.ldirector.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Consumer;
import org.ldirector.config.Config;
import org.ldirector.config.DaemonState;
import org.ldirector.engine.EngineListener;
import org.ldirector.net.InetText;

/**
 * Serves {@link Metrics} on {@code metrics=} with a {@link ScrapeServer}: one thread, GET and HEAD
 * {@code /metrics} only, every connection bounded in size and time so a slow client cannot stall a
 * scrape. It follows the config: a reload that sets, changes or removes {@code metrics=} opens,
 * moves or closes the port; without it no port is ever opened.
 */
public final class MetricsEndpoint implements EngineListener, AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Metrics metrics;
    private final Consumer<String> log;
    private ScrapeServer server;
    private Optional<InetSocketAddress> bound = Optional.empty();

    /**
     * @param log the operator log, for the one line a failed bind gets
     */
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
            log.accept("Metrics on http://" + text(server.address()) + "/metrics");
        } catch (IOException e) {
            // The director works without its metrics: say so once and carry on.
            log.accept(
                    "Error: cannot serve metrics on " + text(want.get()) + ": " + e.getMessage());
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
        try {
            return server == null ? Optional.empty() : Optional.of(server.address());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void open(InetSocketAddress address) throws IOException {
        server =
                new ScrapeServer(
                        address,
                        metrics::scrape,
                        r -> {
                            Thread t = new Thread(r, "ldirector-metrics");
                            t.setDaemon(true);
                            return t;
                        });
    }

    private static String text(InetSocketAddress a) {
        return InetText.withPort(a.getAddress(), a.getPort());
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
        bound = Optional.empty();
    }
}
