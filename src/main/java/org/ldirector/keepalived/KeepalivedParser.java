package org.ldirector.keepalived;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * keepalived's configuration language into a tree of {@link Node}s, as its parser reads it:
 * whitespace-separated words, {@code "double quoted"} words that keep their spaces, a {@code #} or
 * {@code !} outside quotes starting a comment, blocks in braces (the opening brace on the
 * statement's line or alone on the next one; a block may also close on the line it opened: {@code
 * url { path / }}). {@code include PATTERN} (and its variants includer, includem, includew,
 * includeb, includea) is replaced by the statements of every file the glob matches, sorted, a
 * relative pattern taken from the directory of the file that includes it (keepalived changes into
 * that directory while reading it). What keepalived would reject or this reader cannot follow — an
 * unmatched brace, a missing include, conditional lines ({@code @name}), parameter definitions
 * ({@code $NAME=}) — is reported to the problem sink with FILE:LINE; reading goes on.
 */
public final class KeepalivedParser {
    static final Set<String> INCLUDES =
            Set.of("include", "includer", "includem", "includew", "includeb", "includea");

    /** keepalived has no limit, but a file that includes itself must end somewhere. */
    private static final int MAX_DEPTH = 32;

    private record Token(Path file, int line, String text, boolean quoted) {
        boolean is(String s) {
            return !quoted && text.equals(s);
        }
    }

    private final Consumer<String> problems;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private KeepalivedParser(Consumer<String> problems) {
        this.problems = problems;
    }

    /**
     * The statements of {@code file} and everything it includes.
     *
     * @param problems receives one "FILE:LINE: message" per thing that could not be read
     * @throws IOException when {@code file} itself cannot be read
     */
    public static List<Node> parse(Path file, Consumer<String> problems) throws IOException {
        KeepalivedParser p = new KeepalivedParser(problems);
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        p.lex(file, text, 0);
        return p.statements(null);
    }

    /**
     * As {@link #parse(Path, Consumer)} for text that claims to come from {@code file}; includes
     * are read from disk.
     */
    static List<Node> parse(Path file, String text, Consumer<String> problems) {
        KeepalivedParser p = new KeepalivedParser(problems);
        p.lex(file, text, 0);
        return p.statements(null);
    }

