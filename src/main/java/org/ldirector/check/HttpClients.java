package org.ldirector.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the async clients HTTP checks share (owned by {@link CheckContext}, which closes them).
 * Deliberately un-clever, to mean what LWP meant for ldirectord: no redirects (HttpCheck follows
 * them as LWP does), no retries, no cookies, no content decoding (the receive regex sees the bytes,
 * like LWP's {@code content}), and no connection reuse: ldirectord opens a new connection for every
 * check (LWP sends {@code Connection: close}), and a check that rides a kept-alive connection would
 * not notice a real that stopped accepting new ones.
 */
public final class HttpClients {
    private HttpClients() {}

    public static CloseableHttpAsyncClient start(Optional<Path> caFile, int ioThreads)
            throws IOException, GeneralSecurityException {
        TlsStrategy tls = caFile.isPresent() ? verifying(caFile.get()) : trustAll();
        var pool =
                PoolingAsyncClientConnectionManagerBuilder.create()
                        .setTlsStrategy(tls)
                        // HTTP/1.1 only, as LWP: no ALPN h2 (whose framing forbids Connection:
                        // close)
                        .setDefaultTlsConfig(
                                TlsConfig.custom()
                                        .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                                        .build())
                        // LAX: no global cap; each probe has its own connection, thousands at once
                        // are normal
                        .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                        .setMaxConnPerRoute(1_000_000)
                        .setMaxConnTotal(1_000_000)
                        .setDefaultConnectionConfig(
                                ConnectionConfig.custom()
                                        // each probe caps its own connect; this only bounds a probe
                                        // that forgot to
                                        .setConnectTimeout(Timeout.ofMinutes(1))
                                        .setTimeToLive(TimeValue.ZERO_MILLISECONDS)
                                        .build())
                        .build();
        CloseableHttpAsyncClient client =
                HttpAsyncClients.custom()
                        .setConnectionManager(pool)
                        .setIOReactorConfig(
                                IOReactorConfig.custom()
                                        .setIoThreadCount(ioThreads)
                                        .setSoKeepAlive(false)
                                        .setTcpNoDelay(true)
                                        .build())
                        // small session buffers: httpcore's defaults, times thousands of probes in
                        // flight,
                        // would be most of the heap; they grow on demand for a large answer
                        .setHttp1Config(
                                Http1Config.custom()
                                        .setBufferSize(2048)
                                        .setChunkSizeHint(2048)
                                        .build())
                        .setConnectionReuseStrategy((request, response, context) -> false)
                        .disableRedirectHandling()
                        .disableAutomaticRetries()
                        .disableCookieManagement()
                        .disableAuthCaching()
                        .disableConnectionState()
                        .disableContentCompression()
                        .evictExpiredConnections()
                        .setUserAgent("ldirector")
                        .build();
        client.start();
        return client;
    }

    /**
     * ldirectord's {@code ssl_opts => { verify_hostname => 0 }} and IO::Socket::SSL's default of no
     * CA check.
     */
    private static TlsStrategy trustAll() throws GeneralSecurityException {
        return ClientTlsStrategyBuilder.create()
                .setSslContext(UnverifiedTls.context())
                .setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                .setHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                .buildAsync();
    }

    /**
     * The opt-in extension: the chain must lead to a certificate in {@code caFile} (PEM, one or
     * more), and the name must match the SNI name when one is configured, else the real's address.
     */
    private static TlsStrategy verifying(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException(caFile + ": no certificate found (expected PEM)");
        }
        int i = 0;
        for (Certificate c : certs) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ClientTlsStrategyBuilder.create()
                .setSslContext(ctx)
                .setHostVerificationPolicy(HostnameVerificationPolicy.CLIENT)
                .setHostnameVerifier(new DefaultHostnameVerifier())
                .buildAsync();
    }
}
