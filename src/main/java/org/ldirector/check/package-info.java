/**
 * Health checks: one {@link org.ldirector.check.Checker} per ldirectord {@code checktype}, chosen
 * by {@link org.ldirector.check.Checkers} as ldirectord's {@code _check_real} does, all sharing one
 * closeable {@link org.ldirector.check.CheckContext}. Every probe returns a {@link
 * org.ldirector.check.CheckResult} (up/down, latency, one-line reason, made safe by {@link
 * org.ldirector.check.Reasons}) and never completes exceptionally; nothing here blocks the caller's
 * thread. Connect checks and the first request of plain-http checks run on the {@link
 * org.ldirector.check.ProbeLoop} (one thread, one epoll set, timeouts from the connect); https,
 * http_proxy and redirects on Apache HttpClient 5; the dialogues of the other negotiate services on
 * a bounded pool of threads.
 *
 * <p>Where ldirector deliberately differs from ldirectord 4.12:
 *
 * <ul>
 *   <li>external: on timeout the command and all its descendants get SIGKILL (ldirectord: SIGTERM
 *       to the direct child only); output goes to the debug log.
 *   <li>external-perl: {@code perl SCRIPT vip vport rip rport} as a process, not an in-process
 *       eval: no state kept between checks, no access to ldirectord's variables; exit codes and die
 *       mean the same.
 *   <li>ping: IPv6 too; connect on a udp virtual is a ping, as in ldirectord, but the connect
 *       rounds of {@code checktype = N} on udp send nothing and pass, exactly as ldirectord's udp
 *       connect(2).
 *   <li>https: opt-in verification ({@link org.ldirector.config.CheckSpec#httpsCaFile()}, {@link
 *       org.ldirector.config.CheckSpec#httpsSniName()}); by default no verification, as ldirectord.
 *   <li>http: the body kept for {@code receive} is capped at 4 MiB; the regex is Java's, which
 *       agrees with Perl's for ordinary patterns (no Perl-only constructs such as {@code
 *       (?{...})}).
 *   <li>receive, for every check: searched under a {@link org.ldirector.check.BoundedMatch} limit
 *       (200 ms of CPU by default, then down), where Perl would search for as long as it takes.
 * </ul>
 */
package org.ldirector.check;
