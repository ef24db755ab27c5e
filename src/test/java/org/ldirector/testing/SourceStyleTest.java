package org.ldirector.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the formatter (Spotless, run in the build's validate phase) cannot see: a class named by its
 * full name in code, where an import belongs. A full name stays only where the simple name would
 * clash: another class of that name imported or declared in the file, or two full names with one
 * simple name.
 */
class SourceStyleTest {
    private static final Pattern FULL_NAME =
            Pattern.compile(
                    "(?<![\\w.\"])((?:java|javax|org|com|jnr|sun)(?:\\.[a-z_][a-z0-9_]*)+)"
                            + "\\.([A-Z][A-Za-z0-9_]*)");
    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+([\\w.]+)\\.(\\w+);", Pattern.MULTILINE);
    private static final Pattern ANY_IMPORT =
            Pattern.compile("^import\\s[^\n]*\n", Pattern.MULTILINE);
    private static final Pattern DECLARED =
            Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");

    @Test
    void codeNamesClassesByImportNotByFullName() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(Path.of("src/main/java"), Path.of("src/test/java"))) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".java"))
                        .forEach(p -> found.addAll(inlineFullNames(p)));
            }
        }
        assertEquals(List.of(), found, "use an import for these");
    }

    @Test
    void theScannerSeesCodeButNotCommentsOrStrings() {
        String code =
                "package p;\n"
                        + "import java.util.List;\n"
                        + "class A {\n"
                        + "  // java.util.Map.Entry in a comment\n"
                        + "  String s = \"java.util.Set in a string\";\n"
                        + "  java.util.Optional<String> o;\n"
                        + "}\n";
        assertEquals(List.of("A.java:6: java.util.Optional"), scan("A.java", code));
        String clash =
                "package p;\n"
                        + "import org.apache.logging.log4j.Level;\n"
                        + "class B { java.util.logging.Level l; }\n";
        assertTrue(scan("B.java", clash).isEmpty(), "a clashing simple name keeps its full name");
    }

    private static List<String> inlineFullNames(Path file) {
        try {
            return scan(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> scan(String name, String text) {
        Map<String, String> imported = new HashMap<>();
        Matcher im = IMPORT.matcher(text);
        while (im.find()) {
            imported.put(im.group(2), im.group(1) + "." + im.group(2));
        }
        int bodyStart = 0;
        for (Matcher any = ANY_IMPORT.matcher(text); any.find(); ) {
            bodyStart = any.end();
        }
        Set<String> declared = new HashSet<>();
        Matcher d = DECLARED.matcher(text);
        while (d.find()) {
            declared.add(d.group(1));
        }
        String code = blankCommentsAndLiterals(text);
        Map<String, Set<String>> bySimple = new HashMap<>();
        List<Matcher> hits = new ArrayList<>();
        Matcher m = FULL_NAME.matcher(code);
        while (m.find()) {
            if (m.start() < bodyStart) {
                continue;
            }
            bySimple.computeIfAbsent(m.group(2), k -> new HashSet<>())
                    .add(m.group(1) + "." + m.group(2));
            hits.add(FULL_NAME.matcher(code).region(m.start(), m.end()));
        }
        List<String> out = new ArrayList<>();
        for (Matcher hit : hits) {
            hit.find();
            String simple = hit.group(2);
            String full = hit.group(1) + "." + simple;
            boolean clash =
                    declared.contains(simple)
                            || (imported.containsKey(simple) && !imported.get(simple).equals(full))
                            || bySimple.get(simple).size() > 1;
            if (!clash) {
                int line =
                        1
                                + (int)
                                        code.substring(0, hit.start())
                                                .chars()
                                                .filter(c -> c == '\n')
                                                .count();
                out.add(name + ":" + line + ": " + full);
            }
        }
        return out;
    }

    /** The text with comments, string and char literals and text blocks blanked (lines kept). */
    static String blankCommentsAndLiterals(String text) {
        StringBuilder b = new StringBuilder(text);
        int i = 0;
        int n = text.length();
        while (i < n) {
            int end;
            if (text.startsWith("//", i)) {
                end = text.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (text.startsWith("/*", i)) {
                end = text.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (text.startsWith("\"\"\"", i)) {
                end = text.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
            } else if (text.charAt(i) == '"' || text.charAt(i) == '\'') {
                char quote = text.charAt(i);
                end = i + 1;
                while (end < n && text.charAt(end) != quote) {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, n);
            } else {
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                if (b.charAt(k) != '\n') {
                    b.setCharAt(k, ' ');
                }
            }
            i = end;
        }
        return b.toString();
    }
}
