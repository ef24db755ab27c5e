package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Random bytes and randomly mutated valid fixtures must only ever give a Config or a
 * ConfigException: no other exception, no hang. Seeded, so a failure reproduces; the failing input
 * is printed.
 */
class ConfigFuzzTest {
    private static final String ALPHABET =
            "virtual6real=checktypeservicefallback:->[]\"#\t \n\r0123456789."
                    + "abcdefghijklmnopqrstuvwxyz,_-/\\%$@!';*";
    private static final Path SOURCE = Path.of("fuzz.cf");
    private final FixedResolver resolver = new FixedResolver();

    private void parseOne(String text) {
        try {
            assertNotNull(ConfigParser.parse(text, SOURCE, resolver));
        } catch (ConfigException expected) {
            assertNotNull(expected.errors().get(0).message());
        } catch (RuntimeException | StackOverflowError e) {
            fail(
                    "parser crashed with "
                            + e
                            + " on input:\n"
                            + text.replace("\t", "\\t").replace("\r", "\\r"),
                    e);
        }
    }

    @Test
    void randomBytesNeverCrashTheParser() {
        Random random = new Random(0x1d1ec7L);
        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> {
                    for (int i = 0; i < 3000; i++) {
                        byte[] b = new byte[random.nextInt(300)];
                        for (int j = 0; j < b.length; j++) {
                            b[j] =
                                    random.nextInt(3) == 0
                                            ? (byte) random.nextInt(256)
                                            : (byte)
                                                    ALPHABET.charAt(
                                                            random.nextInt(ALPHABET.length()));
                        }
                        parseOne(new String(b, StandardCharsets.ISO_8859_1));
                    }
                });
    }

    @Test
    void mutatedValidConfigsNeverCrashTheParser() throws IOException {
        List<String> corpus = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("test-fixtures/configs/valid"))) {
            for (Path p : s.sorted().toList()) {
                corpus.add(Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        }
        Random random = new Random(42);
        assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> {
                    for (int i = 0; i < 4000; i++) {
                        String text = corpus.get(random.nextInt(corpus.size()));
                        int mutations = 1 + random.nextInt(4);
                        for (int m = 0; m < mutations; m++) {
                            text = mutate(text, random);
                        }
                        parseOne(text);
                    }
                });
    }

    private static String mutate(String text, Random r) {
        if (text.isEmpty()) {
            return String.valueOf(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        int at = r.nextInt(text.length());
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        switch (r.nextInt(8)) {
            case 0: // delete a character
                return text.substring(0, at) + text.substring(at + 1);
            case 1: // insert a character
                return text.substring(0, at)
                        + ALPHABET.charAt(r.nextInt(ALPHABET.length()))
                        + text.substring(at);
            case 2: // replace a character with any byte value
                return text.substring(0, at) + (char) r.nextInt(256) + text.substring(at + 1);
            case 3:
                { // duplicate a line
                    int l = r.nextInt(lines.size());
                    lines.add(l, lines.get(l));
                    return String.join("\n", lines);
                }
            case 4:
                { // drop a line
                    lines.remove(r.nextInt(lines.size()));
                    return String.join("\n", lines);
                }
            case 5:
                { // swap two lines
                    int a = r.nextInt(lines.size());
                    int b = r.nextInt(lines.size());
                    String t = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, t);
                    return String.join("\n", lines);
                }
            case 6: // a long run of one character (for regex backtracking)
                return text.substring(0, at)
                        + String.valueOf(ALPHABET.charAt(r.nextInt(ALPHABET.length()))).repeat(2000)
                        + text.substring(at);
            default: // truncate
                return text.substring(0, at);
        }
    }
}
