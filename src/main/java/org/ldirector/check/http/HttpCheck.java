package org.ldirector.check.http;

import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.util.Timeout;
import org.ldirector.check.AnswerBudget;
import org.ldirector.check.BoundedMatch;
import org.ldirector.check.CheckContext;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;
import org.ldirector.config.HttpExpect;
import org.ldirector.config.PerlRegex;
import org.ldirector.config.ServiceType;
import org.ldirector.config.StatusSet;
import org.ldirector.config.UrlCheck;
import org.ldirector.net.InetText;

/**
 * ldirectord's {@code check_http} for http, https and http_proxy, on the shared non-blocking
 * client: GET or HEAD of {@code scheme://real:checkport/request}, {@code Host:} = virtualhost else
 * the real's address (no port, as ldirectord sets it), up when the final status is 2xx and {@code
 * receive} (an unanchored regular expression) occurs in the body. Redirects are followed as
 * LWP::UserAgent does: up to 7, Host and Cookie headers dropped on each hop. negotiatetimeout
 * bounds the whole exchange, redirects included (ldirectord arms one alarm around {@code
 * $ua->request}).
 *
 * <p>The body is searched for receive on the context's match executor, never on the probe loop that
 * read it, under the context's {@link BoundedMatch} limit; the bytes an answer holds count against
 * the context's {@link AnswerBudget} until the probe's verdict is made.
 */
public final class HttpCheck implements Checker {
    /**
     * LWP::UserAgent's max_redirect: the 8th redirect response is returned as the result (down).
     */
    static final int MAX_REDIRECTS = 7;

    /** LWP reads the whole body; a cap keeps thousands of probes of a misbehaving real bounded. */
    static final int BODY_LIMIT = 4 << 20;

    private final CheckContext ctx;
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    public HttpCheck(CheckContext ctx) {
        this.ctx = ctx;
    }

    /** What one URL's answer must be: httpstatus= (empty: ldirectord's rule) and httpdigest=. */
    private record Expect(Optional<StatusSet> status, Optional<String> digest) {}

    /**
     * The check's own request, then each {@code checkurl=} in turn (keepalived's several urls per
     * HTTP_GET): the first URL that fails is the verdict, and the latency is the sum.
     */
    @Override
    public CompletableFuture<CheckResult> check(ProbeTarget t) {
        HttpExpect e = t.spec().http();
        CompletableFuture<CheckResult> first = one(t, new Expect(e.status(), e.digest()));
        if (e.more().isEmpty()) {
            return first;
        }
        CompletableFuture<CheckResult> chain = first;
        for (UrlCheck u : e.more()) {
            chain =
                    chain.thenCompose(
                            r -> {
                                if (!r.up()) {
                                    return CompletableFuture.completedFuture(r);
                                }
                                return one(
                                                withRequest(t, u.path()),
                                                new Expect(u.status(), u.digest()))
                                        .thenApply(
                                                n ->
                                                        new CheckResult(
                                                                n.up(),
                                                                r.latency().plus(n.latency()),
                                                                n.up()
                                                                        ? r.reason()
                                                                                + "; "
                                                                                + u.path()
                                                                                + ": "
                                                                                + n.reason()
                                                                        : "checkurl "
                                                                                + u.path()
                                                                                + ": "
                                                                                + n.reason()));
                            });
        }
        return chain;
    }

    /** {@code t} asking {@code path} (ldirectord's leading "/" added) with no receive. */
    static ProbeTarget withRequest(ProbeTarget t, String path) {
        String request = path.startsWith("/") || path.contains("://") ? path : "/" + path;
        return new ProbeTarget(
                t.spec(),
                t.protocol(),
                t.family(),
                t.virtualAddress(),
                t.virtualPort(),
                t.realAddress(),
                t.realPort(),
                t.checkPort(),
                request,
                "",
                t.fwmark(),
                t.writtenRealPort());
    }

    private CompletableFuture<CheckResult> one(ProbeTarget t, Expect expect) {
        CompletableFuture<CheckResult> result = new CompletableFuture<>();
        try {
            begin(t, expect, result);
        } catch (RuntimeException e) {
            // a bug here is still a down result, never a lost probe
            result.complete(
                    CheckResult.down(
                            Duration.ZERO,
                            "http: "
                                    + e.getClass().getSimpleName()
                                    + ": "
                                    + Reasons.quote(e.getMessage())));
        }
        return result;
    }

