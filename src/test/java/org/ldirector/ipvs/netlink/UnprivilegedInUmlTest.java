package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.ldirector.uml.UmlHarness;

/**
 * Without CAP_NET_ADMIN the kernel refuses IPVS commands; the operator is told why. Inside UML
 * only.
 *
 * <p>The probe keeps uid 0 but loses every capability (setpriv empties the bounding set, so the
 * exec grants root nothing): the kernel's IPVS permission check is CAP_NET_ADMIN alone, so this is
 * what an unprivileged user meets, while the probe can still read a checkout and a Maven repository
 * under /root (mode 0700), which another uid could not.
 */
@Tag("in-uml")
class UnprivilegedInUmlTest {

    @Test
    void withoutCapNetAdminGetsEpermWithAHint() throws Exception {
        assumeTrue(UmlHarness.insideUml(), "runs as root inside User-Mode Linux only");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                "setpriv",
                                "--bounding-set=-all",
                                "--inh-caps=-all",
                                java,
                                "-XX:TieredStopAtLevel=1",
                                "-Djava.io.tmpdir=/tmp",
                                "-cp",
                                System.getProperty("java.class.path"),
                                IpvsProbe.class.getName())
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "probe hung");
        assertEquals(0, p.exitValue(), out);
        assertTrue(
                out.contains(
                        "dump: errno 1: dump of services failed (EPERM: programming IPVS needs root"
                                + " or CAP_NET_ADMIN)"),
                out);
        assertTrue(
                out.contains(
                        "add: errno 1: cannot add virtual service 10.77.0.1:80/tcp: operation not"
                                + " permitted (needs CAP_NET_ADMIN) (EPERM)"),
                out);
    }
}
