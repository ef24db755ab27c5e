package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ldirector.config.CheckType;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

/** _check_real's dispatch: which probe each checktype, protocol and service gets. */
class CheckersTest {
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();

    @Test
    void onIsUpAndOffIsDownWithoutAProbe() throws Exception {
        // port 1 on loopback: nothing listens, so any probe would have failed
        CheckResult on = checkers.run(Targets.of(CheckType.ON, 1));
        assertTrue(on.up());
        assertEquals("checktype on", on.reason());
        CheckResult off = checkers.run(Targets.of(CheckType.OFF, 1));
        assertFalse(off.up());
        assertEquals("checktype off", off.reason());
    }

    @Test
    void negotiateOfServiceNoneIsAlwaysUp() throws Exception {
        assertTrue(checkers.run(Targets.of(CheckType.NEGOTIATE, 1).service(ServiceType.NONE)).up());
    }

    @Test
    void negotiateOfOtherServicesGoesToTheirDialogue() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread peer =
                    new Thread(
                            () -> {
                                try (var c = s.accept()) {
                                    c.getOutputStream()
                                            .write(
                                                    "hello from simpletcp\n"
                                                            .getBytes(StandardCharsets.US_ASCII));
                                    c.getOutputStream().flush();
                                    c.getInputStream().read();
                                } catch (IOException ignored) {
                                    // the check hung up first
                                }
                            });
            peer.start();
            CheckResult r =
                    checkers.run(
                            Targets.of(CheckType.NEGOTIATE, s.getLocalPort())
                                    .service(ServiceType.SIMPLETCP)
                                    .request("hi")
                                    .receive("simpletcp"));
            assertTrue(r.up(), r.reason());
            peer.join(5000);
        }
    }

    @Test
    void oracleIsRefusedAtConfigTimeAndDownIfRunAnyway() throws Exception {
        Targets t = Targets.of(CheckType.NEGOTIATE, 1521).service(ServiceType.ORACLE);
        assertTrue(Checkers.unsupported(t.spec()).isPresent());
        CheckResult r = checkers.run(t);
        assertFalse(r.up());
        assertTrue(r.reason().contains("oracle"), r.reason());
        assertTrue(
                Checkers.unsupported(
                                Targets.of(CheckType.CONNECT, 1521)
                                        .service(ServiceType.ORACLE)
                                        .spec())
                        .isEmpty());
    }

    @Test
    void connectOnAUdpVirtualIsAPing() throws Exception {
        // nothing listens on this udp port: only a ping (of loopback) can make it up
        int port;
        try (DatagramSocket d = new DatagramSocket(0)) {
            port = d.getLocalPort();
        }
        CheckResult r = checkers.run(Targets.of(CheckType.CONNECT, port).protocol(Protocol.UDP));
        assertTrue(r.up(), r.reason());
        assertEquals("echo reply", r.reason());
    }
}
