package org.ldirector.uml;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs code as root against a real Linux kernel: User-Mode Linux (Debian package user-mode-linux),
 * booted by test-fixtures/uml/run.sh with the host filesystem as a read-only root. Inside, PATH is
 * set, ip_vs is loadable, /tmp and /run are tmpfs, and {@code $UML_OUT} names a writable host
 * directory at the same path on both sides.
 *
 * <p>UML runs on one virtual CPU and its syscalls are 20-60x slower than the host's: callers should
 * wait for conditions with generous deadlines instead of sleeping.
 */
public final class UmlHarness {

    /**
     * Set inside UML by {@link #runJUnit}; in-uml tests may check it to refuse running on the host.
     */
    public static final String IN_UML_PROPERTY = "ldirector.inuml";

    private static final Path LINUX = Paths.get("/usr/bin/linux");
    private static final Path MODULES = Paths.get("/usr/lib/uml/modules");

    /** Time run.sh needs beyond the script's own deadline to kill UML and clean up. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private UmlHarness() {}

    /** True when the UML kernel and its modules are installed, i.e. UML tests can run. */
    public static boolean available() {
        if (!Files.isExecutable(LINUX) || !Files.isDirectory(MODULES)) {
            return false;
        }
        try (Stream<Path> versions = Files.list(MODULES)) {
            return versions.anyMatch(v -> Files.isDirectory(v.resolve("kernel")));
        } catch (IOException e) {
            return false;
        }
    }

    /** True inside a JVM started by {@link #runJUnit}. */
    public static boolean insideUml() {
        return Boolean.getBoolean(IN_UML_PROPERTY);
    }

    /** Runs a bash script as root in a fresh UML boot, with a new scratch dir as $UML_OUT. */
    public static UmlResult runScript(String bashScript, Duration timeout) {
        return runScript(bashScript, timeout, newScratchDir());
    }

    /**
     * Runs a bash script as root in a fresh UML boot with the given directory as $UML_OUT, so the
     * caller can read what the script left there.
     */
    public static UmlResult runScript(String bashScript, Duration timeout, Path outDir) {
        Objects.requireNonNull(bashScript, "bashScript");
        Path projectRoot = projectRoot();
        try {
            Files.createDirectories(outDir);
            Path script = Files.createTempFile(outDir, "script-", ".sh");
            Files.writeString(script, bashScript, StandardCharsets.UTF_8);
            ProcessBuilder pb =
                    new ProcessBuilder(
                            "bash",
                            projectRoot.resolve("test-fixtures/uml/run.sh").toString(),
                            script.toString(),
                            Long.toString(Math.max(1, timeout.toSeconds())));
            pb.environment().put("UML_OUT", outDir.toAbsolutePath().toString());
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process process = pb.start();
            StringBuilder output = new StringBuilder();
            // Streamed so a slow or hung boot shows progress in the build log.
            Thread pump = new Thread(() -> pump(process, output), "uml-output");
            pump.setDaemon(true);
            pump.start();
            if (!process.waitFor(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
                // run.sh traps TERM and kills the UML process group.
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                pump.join(5_000);
                return new UmlResult(
                        124,
                        output
                                + "\nUmlHarness: run.sh did not return within "
                                + timeout.plus(GRACE));
            }
            pump.join(10_000);
            synchronized (output) {
                return new UmlResult(process.exitValue(), output.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run UML in " + outDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while UML was running", e);
        }
    }

    /** Runs one JUnit class inside UML (see {@link #runJUnit(Class, Duration, String)}). */
    public static UmlResult runJUnit(Class<?> testClass, Duration timeout) {
        return runJUnit(testClass, timeout, "");
    }

    /**
     * Runs one JUnit class inside UML in a JVM with this JVM's test classpath and {@code
     * -Dldirector.inuml=true}, after {@code setupScript} (bash, e.g. bringing up a topology; a
     * failing setup ends the run with its exit code). Exit code 0 means at least one test ran and
     * none failed; the output holds the JUnit summary and every failure's stack trace.
     */
    public static UmlResult runJUnit(Class<?> testClass, Duration timeout, String setupScript) {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String script =
                "set -e\n"
                        + setupScript
                        + "\n"
                        + "exec "
                        + shellQuote(java)
                        + " -D"
                        + IN_UML_PROPERTY
                        + "=true"
                        // One slow CPU: a small heap, the serial collector and C1 only start
                        // fastest.
                        + " -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.io.tmpdir=/tmp"
                        + " -cp "
                        + shellQuote(testClasspath())
                        + " "
                        + InUmlMain.class.getName()
                        + " "
                        + shellQuote(testClass.getName())
                        + "\n";
        return runScript(script, timeout);
    }

    /**
     * The classpath of this JVM (under surefire/failsafe: target/test-classes, target/classes and
     * every dependency jar in ~/.m2). Entries under /tmp are dropped (the guest's /tmp is its own
     * tmpfs, e.g. surefire's booter jars), except those in the checkout, which init.sh mounts back.
     */
    static String testClasspath() {
        String cp = System.getProperty("java.class.path", "");
        List<String> kept = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Paths.get(entry).toAbsolutePath().normalize();
            if ((!p.startsWith("/tmp") || p.startsWith(projectRoot())) && Files.exists(p)) {
                kept.add(p.toString());
            }
        }
        if (kept.stream().noneMatch(e -> e.endsWith("test-classes"))) {
            throw new IllegalStateException("java.class.path has no test-classes entry: " + cp);
        }
        return String.join(File.pathSeparator, kept);
    }

    /** A fresh scratch dir under target/uml (on the host disk, so hostfs can expose it). */
    public static Path newScratchDir() {
        try {
            Path base = projectRoot().resolve("target/uml");
            Files.createDirectories(base);
            return Files.createTempDirectory(base, "run-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a UML scratch dir under target/uml", e);
        }
    }

    /** The checkout root: the nearest directory upwards holding test-fixtures/uml/run.sh. */
    public static Path projectRoot() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("test-fixtures/uml/run.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("no test-fixtures/uml/run.sh in " + dir + " or above");
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void pump(Process process, StringBuilder output) {
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("[uml] " + line);
                synchronized (output) {
                    output.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("UmlHarness: output stream broke: ").append(e).append('\n');
            }
        }
    }

    /** For messages: the versions of UML modules installed. */
    static String moduleVersions() {
        try (Stream<Path> versions = Files.list(MODULES)) {
            return versions.map(p -> p.getFileName().toString()).collect(Collectors.joining(", "));
        } catch (IOException e) {
            return "none";
        }
    }
}
