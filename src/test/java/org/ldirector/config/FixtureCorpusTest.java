package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixture corpus in test-fixtures/configs. Every valid/*.cf must parse; every invalid/NAME.cf
 * must be rejected with exactly the lines of NAME.cf.expected. Convention: diagnostics name the
 * file as {@code NAME.cf} (the path relative to its folder), so the expected files do not depend on
 * where the repository is checked out.
 */
class FixtureCorpusTest {
    static final Path ROOT = Path.of("test-fixtures/configs");

    static Stream<Path> valid() throws IOException {
        return list(ROOT.resolve("valid"));
    }

    static Stream<Path> invalid() throws IOException {
        return list(ROOT.resolve("invalid"));
    }

    private static Stream<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cf")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void validFixtureParsesWithoutErrors(Path file) throws IOException {
        try {
            Config c = ConfigParser.parse(file);
            assertFalse(c.virtuals().isEmpty(), "a fixture defines at least one virtual");
            for (VirtualConfig v : c.virtuals()) {
                assertFalse(v.reals().isEmpty(), v.id() + " has reals");
            }
            // The -t output of every valid fixture renders without failing and names each virtual.
            String printed = ConfigPrinter.print(c);
            assertEquals(
                    c.virtuals().size(),
                    printed.lines().filter(l -> l.startsWith("virtual")).count());
        } catch (ConfigException e) {
            fail("valid fixture rejected:\n" + e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidFixtureIsRejectedWithTheExpectedMessages(Path file) throws IOException {
        Path expectedFile = file.resolveSibling(file.getFileName() + ".expected");
        assertTrue(Files.exists(expectedFile), "missing " + expectedFile);
        List<String> expected = Files.readAllLines(expectedFile, StandardCharsets.UTF_8);
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        try {
            ConfigParser.parse(text, file.getFileName(), new FixedResolver());
            fail(file + " was accepted");
        } catch (ConfigException e) {
            assertEquals(
                    String.join("\n", expected),
                    String.join("\n", e.errors().stream().map(Diagnostic::toString).toList()));
        }
    }

    @Test
    void corpusIsLargeEnough() throws IOException {
        assertTrue(invalid().count() >= 30);
        assertTrue(valid().count() >= 10);
    }
}
