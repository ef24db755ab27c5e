package org.ldirector.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * One {@code real=} server of a virtual (a range {@code a->b} is expanded into one Real per
 * address, all with the line of the range).
 *
 * @param line the config line it came from
 * @param address resolved address (a hostname in the file is resolved at parse time, as ldirectord)
 * @param port the port written in the file, 0 when none was (see {@link VirtualConfig#ipvsPort})
 * @param forward gate, masq or ipip
 * @param weight weight (default 1)
 * @param request per-real {@code "request"}, with ldirectord's leading "/" added, if given
 * @param receive per-real {@code "receive"}, if given
 * @param lowerThreshold {@code l:N}, if given
 * @param upperThreshold {@code u:N}, if given
 */
public record Real(
        int line,
        InetAddress address,
        int port,
        ForwardMethod forward,
        int weight,
        Optional<String> request,
        Optional<String> receive,
        Optional<Integer> lowerThreshold,
        Optional<Integer> upperThreshold) {}
