package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.ldirector.daemon.CommandLine;

/**
 * The man pages (src/main/man, roff written by hand, installed by both packages) cannot drift from
 * the program or the README: ldirector(8) names every verb and option of the usage text and the
 * README names them too; ldirector.cf(5) names exactly the directives the parser knows; and groff
 * renders both without a warning.
 */
class ManPagesTest {
    static final Path COMMAND = Path.of("src/main/man/ldirector.8");
    static final Path CONFIG = Path.of("src/main/man/ldirector.cf.5");
    static final Path GROFF = Path.of("/usr/bin/groff");

    /** The page as a reader sees it, near enough: roff's escaped hyphens and font changes gone. */
    static String text(Path page) throws Exception {
        return Files.readString(page).replace("\\-", "-").replaceAll("\\\\f[BIRP]", "");
    }

    static String readmeSection(String heading) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## " + heading + "\n");
        assertTrue(start >= 0, "README has no section " + heading);
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    static Set<String> options(String usage) {
        Set<String> found = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)").matcher(usage);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void theCommandPageAndTheReadmeNameEveryVerbAndOptionOfTheUsage() throws Exception {
        String page = text(COMMAND);
        String readme = readmeSection("Usage") + readmeSection("Operations");
        Set<String> options = options(CommandLine.USAGE);
        assertTrue(
                options.containsAll(
                        List.of(
                                "-d",
                                "--debug",
                                "--foreground",
                                "-t",
                                "--test",
                                "--json",
                                "-h",
                                "-v")),
                options.toString());
        for (String option : options) {
            assertTrue(
                    Pattern.compile("(?<![\\w-])" + Pattern.quote(option) + "(?![\\w-])")
                            .matcher(page)
                            .find(),
                    "ldirector(8) does not name " + option);
            assertTrue(readme.contains(option), "README's Usage does not name " + option);
        }
        // and no option the program does not have
        String synopsis =
                page.substring(page.indexOf(".SH SYNOPSIS"), page.indexOf(".SH DESCRIPTION"));
        String optionsSection =
                page.substring(page.indexOf(".SH OPTIONS"), page.indexOf(".SH COMMANDS"));
        for (String option : options(synopsis + optionsSection)) {
            assertTrue(
                    options.contains(option),
                    "ldirector(8) names " + option + ", which the usage does not know");
        }
        String commands =
                page.substring(page.indexOf(".SH COMMANDS"), page.indexOf(".SH EXIT STATUS"));
        for (String verb : CommandLine.VERBS) {
            assertTrue(
                    Pattern.compile(
                                    "^\\.TP\\n\\.BR? [^\\n]*(?<![\\w-])"
                                            + Pattern.quote(verb)
                                            + "(?![\\w-])",
                                    Pattern.MULTILINE)
                            .matcher(commands)
                            .find(),
                    "ldirector(8) COMMANDS has no entry for " + verb);
            assertTrue(readme.contains(verb), "README does not name the verb " + verb);
        }
    }

    @Test
    void theCommandPageAndTheReadmeNameTheToolVerbs() throws Exception {
        String page = text(COMMAND);
        String usage = CommandLine.USAGE;
        String commands =
                page.substring(page.indexOf(".SH COMMANDS"), page.indexOf(".SH EXIT STATUS"));
        String synopsis =
                page.substring(page.indexOf(".SH SYNOPSIS"), page.indexOf(".SH DESCRIPTION"));
        String readme = readmeSection("Coming from keepalived");
        for (String verb : CommandLine.TOOLS) {
            assertTrue(usage.contains("ldirector " + verb + " "), "the usage lacks " + verb);
            assertTrue(
                    synopsis.contains(".B " + verb + "\n"), "ldirector(8) SYNOPSIS lacks " + verb);
            assertTrue(
                    Pattern.compile(
                                    "^\\.TP\\n\\.BI? " + Pattern.quote(verb) + "(?![\\w-])",
                                    Pattern.MULTILINE)
                            .matcher(commands)
                            .find(),
                    "ldirector(8) COMMANDS has no entry for " + verb);
            assertTrue(
                    readme.contains("ldirector " + verb),
                    "README's Coming from keepalived does not show " + verb);
        }
    }

    @Test
    void theCommandPageNamesTheExitCodesSignalsFilesAndEnvironmentTheReadmeNames()
            throws Exception {
        String page = text(COMMAND);
        for (String section :
                List.of(
                        "EXIT STATUS",
                        "SIGNALS",
                        "FILES",
                        "ENVIRONMENT",
                        "DIFFERENCES FROM LDIRECTORD")) {
            assertTrue(page.contains("\n.SH " + section + "\n"), "ldirector(8) lacks " + section);
        }
        for (String signal : List.of("SIGHUP", "SIGTERM", "SIGINT", "SIGUSR1")) {
            assertTrue(
                    Pattern.compile(
                                    "^\\.TP\\n\\.BR? [^\\n]*\\b" + signal + "\\b",
                                    Pattern.MULTILINE)
                            .matcher(page)
                            .find(),
                    "ldirector(8) SIGNALS has no entry for " + signal);
        }
        String exit = page.substring(page.indexOf(".SH EXIT STATUS"), page.indexOf(".SH SIGNALS"));
        for (String code : List.of("0", "1", "2", "3")) {
            assertTrue(
                    exit.contains("\n.B " + code + "\n"), "ldirector(8) EXIT STATUS lacks " + code);
        }
        Matcher env =
                Pattern.compile("LDIRECTOR_[A-Z_]+")
                        .matcher(Files.readString(Path.of("README.md")));
        while (env.find()) {
            assertTrue(
                    page.contains(".B " + env.group()),
                    "ldirector(8) ENVIRONMENT lacks " + env.group());
        }
        for (String file :
                List.of(
                        "/run/ldirector.NAME.pid",
                        "/run/ldirector.NAME.sock",
                        "/etc/ha.d/ldirectord.cf")) {
            assertTrue(page.contains(file), "ldirector(8) FILES lacks " + file);
            assertTrue(
                    Files.readString(Path.of("README.md")).contains(file), "README lacks " + file);
        }
    }

    /** Directive names the page defines or mentions: {@code name=} in bold, as roff writes them. */
    static Set<String> directivesNamed(String roff) {
        Set<String> found = new TreeSet<>();
        Matcher m =
                Pattern.compile("(?:^\\.B[IR]? |\\\\fB)([a-z0-9]+)=", Pattern.MULTILINE)
                        .matcher(roff);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void theConfigPageDefinesEveryDirectiveTheParserKnowsAndNoOther() throws Exception {
        String roff = Files.readString(CONFIG);
        Set<String> known = new TreeSet<>(Directives.GLOBAL);
        known.addAll(Directives.VIRTUAL);
        Set<String> defined = new TreeSet<>();
        // an entry of its own: a .TP tag line that starts with the directive
        Matcher m =
                Pattern.compile("^\\.TP\\n(?:\\.B[IR]? |\\\\fB)([a-z0-9]+)=", Pattern.MULTILINE)
                        .matcher(roff);
        while (m.find()) {
            defined.add(m.group(1));
        }
        assertEquals(known, defined, "ldirector.cf(5) entries vs the parser's directives");
        Set<String> mentioned = directivesNamed(roff);
        mentioned.addAll(directivesNamed(Files.readString(COMMAND)));
        mentioned.removeAll(known);
        assertEquals(Set.of(), mentioned, "the man pages name directives the parser does not know");
    }

    @Test
    void everyDirectiveTheReadmeDocumentsIsInTheConfigPage() throws Exception {
        String page = text(CONFIG);
        Set<String> known = new TreeSet<>(Directives.GLOBAL);
        known.addAll(Directives.VIRTUAL);
        Matcher m =
                Pattern.compile("`([a-z0-9]+) ?=")
                        .matcher(readmeSection("Configuration") + readmeSection("Operations"));
        Set<String> readme = new TreeSet<>();
        while (m.find()) {
            readme.add(m.group(1));
        }
        assertTrue(
                readme.containsAll(
                        List.of(
                                "successcount",
                                "metrics",
                                "syncdaemon",
                                "httpscafile",
                                "httpsservername")),
                readme.toString());
        for (String directive : readme) {
            assertTrue(
                    known.contains(directive),
                    "README documents " + directive + "=, which the parser does not know");
            assertTrue(
                    page.contains(directive + "="),
                    "ldirector.cf(5) lacks " + directive + "=, which README documents");
        }
        // README calls these extensions; so must the page
        for (String extension :
                List.of(
                        "successcount",
                        "metrics",
                        "syncdaemon",
                        "httpscafile",
                        "httpsservername")) {
            Matcher entry =
                    Pattern.compile("\\n" + extension + "=[^\\n]*\\n\\(([^)]*)\\)")
                            .matcher(page.replaceAll("\\n\\.(TP|BI|BR|B) ", "\n"));
            assertTrue(
                    entry.find() && entry.group(1).contains("extension"),
                    "ldirector.cf(5) does not mark " + extension + " an extension");
        }
    }

    @Test
    void bothPagesRenderWithoutWarnings() throws Exception {
        assumeTrue(
                Files.isExecutable(GROFF),
                "groff is not installed (test-fixtures/deps/pkg.txt lists groff-base)");
        for (Path page : List.of(COMMAND, CONFIG)) {
            // -ww: every warning; -z: format, print nothing but the diagnostics
            Process p =
                    new ProcessBuilder(GROFF.toString(), "-ww", "-z", "-man", page.toString())
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), page + "\n" + out);
            assertEquals("", out, page + " renders with warnings");
            // and as a terminal shows it, with the name and every section heading
            p =
                    new ProcessBuilder(
                                    GROFF.toString(),
                                    "-ww",
                                    "-man",
                                    "-Tutf8",
                                    "-P-cbou",
                                    page.toString())
                            .start();
            String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals("", err, page + " renders with warnings on a terminal");
            assertTrue(shown.contains("NAME") && shown.contains("SEE ALSO"), shown);
        }
    }
}
