package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's main job (test-fixtures/demo.sh) keeps working: its narrated stages, run against the
 * Perl ldirectord as the reference director, show the table, the spread by weight, a stopped real
 * taken out, the fallback serving and everything restored. When the ldirector daemon exists, the
 * same stages run against it by default.
 */
@Tag("uml")
class DemoTest {

    @Test
    void demoStagesNarrateTheDirectorsJobEndToEnd() throws IOException, InterruptedException {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        Process demo =
                new ProcessBuilder(
                                "bash",
                                "test-fixtures/demo.sh",
                                "--perl-reference",
                                "--no-install",
                                "--no-build")
                        .directory(UmlHarness.projectRoot().toFile())
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        String out =
                new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .replaceAll("\u001b\\[[0-9;]*m", "");
        assertTrue(demo.waitFor(15, TimeUnit.MINUTES), "demo.sh did not end");
        assertEquals(0, demo.exitValue(), out);
        // wrr 1:2:3 over 30 requests is exact; after real2 stops, 12 requests split 1:3.
        assertTrue(out.contains("   5 real1\n   10 real2\n   15 real3\n"), out);
        assertTrue(out.contains("real2 removed from the table: after"), out);
        assertTrue(out.contains("   3 real1\n   9 real3\n"), out);
        assertTrue(out.contains("The client now gets: sorry"), out);
        assertTrue(out.contains("fallback removed: after"), out);
        assertTrue(out.contains("virtual service removed: after"), out);
        assertTrue(!out.contains("FAILED"), out);
    }
}