    private void begin(ProbeTarget t, Expect expect, CompletableFuture<CheckResult> result) {
        ServiceType service = t.spec().service();
        int port = t.checkPort().orElse(0);
        if (port <= 0) {
            result.complete(
                    CheckResult.down(
                            Duration.ZERO,
                            service.keyword() + ": no port to check (set checkport)"));
            return;
        }
        Pattern receive;
        try {
            receive =
                    t.receive().isEmpty()
                            ? null
                            : patterns.computeIfAbsent(t.receive(), PerlRegex::compileConfigured);
        } catch (PatternSyntaxException e) {
            result.complete(
                    CheckResult.down(
                            Duration.ZERO,
                            "receive /" + t.receive() + "/ is not a valid regular expression"));
            return;
        }
        URI url;
        try {
            url = new URI(url(t, port));
        } catch (URISyntaxException e) {
            result.complete(
                    CheckResult.down(
                            Duration.ZERO,
                            service.keyword() + ": bad URL " + Reasons.quote(e.getInput())));
            return;
        }
        Exchange x = new Exchange(t, receive, expect, t.spec().negotiateTimeout(), result);
        if (service == ServiceType.HTTP && "http".equalsIgnoreCase(url.getScheme())) {
            x.onLoop(url);
        } else {
            x.start = ctx.nanoTime();
            x.send(url, 0, true);
        }
    }

    /**
     * ldirectord's {@code $$r{url}}: one leading "/" of request is dropped, then the URL is {@code
     * scheme://server:port/request}. The request is the URL itself for http_proxy (whose request is
     * absolute), and for a per-real request that contains "scheme://" anywhere (ldirectord's
     * unanchored test; a virtual's own request never gets that treatment).
     */
    static String url(ProbeTarget t, int port) {
        ServiceType service = t.spec().service();
        String schema = service == ServiceType.HTTPS ? "https" : "http";
        String uri = t.request().startsWith("/") ? t.request().substring(1) : t.request();
        boolean perReal = !t.request().equals(t.spec().request());
        if (perReal ? t.request().contains(schema + "://") : service == ServiceType.HTTP_PROXY) {
            return uri;
        }
        return schema + "://" + InetText.bracketed(t.realAddress()) + ":" + port + "/" + uri;
    }

    /** One probe's walk through its redirects. */
    private final class Exchange {
        private final ProbeTarget t;
        private final Pattern receive;
        private final Expect expect;
        private final Duration timeout;
        private final CompletableFuture<CheckResult> result;
        private final AtomicReference<Future<?>> inFlight = new AtomicReference<>();

        /**
         * From the check's call, or from the connect when the first request runs on the probe loop.
         */
        private volatile long start;

        /**
         * The probe loop's measure of the first request, while the answer being judged is that one.
         */
        private volatile Duration onLoop;

        private volatile boolean armed;

        /** The budget shares this probe's answers hold, returned when its verdict is made. */
        private final Queue<AnswerBudget.Hold> holds = new ConcurrentLinkedQueue<>();

        Exchange(
                ProbeTarget t,
                Pattern receive,
                Expect expect,
                Duration timeout,
                CompletableFuture<CheckResult> result) {
            this.t = t;
            this.receive = receive;
            this.expect = expect;
            this.timeout = timeout;
            this.result = result;
            // a backstop: every path ends in finish(), which returns the shares first
            result.whenComplete((r, e) -> releaseHolds());
        }

        /**
         * Takes on an answer's share of the budget; returned at once if the verdict is already
         * made.
         */
        void adopt(AnswerBudget.Hold h) {
            if (h != null) {
                holds.add(h);
                if (result.isDone()) {
                    releaseHolds();
                }
            }
        }

        private void releaseHolds() {
            AnswerBudget.Hold h;
            while ((h = holds.poll()) != null) {
                h.release();
            }
        }