    private void lex(Path file, String text, int depth) {
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            List<Token> words = words(file, n + 1, lines[n]);
            if (words.isEmpty()) {
                continue;
            }
            Token first = words.get(0);
            if (!first.quoted() && (first.text().startsWith("@") || first.text().startsWith("$"))) {
                problems.accept(
                        file
                                + ":"
                                + (n + 1)
                                + ": "
                                + (first.text().startsWith("@")
                                        ? "conditional configuration ("
                                                + first.text()
                                                + ") is not followed by the importer: line skipped"
                                        : "parameter substitution ("
                                                + first.text()
                                                + ") is not followed by the importer: line"
                                                + " skipped"));
                continue;
            }
            if (!first.quoted() && INCLUDES.contains(first.text())) {
                include(file, n + 1, words, depth);
                continue;
            }
            tokens.addAll(words);
            tokens.add(new Token(file, n + 1, "\n", false));
        }
    }

    private void include(Path file, int line, List<Token> words, int depth) {
        if (words.size() < 2) {
            problems.accept(
                    file + ":" + line + ": " + words.get(0).text() + " without a file name");
            return;
        }
        if (depth >= MAX_DEPTH) {
            problems.accept(
                    file
                            + ":"
                            + line
                            + ": include nested deeper than "
                            + MAX_DEPTH
                            + " files (does a file include itself?)");
            return;
        }
        for (Token w : words.subList(1, words.size())) {
            List<Path> found = glob(file, w.text());
            if (found.isEmpty()) {
                problems.accept(file + ":" + line + ": include " + w.text() + ": no file matches");
            }
            for (Path p : found) {
                try {
                    lex(p, Files.readString(p, StandardCharsets.ISO_8859_1), depth + 1);
                } catch (IOException e) {
                    problems.accept(
                            file
                                    + ":"
                                    + line
                                    + ": include "
                                    + p
                                    + ": cannot read: "
                                    + e.getMessage());
                }
            }
        }
    }

    /**
     * The files a pattern names, sorted (glob(3) sorts), relative to the including file's
     * directory.
     */
    static List<Path> glob(Path includer, String pattern) {
        Path dir = includer.getParent() == null ? Path.of("") : includer.getParent();
        Path whole = dir.resolve(pattern).normalize();
        if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[")) {
            return Files.isRegularFile(whole) ? List.of(whole) : List.of();
        }
        // wildcards in the last component only, the common conf.d/*.conf form; a directory glob is
        // walked level by level
        List<Path> out = new ArrayList<>();
        walk(whole.isAbsolute() ? whole.getRoot() : Path.of(""), whole, 0, out);
        out.sort(null);
        return out;
    }

    private static void walk(Path at, Path pattern, int i, List<Path> out) {
        if (i == pattern.getNameCount()) {
            if (Files.isRegularFile(at)) {
                out.add(at);
            }
            return;
        }
        String part = pattern.getName(i).toString();
        if (!part.contains("*") && !part.contains("?") && !part.contains("[")) {
            walk(at.resolve(part), pattern, i + 1, out);
            return;
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + part);
        Path dir = at.toString().isEmpty() ? Path.of(".") : at;
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Path name = p.getFileName();
                // as glob(3): a leading dot is matched only by a pattern that starts with one
                if (m.matches(name) && (!name.toString().startsWith(".") || part.startsWith("."))) {
                    walk(at.resolve(name), pattern, i + 1, out);
                }
            }
        } catch (IOException e) {
            // an unreadable directory matches nothing, as glob(3) without GLOB_ERR
        }
    }

    /** One line's words: quotes removed, comments dropped, braces their own words. */
    private static List<Token> words(Path file, int line, String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '!') {
                break;
            } else if (c == '{' || c == '}') {
                out.add(new Token(file, line, String.valueOf(c), false));
                i++;
            } else if (c == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) {
                    end = s.length(); // keepalived takes an unclosed quote to the end of the line
                }
                out.add(new Token(file, line, s.substring(i + 1, end), true));
                i = end + 1;
            } else {
                int start = i;
                // a comment may start anywhere outside quotes, even inside a word
                // (keepalived.conf(5))
                while (i < s.length()
                        && !Character.isWhitespace(s.charAt(i))
                        && "{}\"#!".indexOf(s.charAt(i)) < 0) {
                    i++;
                }
                out.add(new Token(file, line, s.substring(start, i), false));
            }
        }
        return out;
    }

    /** Statements until the end of input, or until the brace that closes {@code open}. */
    private List<Node> statements(Token open) {
        List<Node> out = new ArrayList<>();
        while (pos < tokens.size()) {
            Token t = tokens.get(pos);
            if (t.is("\n")) {
                pos++;
            } else if (t.is("}")) {
                pos++;
                if (open == null) {
                    problems.accept(t.file() + ":" + t.line() + ": '}' closes no block");
                    continue;
                }
                return out;
            } else if (t.is("{")) {
                // a block with no statement before it: read and drop it, so its contents do not
                // leak upward
                pos++;
                problems.accept(
                        t.file()
                                + ":"
                                + t.line()
                                + ": '{' opens a block with no keyword before it: block skipped");
                statements(t);
            } else {
                out.add(statement());
            }
        }
        if (open != null) {
            problems.accept(open.file() + ":" + open.line() + ": '{' is never closed");
        }
        return out;
    }

    private Node statement() {
        Token first = tokens.get(pos);
        List<String> words = new ArrayList<>();
        while (pos < tokens.size()
                && !tokens.get(pos).is("\n")
                && !tokens.get(pos).is("{")
                && !tokens.get(pos).is("}")) {
            words.add(tokens.get(pos).text());
            pos++;
        }
        // the opening brace may stand alone on the next line
        int look = pos;
        while (look < tokens.size() && tokens.get(look).is("\n")) {
            look++;
        }
        if (look < tokens.size() && tokens.get(look).is("{")) {
            Token open = tokens.get(look);
            pos = look + 1;
            return new Node(
                    first.file(),
                    first.line(),
                    List.copyOf(words),
                    List.copyOf(statements(open)),
                    true);
        }
        return new Node(first.file(), first.line(), List.copyOf(words), List.of(), false);
    }
}
