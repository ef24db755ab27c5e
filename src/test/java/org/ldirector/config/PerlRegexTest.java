package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PerlRegex against Perl itself: every (pattern, subject) pair of the corpus is matched by one perl
 * process the way ldirectord matches receive ({@code $subject =~ /$receive/}, bytes, no flags), and
 * the Java pattern must give the same answer; a pattern Perl rejects must be refused too. Java
 * strings here hold one byte per char (Latin-1), as the checks decode what a real sends.
 */
class PerlRegexTest {
    private static final Path PERL = Path.of("/usr/bin/perl");

    /** Prints 1 or 0 per line "hex(pattern) hex(subject)", or E when Perl rejects the pattern. */
    private static final String ORACLE =
            """
            no warnings;
            binmode STDIN; binmode STDOUT;
            while (my $line = <STDIN>) {
              chomp $line;
              my ($p, $s) = map { pack("H*", $_) } split / /, $line, -1;
              my $r = eval { $s =~ /$p/ ? 1 : 0 };
              print defined $r ? $r : "E", "\\n";
            }
            """;

    @TempDir Path work;

    private record Pair(String pattern, String subject) {
        @Override
        public String toString() {
            return "/" + visible(pattern) + "/ against \"" + visible(subject) + "\"";
        }
    }

    private static String visible(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02X", (int) c));
        }
        return b.toString();
    }

    private static void grid(List<Pair> pairs, List<String> patterns, List<String> subjects) {
        for (String p : patterns) {
            for (String s : subjects) {
                pairs.add(new Pair(p, s));
            }
        }
    }

    static List<Pair> corpus() {
        List<Pair> pairs = new ArrayList<>();
        // the issue's three cases, verbatim
        pairs.add(new Pair("ok.*done", "ok\rdone"));
        pairs.add(new Pair("^test$", "test\r\n"));
        pairs.add(new Pair("^[[:digit:]]+ items", "42 items"));

        // dot, anchors and CR/LF mixes
        grid(
                pairs,
                List.of(
                        "ok.*done",
                        "^test$",
                        "test$",
                        "test\\Z",
                        "test\\z",
                        "\\Atest",
                        "(?m)^b$",
                        "(?s)a.b",
                        "a.b",
                        "(?m)a$",
                        "^$",
                        "(?m)^$",
                        "a\\R?b",
                        "a\\Rb",
                        "a\\R{2}b",
                        "\\N+$",
                        "a\\vb",
                        "a\\Vb",
                        "(?m)\\Z",
                        "(?m)test\\n^",
                        "x$\\n",
                        "(?m)^",
                        "(?m:^)a",
                        "(?m)(?-m)^$"),
                List.of(
                        "ok\rdone",
                        "test\r\n",
                        "test\n",
                        "test",
                        "a\nb\n",
                        "a\r\nb",
                        "a\rb",
                        "a\u0085b",
                        "\r\n",
                        "",
                        "test\n\n",
                        "x\n"));

        // POSIX classes, negated, inside larger classes, under /i
        grid(
                pairs,
                List.of(
                        "^[[:digit:]]+ items",
                        "[[:^digit:]]",
                        "^[[:alpha:][:digit:]_]+$",
                        "[[:punct:]]",
                        "[[:space:]]",
                        "^[[:print:]]+$",
                        "[[:cntrl:]]",
                        "^[[:xdigit:]]+$",
                        "[[:upper:]]",
                        "(?i)[[:upper:]]",
                        "(?i)[^[:lower:]]",
                        "[[:word:]]+",
                        "[[:blank:]]",
                        "[[:^space:]]",
                        "[:digit:]",
                        "[[:alnum:]-]",
                        "[[:graph:]]"),
                List.of(
                        "42 items",
                        "abc",
                        "ABC",
                        "a-b",
                        "\t",
                        "\u00e9",
                        "\u000b",
                        "dead BEEF",
                        "\u00a0",
                        ":"));

        // classes: ranges, escapes, brackets and ampersands Java reads otherwise
        grid(
                pairs,
                List.of(
                        "[]a]",
                        "[^]a]",
                        "[a-c]+",
                        "[\\d-z]",
                        "[a-\\d]",
                        "[&&]",
                        "[a[b]",
                        "[\\x41-\\x43]",
                        "[\\b]",
                        "[\\w.-]+@",
                        "[^\\n]",
                        "[.]",
                        "[$]",
                        "[\\h]",
                        "[\\v]",
                        "[\\101]",
                        "[\\cA]"),
                List.of(
                        "]", "a", "-", "&", "[", "\b", "x@y", "\n", ".", "$", "\u00a0", "\u0001",
                        "B"));

        // escapes: Perl's spellings Java lacks or reads otherwise
        grid(
                pairs,
                List.of(
                        "\\x41",
                        "\\x{41}",
                        "\\x{ 4_1 }",
                        "\\x4",
                        "\\xg",
                        "\\101",
                        "\\o{101}",
                        "\\0",
                        "\\ca",
                        "\\c?",
                        "\\e",
                        "\\a",
                        "a\\Qb",
                        "a\\Eb",
                        "\\Ua",
                        "\\q",
                        "a\\Kb",
                        "\\Kb",
                        "\\N",
                        "\\h\\H",
                        "\\18",
                        "\\bword\\b",
                        "\\Bor\\B",
                        "\\btest"),
                List.of(
                        "A",
                        "\u0004",
                        "\u0000g",
                        "\u0001",
                        "!",
                        "\u007f",
                        "\u001b\u0007",
                        "aQb",
                        "ab",
                        "aEb",
                        "Ua",
                        "q",
                        "\u00018",
                        "a word",
                        "words",
                        "\u00e9test",
                        "\u00a0x"));

        // groups, backrefs, flags
        grid(
                pairs,
                List.of(
                        "(a)\\1",
                        "(a)\\g1",
                        "(a)\\g{1}",
                        "(a)(b)\\g{-2}",
                        "(?<n>a)\\k<n>",
                        "(?P<n>a)(?P=n)",
                        "(?'n'a)\\k'n'",
                        "(?<n_1>a)\\k{n_1}",
                        "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10",
                        "(a)(b)(c)(d)(e)(f)(g)(h)(i)\\10(j)",
                        "\\10",
                        "(?i)A(?-i)a",
                        "(?i:A)a",
                        "(?^i:A)",
                        "(?i)(?^:A)",
                        "(?x) a b # comment\n c",
                        "(?x)[ ]",
                        "(?xx)[ a]",
                        "(?x)a\\ b",
                        "(?#note)a",
                        "a(?=b)",
                        "a(?!b)",
                        "(?<=a)b",
                        "(?<!a)b",
                        "(?>a+)b",
                        "a++b",
                        "a{2}",
                        "a{2,}",
                        "a{,2}b",
                        "a{ 1 , 2 }b",
                        "{3}",
                        "a{x}",
                        "a{2,x}",
                        "(*FAIL)|a",
                        "(*pla:a)a",
                        "(?a)\\w",
                        "(?aa)\\d",
                        "(?p)a",
                        "(?i)\u00c9",
                        "(?i)ss",
                        "\\1(a)"),
                List.of(
                        "aa",
                        "aA",
                        "ab",
                        "abab",
                        "abcdefghijj",
                        "abcdefghi\bj",
                        "\b",
                        "a",
                        "A",
                        "abc",
                        "a b",
                        "{3}",
                        "a{x}",
                        "a{2,x}",
                        "aab",
                        "aaab",
                        "\u00e9",
                        "\u00df"));

        // scoping of inline flags, syntax Perl rejects (both must refuse), empty pieces, quantifier
        // edges
        grid(
                pairs,
                List.of(
                        "((?i)a)a",
                        "(?i:a)(a)",
                        "(?x: a )b c",
                        "(?x)(?-x: )a",
                        "(?i)(a)\\1",
                        "(?s:.)\\n",
                        "(?m:^b)",
                        "a|",
                        "|a",
                        "()a",
                        "(?:)",
                        "a{0}b",
                        "a{3,2}",
                        "(",
                        ")",
                        "[",
                        "*a",
                        "a**",
                        "\\",
                        "[z-a]",
                        "a{1,2}?b",
                        "a?+",
                        "(?i",
                        "(?z)",
                        "[\\Q]",
                        "a$|b",
                        "\\$",
                        "x{65535}",
                        "x{65534}",
                        "x{3,2}?y",
                        "x{2,1}|b",
                        "(?-p)",
                        "(?^m:^b$)",
                        "(?<=a|bc)d",
                        "\\Gb",
                        "\\Z\\n",
                        "\\x{0a}",
                        "\\n\\z"),
                List.of(
                        "aa", "Aa", "aA", "ab", "ab c", " a", "a\nb", "", "b", "d", "bcd", "$",
                        "a\n\n", "Q"));

        // unicode: the subject is bytes (UTF-8 as Latin-1 chars), the pattern too
        grid(
                pairs,
                List.of(
                        "caf\u00c3\u00a9",
                        "caf.$",
                        "caf..$",
                        "^\\w+$",
                        "\u00c3.",
                        "[\u00c3\u00a9]{2}",
                        "(?i)CAF\u00c3\u0089",
                        "\\s",
                        "\\S+",
                        "\\d",
                        "\\x{e9}",
                        "[^\\x00-\\x7f]",
                        "\\X\\z"),
                List.of(
                        "caf\u00c3\u00a9",
                        "caf\u00e9",
                        "CAF\u00c3\u00a9",
                        "\u00a0",
                        "\u0085",
                        "\u00bd",
                        "\r\n"));
        return pairs;
    }

    /** The Perl verdicts, in order: "1", "0" or "E". */
    private List<String> perl(List<Pair> pairs) throws IOException, InterruptedException {
        HexFormat hex = HexFormat.of();
        StringBuilder in = new StringBuilder();
        for (Pair p : pairs) {
            in.append(hex.formatHex(p.pattern().getBytes(StandardCharsets.ISO_8859_1)))
                    .append(' ')
                    .append(hex.formatHex(p.subject().getBytes(StandardCharsets.ISO_8859_1)))
                    .append('\n');
        }
        Path script = work.resolve("oracle.pl");
        Path input = work.resolve("pairs.txt");
        Files.writeString(script, ORACLE, StandardCharsets.US_ASCII);
        Files.writeString(input, in, StandardCharsets.US_ASCII);
        Process p =
                new ProcessBuilder(PERL.toString(), script.toString())
                        .redirectInput(input.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "perl did not finish");
        assertEquals(0, p.exitValue(), "perl failed");
        List<String> lines = out.lines().toList();
        assertEquals(pairs.size(), lines.size(), "one verdict per pair");
        return lines;
    }

    private static String java(Pair pair) {
        try {
            return PerlRegex.compile(pair.pattern()).matcher(pair.subject()).find() ? "1" : "0";
        } catch (PatternSyntaxException e) {
            return "E";
        }
    }

    @Test
    void everyPairOfTheCorpusMatchesAsPerlDoes() throws Exception {
        assumeTrue(Files.isExecutable(PERL), "no perl at " + PERL);
        List<Pair> pairs = corpus();
        assertTrue(pairs.size() >= 200, "corpus of " + pairs.size());
        List<String> expected = perl(pairs);
        // a corpus Perl answers mostly one way would prove little
        assertTrue(expected.stream().filter("1"::equals).count() > 300, "matches in the corpus");
        assertTrue(
                expected.stream().filter("0"::equals).count() > 300, "non-matches in the corpus");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            String got = java(pairs.get(i));
            if (!got.equals(expected.get(i))) {
                differences.add(
                        pairs.get(i)
                                + ": perl "
                                + expected.get(i)
                                + ", ldirector "
                                + got
                                + (got.equals("E")
                                        ? ""
                                        : " (java: "
                                                + PerlRegex.translate(pairs.get(i).pattern())
                                                + ")"));
            }
        }
        assertEquals(
                List.of(), differences, differences.size() + " of " + pairs.size() + " differ");
    }

    /**
     * Patterns strung together at random from Perl's pieces (a fixed seed, so a failure repeats):
     * each must answer as Perl does, or be refused. Refusing what Perl accepts is allowed, rarely;
     * accepting what Perl rejects is not, since ldirectord would stop at such a pattern.
     */
    @Test
    void randomPatternsAnswerAsPerlDoesOrAreRefused() throws Exception {
        assumeTrue(Files.isExecutable(PERL), "no perl at " + PERL);
        String[] pieces = {
            "a",
            "b",
            "A",
            "c",
            "\\r",
            "\\n",
            ".",
            "^",
            "$",
            "*",
            "+",
            "?",
            "{2}",
            "{1,}",
            "{,2}",
            "{1,2}",
            "(",
            ")",
            "(?:",
            "(?i)",
            "(?m)",
            "(?s)",
            "(?x)",
            "(?xx)",
            "(?-i)",
            "(?i:",
            "(?^:",
            "(?^i:",
            "(?mi-s:",
            "|",
            "\\d",
            "\\w",
            "\\s",
            "\\b",
            "\\B",
            "\\A",
            "\\z",
            "\\Z",
            "\\1",
            "\\2",
            "\\10",
            "\\g1",
            "\\g{-1}",
            "\\g{n}",
            "(?<n>",
            "(?'n'",
            "(?P<n>",
            "(?P=n)",
            "\\k<n>",
            "\\h",
            "\\v",
            "\\R",
            "\\N",
            "\\x41",
            "\\x4",
            "\\x{e9}",
            "\\0",
            "\\012",
            "\\o{101}",
            "\\cA",
            "(?=",
            "(?!",
            "(?<=",
            "(?<!",
            "(?>",
            "*+",
            "*?",
            " ",
            "#x\n",
            "\\Q",
            "\\E",
            "\u00e9",
            "\\t",
            "\\G",
            "(?#c)",
            "\\K",
            "\\ ",
            "\\.",
            "@",
            "-",
            "/",
            "{",
            "}",
            "]"
        };
        String[] inBrackets = {
            "a",
            "-",
            "z",
            "A-Z",
            "a-c",
            "\\d",
            "\\w",
            "\\s",
            "\\h",
            "[:alpha:]",
            "[:^digit:]",
            "[:upper:]",
            "[:punct:]",
            "]",
            "^",
            "[",
            "&&",
            "\\b",
            "\\x41",
            "\\101",
            "\\n",
            "\\ca",
            "-\\d",
            "\\d-z",
            " ",
            "#",
            "$",
            ".",
            "\\\\",
            "\u00e9",
            "\u0085",
            "\\1",
            "\\X"
        };
        String[] subjects = {
            "",
            "a",
            "ab",
            "aB",
            "A\r\nb",
            "a\nb\n",
            "a\rb",
            "\n",
            "ab\n",
            "\u00e9",
            "\u00c3\u00a9",
            "a b",
            "ba1",
            "AAb",
            "a\u0085b",
            "\u0000",
            "{2}",
            "]",
            "-",
            "&",
            "aa\n\n",
            "Ab cd",
            "1a",
            "abab",
            "aA",
            "\u0001",
            "cc",
            "x#y",
            "@a/",
            "$a",
            "\t",
            "A-Z"
        };
        Random random = new Random(26);
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            StringBuilder p = new StringBuilder();
            for (int n = 1 + random.nextInt(7); n > 0; n--) {
                if (random.nextInt(4) == 0) {
                    p.append('[').append(random.nextBoolean() ? "^" : "");
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        p.append(inBrackets[random.nextInt(inBrackets.length)]);
                    }
                    p.append(']');
                } else {
                    p.append(pieces[random.nextInt(pieces.length)]);
                }
            }
            for (int k = 0; k < 3; k++) {
                pairs.add(new Pair(p.toString(), subjects[random.nextInt(subjects.length)]));
            }
        }
        List<String> expected = perl(pairs);
        List<String> wrong = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < pairs.size(); i++) {
            String got = java(pairs.get(i));
            if (got.equals("E") && !expected.get(i).equals("E")) {
                refused++;
            } else if (!got.equals(expected.get(i))) {
                wrong.add(pairs.get(i) + ": perl " + expected.get(i) + ", ldirector " + got);
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + pairs.size() + " differ");
        assertTrue(refused < pairs.size() / 100, refused + " refused that Perl accepts");
    }

    /**
     * ldirectord.cf is read as UTF-8 (issue 24) while Perl reads it as bytes: a receive with é or
     * U+202E is the bytes of its UTF-8 spelling, matched against the real's bytes as Perl does.
     */
    @Test
    void aConfiguredPatternBeyondAsciiIsMatchedAsItsUtf8Bytes() {
        Pattern p = PerlRegex.compileConfigured("caf\u00e9 \u202e");
        String utf8Answer =
                new String(
                        "caf\u00e9 \u202e".getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.ISO_8859_1);
        assertTrue(p.matcher("<b>" + utf8Answer + "</b>").find());
        assertFalse(p.matcher("caf\u00e9 ").find(), "a Latin-1 é is another byte than UTF-8's");
        assertTrue(
                PerlRegex.compileConfigured("^caf.. ok$")
                        .matcher(
                                new String(
                                        "caf\u00e9 ok".getBytes(StandardCharsets.UTF_8),
                                        StandardCharsets.ISO_8859_1))
                        .find(),
                "é is two bytes to Perl's .");
    }

    @Test
    void theThreeCasesOfTheIssueAnswerAsLdirectordDoes() {
        assertTrue(PerlRegex.compile("ok.*done").matcher("ok\rdone").find());
        assertFalse(PerlRegex.compile("^test$").matcher("test\r\n").find());
        assertTrue(PerlRegex.compile("^[[:digit:]]+ items").matcher("42 items").find());
    }

    /**
     * Constructs Perl accepts that Java cannot match the same way: refused, with the reason named.
     */
    @Test
    void whatCannotBeTranslatedIsRefusedWithTheReason() {
        String[][] refused = {
            {"(a|b(?R))", "recursion"},
            {"(a)(?1)", "recursion"},
            {"(?<n>a)(?&n)", "recursion"},
            {"(?{ 1 })a", "code"},
            {"(?(1)a|b)", "conditionals"},
            {"(?|(a)|(b))", "branch reset"},
            {"\\p{L}", "Unicode properties"},
            {"\\N{U+41}", "named characters"},
            {"\\x{100}", "above \\xFF"},
            {"(?u)\\w", "Unicode rules"},
            {"(?l)\\w", "locale"},
            {"(?n)(a)", "non-capturing"},
            {"a(*PRUNE)b", "backtracking control"},
            {"\\b{wb}", "Unicode boundaries"},
            {"(?<n>a)(?<n>b)", "used twice"},
            {"(?=a\\K)", "\\K"},
            {"[[:foo:]]", "unknown"},
            {"(a)\\2", "does not have"},
            {"\\C", "no longer supported"},
            {"[[=a=]]", "reserved"},
            {"(*FAIL:x", "unterminated"},
            {"(?<=a+)b", "bounded length"},
            {"a{2}{3}", "nested quantifiers"},
        };
        for (String[] r : refused) {
            PatternSyntaxException e =
                    assertThrows(PatternSyntaxException.class, () -> PerlRegex.compile(r[0]), r[0]);
            assertTrue(e.getDescription().contains(r[1]), r[0] + ": " + e.getDescription());
        }
    }

    @Test
    void aDigitAfterABackReferenceStaysALiteralInExtendedMode() {
        // Perl reads "\1 0" under /x as group 1 then '0'; a plain "\10" in Java would be group 10
        // or \1 and '0'
        assertTrue(PerlRegex.compile("(?x)(a) \\1 0").matcher("aa0").find());
    }
}
