package org.ldirector.check;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.ldirector.config.AddressFamily;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpExpect;
import org.ldirector.config.HttpMethod;
import org.ldirector.config.Protocol;
import org.ldirector.config.Secret;
import org.ldirector.config.ServiceType;

/**
 * Immutable builder of one probe of a loopback real, with ldirectord's defaults; each with-method
 * returns a copy.
 */
public record Targets(
        CheckType type,
        int numConnects,
        ServiceType service,
        String command,
        Protocol protocol,
        InetAddress virtual,
        int virtualPort,
        Optional<Integer> fwmark,
        InetAddress real,
        int realPort,
        int writtenPort,
        String request,
        String receive,
        HttpMethod method,
        Optional<String> virtualHost,
        Duration checkTimeout,
        Duration negotiateTimeout,
        int checkCount,
        Optional<Path> caFile,
        Optional<String> sni) {

    public static Targets of(CheckType type, int port) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        return new Targets(
                type,
                0,
                ServiceType.HTTP,
                "/bin/true",
                Protocol.TCP,
                address("10.0.0.1"),
                80,
                Optional.empty(),
                lo,
                port,
                port,
                "/",
                "",
                HttpMethod.GET,
                Optional.empty(),
                Duration.ofSeconds(3),
                Duration.ofSeconds(3),
                1,
                Optional.empty(),
                Optional.empty());
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    public Targets service(ServiceType s) {
        return new Targets(
                type,
                numConnects,
                s,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets combined(int n) {
        return new Targets(
                CheckType.COMBINED,
                n,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets command(String c) {
        return new Targets(
                type,
                numConnects,
                service,
                c,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets protocol(Protocol p) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                p,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets virtual(InetAddress v, int port) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                v,
                port,
                Optional.empty(),
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets fwmark(int mark) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                Protocol.FWM,
                null,
                0,
                Optional.of(mark),
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets real(InetAddress r, int port, int written) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                r,
                port,
                written,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets request(String r) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                r,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets receive(String r) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                r,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets method(HttpMethod m) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                m,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets virtualHost(String h) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                Optional.of(h),
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni);
    }

    public Targets timeouts(Duration check, Duration negotiate) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                check,
                negotiate,
                checkCount,
                caFile,
                sni);
    }

    public Targets checkCount(int n) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                n,
                caFile,
                sni);
    }

    public Targets verify(Path ca, String sniName) {
        return new Targets(
                type,
                numConnects,
                service,
                command,
                protocol,
                virtual,
                virtualPort,
                fwmark,
                real,
                realPort,
                writtenPort,
                request,
                receive,
                method,
                virtualHost,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                Optional.ofNullable(ca),
                Optional.ofNullable(sniName));
    }

    public CheckSpec spec() {
        return new CheckSpec(
                type,
                numConnects,
                service,
                command,
                Optional.empty(),
                request,
                receive,
                method,
                virtualHost,
                "",
                Secret.EMPTY,
                "",
                Secret.EMPTY,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                caFile,
                sni,
                false,
                HttpExpect.NONE,
                false);
    }

    public ProbeTarget target() {
        return new ProbeTarget(
                spec(),
                protocol,
                real.getAddress().length == 16 ? AddressFamily.INET6 : AddressFamily.INET,
                Optional.ofNullable(virtual),
                virtualPort,
                real,
                realPort,
                Optional.of(realPort),
                request,
                receive,
                fwmark,
                writtenPort);
    }
}
