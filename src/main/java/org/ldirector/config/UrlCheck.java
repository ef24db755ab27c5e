package org.ldirector.config;

import java.util.Locale;
import java.util.Optional;

/**
 * What one URL of an http/https check must answer (extension of ldirectord.cf, after keepalived's
 * {@code HTTP_GET url { path, status_code, digest }}).
 *
 * @param path the request, with ldirectord's leading "/" rule (as {@code request=})
 * @param status {@code httpstatus=}: the status the first answer must have; redirects are then not
 *     followed (keepalived's rule). Empty: ldirectord's rule, redirects followed, the final answer
 *     2xx
 * @param digest {@code httpdigest=}: the MD5 of the body, 32 lowercase hex digits (what {@code
 *     ldirector genhash} and keepalived's genhash print)
 */
public record UrlCheck(String path, Optional<StatusSet> status, Optional<String> digest) {
    public UrlCheck {
        digest = digest.map(d -> d.toLowerCase(Locale.ROOT));
    }

    /**
     * @throws IllegalArgumentException when {@code text} is not 32 hex digits
     */
    public static String digest(String text) {
        String d = text.trim();
        if (!d.matches("[0-9a-fA-F]{32}")) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an MD5 digest (32 hex digits, as genhash prints)");
        }
        return d.toLowerCase(Locale.ROOT);
    }
}
