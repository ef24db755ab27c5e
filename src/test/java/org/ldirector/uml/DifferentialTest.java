package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.ldirector.config.ConfigException;
import org.ldirector.config.ConfigParser;
import org.ldirector.ipvs.IpvsException;

/**
 * Issue 2's differential test: for every valid fixture, the virtual services and reals ldirector
 * would program (what the production director and reconciler program from ConfigParser's Config,
 * all reals up: {@link ProgrammedRules}) equal what the real Perl ldirectord programs into a real
 * kernel (User-Mode Linux) for the same file with checktype=on forced in every virtual. Both tables
 * are read back with {@code ipvsadm -Sn} and {@code ipvsadm -Ln --thresholds} (-Sn omits
 * thresholds) from the same kernel. All fixtures run in one UML boot
 * (test-fixtures/uml/differential.sh).
 */
@Tag("uml")
class DifferentialTest {

    /**
     * Fixtures the Perl ldirectord cannot run in UML, each with the reason. Nothing here is skipped
     * silently: each one shows up as an aborted test carrying its reason.
     */
    private static final Map<String, String> EXCLUDED = Map.of();

    /**
     * Where ldirector deliberately programs more than the Perl ldirectord: fixture file name to the
     * exact {@code ipvsadm -Sn} lines only ldirector has, and why. Anything else must be equal.
     */
    private static final Map<String, Divergence> KNOWN_DIVERGENCES =
            Map.of(
                    "fallback-equals-real.cf",
                            new Divergence(
                                    List.of("-a -t 10.1.1.1:80 -r 10.2.2.2:80 -m -w 1"),
                                    "the fallback is also a real; ldirectord deletes that up real"
                                            + " when the fallback goes off (defect)"),
                    "fallbacks.cf",
                            new Divergence(
                                    List.of("-a -t 10.1.1.1:80 -r 127.0.0.1:80 -g -w 1"),
                                    "the only real is up with weight 0; ldirectord takes the"
                                        + " fallback out for it, ldirector keeps the fallback"
                                        + " serving because a weight-0 real serves nobody (README:"
                                        + " Configuration)"));

    record Divergence(List<String> onlyInLdirector, String reason) {}

    /**
     * Generous: the largest corpus fixture (services-all.cf, 20 reals) took 90 s on a loaded host.
     */
    private static final Duration PER_FIXTURE = Duration.ofSeconds(180);

    @TestFactory
    Stream<DynamicTest> perlLdirectordAndLdirectorProgramTheSameTable() throws IOException {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        Path fixtures = UmlHarness.projectRoot().resolve("test-fixtures/configs/valid");
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> all = new ArrayList<>(configsIn(fixtures));
        if (all.isEmpty()) {
            tests.add(
                    DynamicTest.dynamicTest(
                            "corpus", () -> abort("no *.cf fixtures in " + fixtures)));
        }
        // Cases found while building this test (ldirectord's port and fallback rules), kept as
        // regressions.
        all.addAll(configsIn(UmlHarness.projectRoot().resolve("test-fixtures/uml/differential")));

        Path out = UmlHarness.newScratchDir();
        Map<String, Path> toRun = new LinkedHashMap<>();
        for (Path fixture : all) {
            String name =
                    (fixture.getParent().getFileName() + "__" + fixture.getFileName())
                            .replaceAll("[^A-Za-z0-9._-]", "_");
            String reason = EXCLUDED.get(fixture.getFileName().toString());
            if (reason != null) {
                tests.add(DynamicTest.dynamicTest(name, () -> abort("excluded: " + reason)));
                continue;
            }
            // Both sides read the same file: the fixture with checktype=on forced, so every real is
            // up.
            Path copy = out.resolve(name + ".perl.cf");
            Files.writeString(
                    copy,
                    PerlFixtureCopy.forceCheckTypeOn(
                            Files.readString(fixture, StandardCharsets.ISO_8859_1)),
                    StandardCharsets.ISO_8859_1);
            List<String> programmed;
            try {
                programmed = ProgrammedRules.of(ConfigParser.parse(copy));
            } catch (ConfigException | IpvsException | IOException | RuntimeException e) {
                tests.add(
                        DynamicTest.dynamicTest(
                                name,
                                () ->
                                        fail(
                                                fixture
                                                        + ": a valid fixture, but ldirector "
                                                        + (e instanceof ConfigException
                                                                ? "rejected it"
                                                                : "failed on it")
                                                        + ": "
                                                        + e.getMessage(),
                                                e)));
                continue;
            }
            Files.write(out.resolve(name + ".expected"), programmed, StandardCharsets.UTF_8);
            toRun.put(name, fixture);
        }

        Map<String, Path> resultDirs = runShards(out, new ArrayList<>(toRun.keySet()));
        for (Map.Entry<String, Path> e : toRun.entrySet()) {
            String name = e.getKey();
            Divergence divergence = KNOWN_DIVERGENCES.get(e.getValue().getFileName().toString());
            tests.add(
                    DynamicTest.dynamicTest(
                            name,
                            () -> compare(resultDirs.get(name), name, e.getValue(), divergence)));
        }
        return tests.stream();
    }

