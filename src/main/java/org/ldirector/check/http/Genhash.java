package org.ldirector.check.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import org.ldirector.check.UnverifiedTls;

/**
 * {@code ldirector genhash URL}: the MD5 of a page's body, printed as keepalived's genhash prints
 * it (32 lowercase hex digits), for {@code httpdigest=}. GET with {@code Connection: close} as the
 * check sends it; the certificate of an https server is not verified (neither does the check by
 * default, nor keepalived's genhash). Redirects are not followed: the digest is of the answer the
 * URL gives, which is what a check with {@code httpstatus=} judges.
 */
public final class Genhash {
    /** The body's digest and the status it came with. */
    public record Page(int status, String digest, int length) {}

    private Genhash() {}

    /**
     * @param url http:// or https://
     * @param timeout for connecting and for the whole answer
     * @throws IllegalArgumentException for a URL that is not http or https
     */
    public static Page fetch(URI url, Duration timeout) throws IOException, InterruptedException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    "'" + url + "': expected an http:// or https:// URL");
        }
        HttpClient client =
                HttpClient.newBuilder()
                        .connectTimeout(timeout)
                        .sslContext(UnverifiedTls.context())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout).GET();
        HttpResponse<byte[]> r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = r.body();
        return new Page(r.statusCode(), HttpCheck.md5(body, 0, body.length), body.length);
    }
}
