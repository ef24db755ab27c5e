package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.CheckType;
import org.ldirector.config.HttpExpect;

/**
 * externalweight=yes: keepalived's misc_dynamic exit codes (0 up, 1 down, 2..255 up with weight
 * status - 2).
 */
class ExternalWeightTest {
    @RegisterExtension static final SharedCheckers checkers = new SharedCheckers();

    @TempDir Path dir;

    private CheckResult exits(int status, boolean weighted) throws Exception {
        Path p = dir.resolve("exit" + status);
        Files.writeString(p, "#!/bin/sh\nexit " + status + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        ProbeTarget t = Targets.of(CheckType.EXTERNAL, 80).command(p.toString()).target();
        ProbeTarget w =
                new ProbeTarget(
                        t.spec().withKeepalived(HttpExpect.NONE, weighted),
                        t.protocol(),
                        t.family(),
                        t.virtualAddress(),
                        t.virtualPort(),
                        t.realAddress(),
                        t.realPort(),
                        t.checkPort(),
                        t.request(),
                        t.receive(),
                        t.fwmark(),
                        t.writtenRealPort());
        return checkers.check(w).get(30, TimeUnit.SECONDS);
    }

    @Test
    void exitCodesSetTheWeightWhenWeighted() throws Exception {
        CheckResult zero = exits(0, true);
        assertTrue(zero.up(), zero.reason());
        assertEquals(OptionalInt.empty(), zero.weight(), "0 keeps the configured weight");
        assertFalse(exits(1, true).up());
        CheckResult twelve = exits(12, true);
        assertTrue(twelve.up(), twelve.reason());
        assertEquals(OptionalInt.of(10), twelve.weight());
        assertEquals("external: exit 12, weight 10", twelve.reason());
        CheckResult two = exits(2, true);
        assertTrue(two.up());
        assertEquals(
                OptionalInt.of(0), two.weight(), "2 is up at weight 0 (quiesced, as keepalived)");
    }

    @Test
    void withoutTheExtensionEveryNonZeroStatusIsDown() throws Exception {
        CheckResult r = exits(12, false);
        assertFalse(r.up());
        assertEquals("external: exit 12", r.reason());
        assertEquals(OptionalInt.empty(), r.weight());
    }

    @Test
    void verdictCoversTheWholeRange() {
        assertEquals(
                OptionalInt.of(253),
                ExternalCheck.verdict(255, Duration.ZERO, "external", true).weight());
        assertFalse(ExternalCheck.verdict(1, Duration.ZERO, "external", true).up());
        // a signal death is reported by Java as 128+N: still in 2..255, as keepalived sees
        // WEXITSTATUS of a shell
        assertTrue(ExternalCheck.verdict(137, Duration.ZERO, "external", true).up());
    }
}
