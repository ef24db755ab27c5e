package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.ldirector.check.CheckResult;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;
import org.ldirector.config.AddressFamily;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpMethod;
import org.ldirector.config.Protocol;
import org.ldirector.config.Secret;
import org.ldirector.config.ServiceType;
import org.ldirector.net.RefusingPorts;

/**
 * Builds one negotiate probe of a loopback peer and runs it through {@link Negotiators}, with the
 * executors a daemon would pass. Immutable: each with-method returns a new probe.
 */
record Probe(
        ServiceType service,
        Protocol protocol,
        int port,
        String request,
        String receive,
        String login,
        String passwd,
        String database,
        String secret,
        Duration timeout,
        InetAddress address) {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static Probe of(ServiceType service, int port) {
        return new Probe(
                service,
                Protocol.TCP,
                port,
                "/",
                "",
                "",
                "",
                "",
                "",
                Duration.ofSeconds(3),
                LOOPBACK);
    }

    Probe protocol(Protocol p) {
        return new Probe(
                service, p, port, request, receive, login, passwd, database, secret, timeout,
                address);
    }

    Probe request(String r) {
        return new Probe(
                service, protocol, port, r, receive, login, passwd, database, secret, timeout,
                address);
    }

    Probe receive(String r) {
        return new Probe(
                service, protocol, port, request, r, login, passwd, database, secret, timeout,
                address);
    }

    Probe login(String user, String password) {
        return new Probe(
                service, protocol, port, request, receive, user, password, database, secret,
                timeout, address);
    }

    Probe database(String db) {
        return new Probe(
                service, protocol, port, request, receive, login, passwd, db, secret, timeout,
                address);
    }

    Probe secret(String s) {
        return new Probe(
                service, protocol, port, request, receive, login, passwd, database, s, timeout,
                address);
    }

    Probe timeout(Duration t) {
        return new Probe(
                service, protocol, port, request, receive, login, passwd, database, secret, t,
                address);
    }

    Probe port(int p) {
        return new Probe(
                service, protocol, p, request, receive, login, passwd, database, secret, timeout,
                address);
    }

    /** The real's address (the peer must listen there), e.g. ::1 for an IPv6 real. */
    Probe address(InetAddress a) {
        return new Probe(
                service, protocol, port, request, receive, login, passwd, database, secret, timeout,
                a);
    }

    ProbeTarget target() {
        return target(UnaryOperator.identity());
    }

    /** The target, its check spec edited first (for settings this builder has no method for). */
    ProbeTarget target(UnaryOperator<CheckSpec> edit) {
        CheckSpec spec =
                edit.apply(
                        new CheckSpec(
                                CheckType.NEGOTIATE,
                                0,
                                service,
                                "/bin/true",
                                Optional.empty(),
                                request,
                                receive,
                                HttpMethod.GET,
                                Optional.empty(),
                                login,
                                Secret.of(passwd),
                                database,
                                Secret.of(secret),
                                timeout,
                                timeout,
                                1));
        AddressFamily family =
                address instanceof Inet6Address ? AddressFamily.INET6 : AddressFamily.INET;
        return new ProbeTarget(
                spec,
                protocol,
                family,
                Optional.of(address),
                port,
                address,
                port,
                Optional.of(port),
                request,
                receive);
    }

    /**
     * Runs the probe on fresh executors and returns its result; fails the test if it completes late
     * or badly.
     */
    CheckResult run() {
        return run(UnaryOperator.identity());
    }

    /** As {@link #run()}, with the check spec edited first. */
    CheckResult run(UnaryOperator<CheckSpec> edit) {
        ExecutorService io = Executors.newCachedThreadPool();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            CheckResult r =
                    Negotiators.forService(service, io, timer)
                            .orElseThrow()
                            .check(target(edit))
                            .get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
            assertFalse(r.reason().isBlank(), "a reason is always given");
            assertFalse(r.reason().contains("\n"), "one line: " + r.reason());
            if (!passwd.isEmpty()) {
                assertFalse(r.reason().contains(passwd), "password leaked: " + r.reason());
            }
            return r;
        } catch (Exception e) {
            throw new AssertionError("check did not complete normally", e);
        } finally {
            io.shutdownNow();
            timer.shutdownNow();
        }
    }

    CheckResult assertUp() {
        CheckResult r = run();
        assertTrue(r.up(), "expected up, got: " + r.reason());
        return r;
    }

    CheckResult assertDown(String reasonPart) {
        CheckResult r = run();
        assertFalse(r.up(), "expected down, got up: " + r.reason());
        assertTrue(
                r.reason().contains(reasonPart),
                "reason \"" + r.reason() + "\" lacks \"" + reasonPart + "\"");
        return r;
    }

    /** Down with "timeout after N s", and no sooner than the timeout nor much later. */
    void assertTimesOut() {
        CheckResult r = assertDown("timeout after " + Reasons.seconds(timeout));
        assertTrue(
                r.latency().compareTo(timeout.minusMillis(20)) >= 0,
                "timed out early: " + r.latency());
        assertTrue(
                r.latency().compareTo(timeout.plusMillis(1500)) < 0,
                "timed out late: " + r.latency());
    }

    /** A TCP port on loopback that nobody listens on (and nobody can take while the tests run). */
    static int closedTcpPort() {
        return RefusingPorts.reserve();
    }

    /** A UDP port on loopback that nobody listens on (sends to it earn ICMP port unreachable). */
    static int closedUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