    private static List<Path> configsIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(
                            p ->
                                    Files.isRegularFile(p)
                                            && p.getFileName().toString().endsWith(".cf"))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Runs the fixtures in one UML boot per shard, shards in parallel: UML has a single CPU, and
     * the Perl ldirectord needs 15-90 s per fixture there (it forks ipvsadm several times per
     * entry). Shards = the host's cores (at most 4), or the system property ldirector.uml.parallel.
     */
    private static Map<String, Path> runShards(Path out, List<String> names) throws IOException {
        Map<String, Path> resultDirs = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return resultDirs;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int shards =
                Math.max(
                        1,
                        Math.min(
                                names.size(),
                                Integer.getInteger(
                                        "ldirector.uml.parallel",
                                        Math.max(1, Math.min(4, cores)))));
        List<Path> dirs = new ArrayList<>();
        for (int k = 0; k < shards; k++) {
            dirs.add(Files.createDirectories(out.resolve("shard-" + k)));
        }
        for (int i = 0; i < names.size(); i++) {
            Path dir = dirs.get(i % shards);
            resultDirs.put(names.get(i), dir);
            for (String suffix : List.of(".expected", ".perl.cf")) {
                Files.move(out.resolve(names.get(i) + suffix), dir.resolve(names.get(i) + suffix));
            }
        }
        String script =
                UmlHarness.projectRoot().resolve("test-fixtures/uml/differential.sh").toString();
        Duration timeout =
                PER_FIXTURE.multipliedBy((names.size() + shards - 1) / shards).plusSeconds(60);
        ExecutorService pool = Executors.newFixedThreadPool(shards);
        try {
            List<Future<UmlResult>> runs = new ArrayList<>();
            for (Path dir : dirs) {
                runs.add(
                        pool.submit(
                                () ->
                                        UmlHarness.runScript(
                                                "bash "
                                                        + UmlHarness.shellQuote(script)
                                                        + " "
                                                        + UmlHarness.shellQuote(dir.toString())
                                                        + "\n",
                                                timeout,
                                                dir)));
            }
            for (Future<UmlResult> run : runs) {
                UmlResult r = run.get();
                assertEquals(0, r.exitCode(), r::describe);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a UML shard failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return resultDirs;
    }

    private static void compare(Path dir, String name, Path fixture, Divergence divergence) {
        String status = read(dir.resolve(name + ".status")).strip();
        assertEquals(
                "ok",
                status,
                () ->
                        fixture
                                + ": the Perl ldirectord did not run it: "
                                + status
                                + "\nits output:\n"
                                + read(dir.resolve(name + ".perl.log")));
        Path ldirectorSn = dir.resolve(name + ".ldirector.sn");
        assertTrue(
                Files.exists(ldirectorSn),
                () ->
                        fixture
                                + ": ipvsadm -R did not take ldirector's rules:\n"
                                + read(dir.resolve(name + ".expected"))
                                + read(dir.resolve(name + ".expected.err")));
        String perl = read(dir.resolve(name + ".perl.sn"));
        if (divergence != null) {
            perl = perl + String.join("\n", divergence.onlyInLdirector()) + "\n";
        }
        assertEquals(
                sorted(perl),
                sorted(read(ldirectorSn)),
                () ->
                        fixture
                                + ": ipvsadm -Sn differs (expected: Perl ldirectord"
                                + (divergence == null
                                        ? ""
                                        : " plus the known divergence: " + divergence.reason())
                                + ", actual: ldirector)");
        if (divergence != null) {
            return; // the extra real shows in the thresholds listing too; -Sn above pinned it
            // exactly
        }
        assertEquals(
                thresholdRows(read(dir.resolve(name + ".perl.thresholds"))),
                thresholdRows(read(dir.resolve(name + ".ldirector.thresholds"))),
                () ->
                        fixture
                                + ": thresholds differ (expected: Perl ldirectord, actual:"
                                + " ldirector)");
    }

    /** Order-free comparison: ldirectord adds entries in hash order. */
    static String sorted(String text) {
        return String.join("\n", text.lines().map(String::stripTrailing).sorted().toList());
    }

    /**
     * {@code ipvsadm -Ln --thresholds} as sorted "virtual -> real upper lower" rows, so reals stay
     * tied to their virtual when the order is thrown away.
     */
    static String thresholdRows(String listing) {
        List<String> rows = new ArrayList<>();
        String virtual = null;
        for (String line : listing.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (line.startsWith("  -> ") && f.length >= 4 && virtual != null) {
                rows.add(virtual + " -> " + f[1] + " " + f[2] + " " + f[3]);
            } else if (line.matches("^(TCP|UDP|SCTP|FWM) .*")) {
                virtual = String.join(" ", f);
            }
        }
        return String.join("\n", rows.stream().sorted().toList());
    }

    private static String read(Path p) {
        try {
            return Files.exists(p)
                    ? Files.readString(p, StandardCharsets.UTF_8)
                    : "(" + p.getFileName() + " missing)\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
