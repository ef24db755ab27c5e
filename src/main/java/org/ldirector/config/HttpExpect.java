package org.ldirector.config;

import java.util.List;
import java.util.Optional;

/**
 * The keepalived extensions of an http/https negotiate check: the status set and body digest the
 * check's own request must answer with, and further URLs, each of which must pass too (in order;
 * the first that fails is the reason). {@link #NONE} is ldirectord's check unchanged.
 *
 * @param status {@code httpstatus=} for the check's request (see {@link UrlCheck#status})
 * @param digest {@code httpdigest=} for the check's request
 * @param more {@code checkurl=} lines
 */
public record HttpExpect(Optional<StatusSet> status, Optional<String> digest, List<UrlCheck> more) {
    public static final HttpExpect NONE =
            new HttpExpect(Optional.empty(), Optional.empty(), List.of());

    public HttpExpect {
        more = List.copyOf(more);
    }

    public boolean isNone() {
        return equals(NONE);
    }
}