        /**
         * The first request on the shared probe loop (plain http to the real itself, the common
         * case): no thread hand-off, and the timeout counts from the connect, so a busy director
         * probes late instead of timing healthy reals out. A redirect continues on the HTTP client.
         */
        void onLoop(URI url) {
            ctx.probeLoop()
                    .submit(
                            new LoopHttpSession(
                                    new InetSocketAddress(t.realAddress(), portOf(url)),
                                    timeout.toNanos(),
                                    t.spec().httpMethod().name(),
                                    pathOf(url),
                                    firstHost(),
                                    ctx.answerBudget(),
                                    new LoopHttpSession.Listener() {
                                        @Override
                                        public void started(long at) {
                                            start = at;
                                        }

                                        @Override
                                        public void answered(Answer a, Duration elapsed) {
                                            onLoop = elapsed;
                                            adopt(a.hold());
                                            Exchange.this.answered(url, a, 0);
                                        }

                                        @Override
                                        public void failed(Exception e, Duration elapsed) {
                                            finish(CheckResult.down(elapsed, reason(e)));
                                        }

                                        @Override
                                        public void timedOut(Duration elapsed) {
                                            finish(
                                                    CheckResult.down(
                                                            elapsed, Reasons.timeout(timeout)));
                                        }
                                    }));
        }

        /**
         * negotiatetimeout bounds the whole exchange: one alarm, armed with the first request the
         * client sends.
         */
        private void arm() {
            if (armed) {
                return;
            }
            armed = true;
            long left = start + timeout.toNanos() - ctx.nanoTime();
            ScheduledFuture<?> alarm =
                    ctx.timer()
                            .schedule(
                                    () -> {
                                        // the verdict first, then abort: a slow teardown can never
                                        // make the result late
                                        releaseHolds();
                                        if (result.complete(
                                                CheckResult.down(
                                                        elapsed(), Reasons.timeout(timeout)))) {
                                            abort();
                                        }
                                    },
                                    Math.max(0, left),
                                    TimeUnit.NANOSECONDS);
            result.whenComplete((r, e) -> alarm.cancel(false));
        }

        void abort() {
            Future<?> f = inFlight.get();
            if (f != null) {
                f.cancel(true);
            }
        }

        void send(URI url, int redirects, boolean first) {
            onLoop = null; // from here the HTTP client's exchange: measured by the check's clock
            if (result.isDone()) {
                return;
            }
            arm();
            CloseableHttpAsyncClient client;
            try {
                client = ctx.httpClient(t.spec().httpsCaFile());
            } catch (Exception e) {
                finish(
                        CheckResult.down(
                                Duration.ZERO,
                                "https: cannot use CA file "
                                        + t.spec().httpsCaFile().map(Object::toString).orElse("")
                                        + ": "
                                        + Reasons.quote(e.getMessage())));
                return;
            }
            SimpleHttpRequest req;
            boolean proxied = t.spec().service() == ServiceType.HTTP_PROXY;
            HttpHost target;
            try {
                target = targetOf(url, first && !proxied);
            } catch (IllegalArgumentException e) {
                finish(CheckResult.down(elapsed(), "bad URL " + Reasons.quote(url.toString())));
                return;
            }
            req = new SimpleHttpRequest(t.spec().httpMethod().name(), target, pathOf(url));
            if (first && !proxied) {
                // ldirectord sets Host to the bare name, without the port; LWP drops it on
                // redirects
                req.setHeader("Host", firstHost());
            } else {
                // as LWP (and RFC 9110): the URL's host, with its port only when not the scheme's
                // default
                boolean defaultPort =
                        url.getPort() < 0
                                || url.getPort()
                                        == ("https".equals(target.getSchemeName()) ? 443 : 80);
                req.setHeader("Host", url.getHost() + (defaultPort ? "" : ":" + url.getPort()));
            }
            // LWP's "Connection: TE, close": every check is its own connection, closed by the
            // server
            req.setHeader("Connection", "close");
            long left =
                    Math.max(
                            1,
                            TimeUnit.NANOSECONDS.toMillis(
                                    start + timeout.toNanos() - ctx.nanoTime()));
            RequestConfig.Builder cfg =
                    RequestConfig.custom()
                            .setResponseTimeout(Timeout.ofMilliseconds(left))
                            .setConnectionRequestTimeout(Timeout.ofMilliseconds(left));
            setConnectTimeout(cfg, left);
            if (proxied) {
                setProxy(
                        cfg,
                        new HttpHost(
                                "http",
                                t.realAddress(),
                                InetText.bracketed(t.realAddress()),
                                t.checkPort().orElse(0)));
            }
            HttpClientContext context = HttpClientContext.create();
            context.setRequestConfig(cfg.build());
            // the explicit target carries the real's address: no DNS, and its name is only for TLS
            // (SNI, verification)
            Future<Answer> f =
                    client.execute(
                            target,
                            SimpleRequestProducer.create(req),
                            new CappedConsumer(ctx.answerBudget(), this::adopt),
                            null,
                            context,
                            new FutureCallback<>() {
                                @Override
                                public void completed(Answer a) {
                                    answered(url, a, redirects);
                                }

                                @Override
                                public void failed(Exception e) {
                                    finish(CheckResult.down(elapsed(), reason(e)));
                                }

                                @Override
                                public void cancelled() {
                                    finish(
                                            CheckResult.down(
                                                    elapsed(),
                                                    Reasons.timeout(t.spec().negotiateTimeout())));
                                }
                            });
            inFlight.set(f);
            if (result.isDone()) {
                f.cancel(true);
            }
        }

