package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.testing.Await;

/**
 * bin/ldirector's choices, with a stand-in java that records its arguments: the JVM sized from the
 * config's reals, and the class data sharing archive used when it is there and never needed.
 */
class LauncherTest {
    @TempDir Path dir;
    private Path launcher;
    private Path javaHome;
    private Path calls;
    private Path cache;
    private Path jar;

    @BeforeEach
    void setUp() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("repo"));
        launcher = Files.createDirectories(repo.resolve("bin")).resolve("ldirector");
        Files.copy(Path.of("bin/ldirector"), launcher);
        jar =
                Files.writeString(
                        Files.createDirectories(repo.resolve("target")).resolve("ldirector.jar"),
                        "jar v1");
        javaHome = dir.resolve("jdk");
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        calls = dir.resolve("calls");
        // records each call's arguments on a line; "writes" the archive a training run is asked for
        Files.writeString(
                java,
                """
                #!/bin/sh
                echo "$*" >> "%s"
                for a in "$@"; do
                    case $a in
                        -XX:ArchiveClassesAtExit=*) [ "$STUB_TRAINING" = fail ] && exit 1; echo archive > "${a#*=}" ;;
                    esac
                done
                exit 0
                """
                        .formatted(calls));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        cache = dir.resolve("cache");
    }

    private record Run(int exit, String out, String err) {}

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("LDIRECTOR_JAVA_OPTS");
        pb.environment().remove("LDIRECTOR_CDS");
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().put("LDIRECTOR_CACHE_DIR", cache.toString());
        pb.environment().putAll(env);
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher ends");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls, StandardCharsets.UTF_8) : List.of();
    }

    /** The call that ran ldirector (java -jar), the last one made. */
    private String startCall() throws IOException {
        return calls().stream().filter(c -> c.contains("-jar ")).reduce((a, b) -> b).orElseThrow();
    }

    private List<Path> archives() throws IOException {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> p.getFileName().toString().matches("ldirector-.*\\.jsa")).toList();
        }
    }

    private Path config(int reals) throws IOException {
        StringBuilder b = new StringBuilder("virtual=10.0.0.1:80\n");
        for (int i = 0; i < reals; i++) {
            b.append("\treal=10.1.")
                    .append(i / 250)
                    .append('.')
                    .append(i % 250 + 1)
                    .append(":80 masq\n");
        }
        return Files.writeString(dir.resolve("l" + reals + ".cf"), b.toString());
    }

    @Test
    void aSmallConfigGetsSerialGcAndASmallStartingHeapALargeOneParallelGc() throws Exception {
        Map<String, String> noCds = Map.of("LDIRECTOR_CDS", "off");
        assertEquals(0, run(noCds, "--foreground", config(100).toString(), "start").exit());
        assertTrue(startCall().contains("-XX:+UseSerialGC -Xms8m "), startCall());
        assertEquals(0, run(noCds, config(2500).toString(), "start").exit());
        assertTrue(startCall().contains("-XX:+UseParallelGC "), startCall());
        assertFalse(startCall().contains("UseSerialGC"), startCall());
        assertEquals(
                0,
                run(noCds, config(2500).toString(), "status").exit(),
                "a verb: a short client, the small size");
        assertTrue(startCall().contains("-XX:+UseSerialGC -jar"), startCall());
        assertEquals(
                0,
                run(Map.of("LDIRECTOR_JAVA_OPTS", "-Xmx1g"), config(100).toString(), "status")
                        .exit());
        assertTrue(
                startCall().startsWith("-Xmx1g -jar "),
                "LDIRECTOR_JAVA_OPTS replaces every flag: " + startCall());
    }

    @Test
    void withoutAnArchiveTheDirectorStartsAndOneIsBuiltForTheNextStart() throws Exception {
        Path cf = config(10);
        Run first = run(Map.of(), "--foreground", cf.toString(), "start");
        assertEquals(0, first.exit());
        assertEquals("", first.out() + first.err(), "nothing said about the archive");
        assertFalse(startCall().contains("SharedArchiveFile"), startCall());
        Await.until(
                "the archive built in the background",
                Duration.ofSeconds(20),
                Duration.ofMillis(50),
                () -> archives().size() == 1);
        assertTrue(
                calls().stream()
                        .anyMatch(
                                c ->
                                        c.contains("-cp " + jar)
                                                && c.endsWith("org.ldirector.daemon.CdsTraining")),
                calls().toString());
        Path archive = archives().get(0);

        assertEquals(0, run(Map.of(), "--foreground", cf.toString(), "start").exit());
        assertTrue(startCall().contains("-XX:SharedArchiveFile=" + archive + " "), startCall());

        // a new jar: the old archive is stale, not used, and replaced
        Files.writeString(jar, "jar v2, longer");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(0, run(Map.of(), "--foreground", cf.toString(), "start").exit());
        assertFalse(
                startCall().contains("SharedArchiveFile"),
                "a stale archive is not used: " + startCall());
        Await.until(
                "the archive rebuilt",
                Duration.ofSeconds(20),
                Duration.ofMillis(50),
                () -> {
                    List<Path> now = archives(); // read once: the build renames into place
                    return now.size() == 1 && !now.get(0).equals(archive);
                });
    }

    @Test
    void anUnwritableCacheOrAFailedBuildOnlyMeansNoArchive() throws Exception {
        Path cf = config(10);
        // a cache dir that cannot be made (its parent is a file): root cannot either
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run r =
                run(
                        Map.of("LDIRECTOR_CACHE_DIR", file.resolve("cache").toString()),
                        cf.toString(),
                        "start");
        assertEquals(0, r.exit());
        assertEquals("", r.out() + r.err());
        assertFalse(startCall().contains("SharedArchiveFile"), startCall());
        Run build =
                run(Map.of("LDIRECTOR_CACHE_DIR", file.resolve("cache").toString()), "--build-cds");
        assertEquals(1, build.exit());
        assertTrue(build.err().contains("is not writable"), build.err());

        Run failed = run(Map.of("STUB_TRAINING", "fail"), "--build-cds");
        assertEquals(1, failed.exit());
        assertTrue(failed.err().contains("building"), failed.err());
        assertEquals(List.of(), archives(), "nothing half-built left to be used");
        try (Stream<Path> s = Files.list(cache)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().endsWith(".jsa")),
                    "no temporary archive left");
        }

        Run built = run(Map.of(), "--build-cds");
        assertEquals(0, built.exit(), built.err());
        assertEquals(archives().get(0) + "\n", built.out(), "--build-cds says where");
        int before = calls().size();
        assertEquals(0, run(Map.of("LDIRECTOR_CDS", "off"), cf.toString(), "start").exit());
        assertFalse(startCall().contains("SharedArchiveFile"), "LDIRECTOR_CDS=off: " + startCall());
        assertEquals(before + 1, calls().size(), "and no build either");
        assertEquals(0, run(Map.of(), cf.toString(), "status").exit());
        assertFalse(
                startCall().contains("SharedArchiveFile"),
                "a verb without the archive: " + startCall());
        assertEquals(before + 2, calls().size(), "and no build for it");
    }
}
