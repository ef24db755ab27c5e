package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run bin/ldirector archives classes from: a director started, asked and stopped in its own
 * JVM, on an in-memory table with a loopback real of its own, ends cleanly (exit 0) and leaves
 * nothing behind. (The archive itself is the JVM's: a dump needs the jar on the class path, not
 * target/classes.)
 */
class CdsTrainingTest {
    @TempDir Path dir;

    @Test
    void aTrainingRunStartsTheDirectorAddsItsRealsStopsItAndCleansUp() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                        List.of(
                                java,
                                "-XX:TieredStopAtLevel=1",
                                "-XX:+UseSerialGC",
                                "-Djava.io.tmpdir=" + dir,
                                "-cp",
                                classPath(),
                                CdsTraining.class.getName()));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training ends");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("out")));
        try (var left = Files.list(dir)) {
            assertEquals(
                    List.of("out"),
                    left.map(f -> f.getFileName().toString()).sorted().toList(),
                    "its scratch directory removed");
        }
    }

    /**
     * The test's own class path spelled out (under surefire java.class.path is only its booter
     * jar).
     */
    private static String classPath() {
        return System.getProperty(
                "surefire.test.class.path", System.getProperty("java.class.path"));
    }

    @Test
    void itsConfigHasAnHttpAndAConnectVirtualWithTheLoopbackReal() {
        String cf = CdsTraining.config(8080, Path.of("/tmp/x.log"));
        assertTrue(
                cf.contains(
                        "virtual=10.255.255.1:80\n"
                                + "\treal=127.0.0.1:8080 masq 1\n"
                                + "\tchecktype=negotiate\n"),
                cf);
        assertTrue(
                cf.contains(
                        "virtual=10.255.255.1:81\n"
                                + "\treal=127.0.0.1:8080 masq 1\n"
                                + "\tchecktype=connect\n"),
                cf);
        assertTrue(cf.contains("logfile=\"/tmp/x.log\""), cf);
    }
}
