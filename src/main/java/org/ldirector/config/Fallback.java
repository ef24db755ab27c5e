package org.ldirector.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * A fallback ("sorry") server: {@code fallback=host[:port] [gate|masq|ipip]}. ldirectord installs
 * it with weight 1 and no thresholds.
 *
 * @param port the port written in the file; for a per-virtual fallback without one, ldirectord uses
 *     the virtual's port (the parser fills that in); a global fallback without one stays empty and
 *     takes the port of the virtual it serves
 */
public record Fallback(InetAddress address, Optional<Integer> port, ForwardMethod forward) {
    public static final int WEIGHT = 1;
}