        /**
         * ldirectord's Host of the first request: virtualhost, else the real's address without the
         * port.
         */
        private String firstHost() {
            return t.spec().virtualHost().orElse(InetText.bracketed(t.realAddress()));
        }

        /**
         * The real itself for the first hop (no DNS, the SNI name if configured); a redirect's host
         * as written.
         */
        private HttpHost targetOf(URI url, boolean real) {
            int port = portOf(url);
            String scheme =
                    url.getScheme() == null ? "http" : url.getScheme().toLowerCase(Locale.ROOT);
            if (real) {
                String name =
                        t.spec()
                                .httpsSniName()
                                .orElse(
                                        InetText.bracketed(t.realAddress())
                                                .replace("[", "")
                                                .replace("]", ""));
                return new HttpHost(scheme, t.realAddress(), name, port);
            }
            String host = url.getHost();
            if (host == null) {
                throw new IllegalArgumentException("no host in " + url);
            }
            // -1 keeps a default port out of the absolute request line a proxy sees, as LWP writes
            // it
            return new HttpHost(
                    scheme,
                    host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
                    url.getPort());
        }

        private void answered(URI url, Answer a, int redirects) {
            int code = a.code();
            // LWP redirects GET and HEAD (requests_redirectable), the only methods ldirectord
            // sends;
            // with httpstatus= the first answer is the one judged, as keepalived judges it
            if (isRedirect(code) && a.location() != null && expect.status().isEmpty()) {
                if (redirects >= MAX_REDIRECTS) {
                    finish(
                            CheckResult.down(
                                    elapsed(),
                                    "HTTP "
                                            + code
                                            + ": more than "
                                            + MAX_REDIRECTS
                                            + " redirects"));
                    return;
                }
                URI next;
                try {
                    next = url.resolve(new URI(a.location().trim()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    finish(
                            CheckResult.down(
                                    elapsed(),
                                    "HTTP "
                                            + code
                                            + ": bad Location "
                                            + Reasons.quote(a.location())));
                    return;
                }
                String scheme =
                        next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
                if (scheme.equals("http") || scheme.equals("https")) {
                    releaseHolds(); // this answer's body is done with
                    send(next, redirects + 1, false);
                    return;
                }
            }
            if (expect.status().isPresent()
                    ? !expect.status().get().contains(code)
                    : code < 200 || code > 299) {
                finish(
                        CheckResult.down(
                                elapsed(),
                                "HTTP "
                                        + code
                                        + expect.status()
                                                .map(st -> " not in httpstatus " + st)
                                                .orElse("")));
                return;
            }
            String after =
                    redirects == 0
                            ? ""
                            : " after " + redirects + (redirects == 1 ? " redirect" : " redirects");
            if (receive == null && expect.digest().isEmpty()) {
                finish(CheckResult.up(elapsed(), "HTTP " + code + after));
                return;
            }
            // never on the probe loop: what a regex or a digest costs depends on the real's bytes
            try {
                ctx.matching().execute(() -> match(a, code, after));
            } catch (RejectedExecutionException e) {
                finish(
                        CheckResult.down(
                                elapsed(), "receive: too many answers waiting to be matched"));
            }
        }

        private void match(Answer a, int code, String after) {
            if (result.isDone()) {
                return; // timed out while waiting for a matcher
            }
            if (expect.digest().isPresent()) {
                if (a.truncated()) {
                    finish(
                            CheckResult.down(
                                    elapsed(),
                                    "httpdigest: body cut at "
                                            + a.length()
                                            + " bytes"
                                            + (a.budgetCut() ? " (answer budget in use)" : "")
                                            + ", its digest cannot be checked"));
                    return;
                }
                String got = md5(a.body(), a.offset(), a.length());
                if (!got.equals(expect.digest().get())) {
                    finish(
                            CheckResult.down(
                                    elapsed(),
                                    "HTTP "
                                            + code
                                            + after
                                            + ", body digest "
                                            + got
                                            + ", expected "
                                            + expect.digest().get()));
                    return;
                }
                if (receive == null) {
                    finish(CheckResult.up(elapsed(), "HTTP " + code + after + ", digest " + got));
                    return;
                }
            }
            BoundedMatch.Found found;
            try {
                // LWP's content is bytes; each byte is one char (ISO-8859-1) so the regex sees the
                // same units
                found = ctx.match().find(receive, a.body(), a.offset(), a.length(), a.truncated());
            } catch (RuntimeException e) {
                finish(
                        CheckResult.down(
                                elapsed(),
                                "receive: "
                                        + e.getClass().getSimpleName()
                                        + ": "
                                        + Reasons.quote(e.getMessage())));
                return;
            }
            switch (found) {
                case YES ->
                        finish(
                                CheckResult.up(
                                        elapsed(),
                                        "HTTP "
                                                + code
                                                + after
                                                + ", receive /"
                                                + t.receive()
                                                + "/ found"));
                case NO ->
                        finish(
                                CheckResult.down(
                                        elapsed(),
                                        "receive /"
                                                + t.receive()
                                                + "/ not found in "
                                                + a.length()
                                                + " bytes"
                                                + (a.budgetCut()
                                                        ? " (body cut at "
                                                                + a.length()
                                                                + " bytes: answer budget in use)"
                                                        : a.truncated()
                                                                ? " (body cut at "
                                                                        + a.length()
                                                                        + " bytes)"
                                                                : "")));
                case TOO_SLOW, TOO_DEEP ->
                        finish(CheckResult.down(elapsed(), ctx.match().reason(found, a.length())));
            }
        }

        private void finish(CheckResult r) {
            releaseHolds();
            result.complete(r);
        }

        /**
         * Since the start: as the probe loop measured it for its answer (no clock reading of our
         * own), else now.
         */
        private Duration elapsed() {
            Duration d = onLoop;
            return d != null ? d : ctx.since(start);
        }

        private String reason(Exception e) {
            Throwable c = e;
            for (int i = 0; i < 8 && c != null; i++, c = c.getCause()) {
                String name = c.getClass().getSimpleName();
                if (c instanceof SocketTimeoutException || name.contains("Timeout")) {
                    return Reasons.timeout(t.spec().negotiateTimeout());
                }
                Optional<String> connect = Reasons.connectFailure(c);
                if (connect.isPresent()) {
                    return connect.get();
                }
                if (c instanceof UnknownHostException) {
                    return "unknown host " + Reasons.quote(c.getMessage());
                }
                if (c instanceof SSLException) {
                    return "TLS handshake failed: " + Reasons.quote(c.getMessage());
                }
            }
            return t.spec().service().keyword()
                    + ": "
                    + e.getClass().getSimpleName()
                    + ": "
                    + Reasons.quote(e.getMessage());
        }
    }

    /** The MD5 of a body as lowercase hex: keepalived's HTTP_GET digest, what genhash prints. */
    public static String md5(byte[] body, int offset, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(body, offset, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }

    /** The URL's port, else its scheme's. */
    private static int portOf(URI url) {
        return url.getPort() > 0
                ? url.getPort()
                : ("https".equalsIgnoreCase(url.getScheme()) ? 443 : 80);
    }

    private static String pathOf(URI url) {
        String path =
                url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    @SuppressWarnings("deprecation")
    private static void setConnectTimeout(RequestConfig.Builder b, long millis) {
        // per request, because each probe has its own deadline; ConnectionConfig is per pool
        b.setConnectTimeout(Timeout.ofMilliseconds(millis));
    }

    @SuppressWarnings("deprecation")
    private static void setProxy(RequestConfig.Builder b, HttpHost proxy) {
        // ldirectord: $ua->proxy("http", "http://real:port/"), so the request line carries the
        // absolute URL
        b.setProxy(proxy);
    }

    /**
     * The status, the Location header and the first {@link #BODY_LIMIT} bytes of the body: {@code
     * length} bytes of {@code body} from {@code offset}; {@code hold} is the budget share those
     * bytes count against (null within the allowance).
     */
    record Answer(
            int code,
            String location,
            byte[] body,
            int offset,
            int length,
            boolean truncated,
            AnswerBudget.Hold hold,
            boolean budgetCut) {
        Answer(
                int code,
                String location,
                byte[] body,
                int offset,
                int length,
                boolean truncated,
                AnswerBudget.Hold hold) {
            this(code, location, body, offset, length, truncated, hold, false);
        }
    }

    /**
     * The body as the HTTP client delivers it (https, proxies, redirects), into one array. Past
     * {@link AnswerBudget#ALLOWANCE} it takes from the budget all the body can still need, at once;
     * when the budget has not that much free, the body is kept to its allowance and the rest read
     * and dropped (the client's consumer cannot hold the real back as the probe loop does), and the
     * reason says so. A cut body is judged as a prefix: a match that needs the end of the input
     * ({@code ok$}) does not count, one inside it does.
     */
    private static final class CappedConsumer extends AbstractBinResponseConsumer<Answer> {
        private final AnswerBudget budget;
        private final Consumer<AnswerBudget.Hold> adopt;
        private AnswerBudget.Hold hold;
        private boolean refused;
        private int code;
        private String location;
        private long declared = -1;
        private byte[] buf = new byte[0];
        private int len;
        private boolean truncated;

        CappedConsumer(AnswerBudget budget, Consumer<AnswerBudget.Hold> adopt) {
            this.budget = budget;
            this.adopt = adopt;
        }

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
            code = response.getCode();
            Header h = response.getFirstHeader("Location");
            location = h == null ? null : h.getValue();
            Header cl = response.getFirstHeader("Content-Length");
            try {
                declared = cl == null ? -1 : Long.parseLong(cl.getValue().trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
        }

        @Override
        protected int capacityIncrement() {
            return 64 * 1024;
        }

        /** What the body may keep: the cap, within the allowance until it has a share. */
        private int cap() {
            long share =
                    hold == null
                            ? AnswerBudget.ALLOWANCE
                            : Math.max(AnswerBudget.ALLOWANCE, hold.bytes());
            return (int) Math.min(BODY_LIMIT, share);
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) {
            if (len + src.remaining() > cap() && hold == null && !refused) {
                long want = declared >= 0 ? Math.min(declared, BODY_LIMIT) : BODY_LIMIT;
                hold = budget.tryTake(want);
                refused = hold == null;
                adopt.accept(hold);
            }
            int cap = cap();
            int n = Math.min(src.remaining(), cap - len);
            if (n < src.remaining()) {
                truncated = true;
            }
            if (n > 0) {
                if (len + n > buf.length) {
                    long size =
                            declared >= 0
                                    ? Math.min(cap, declared)
                                    : Math.min(cap, Math.max(1024, buf.length * 2L));
                    buf = Arrays.copyOf(buf, (int) Math.max(len + n, size));
                }
                src.get(buf, len, n);
                len += n;
            }
            src.position(src.limit());
        }

        @Override
        protected Answer buildResult() {
            return new Answer(code, location, buf, 0, len, truncated, hold, refused && truncated);
        }

        @Override
        public void releaseResources() {
            // the share was adopted by the exchange, which returns it with the verdict
        }
    }
}
