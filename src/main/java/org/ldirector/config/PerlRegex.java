package org.ldirector.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Perl regular expression, as ldirectord uses one, turned into a {@link Pattern} that gives the
 * same match / no-match answer, or refused with the reason.
 *
 * <p>ldirectord interpolates {@code receive} into {@code $subject =~ /$re/}: the text between the
 * quotes reaches Perl's regex compiler as it is (no second interpolation, so {@code $name} is an
 * anchor and a name, and {@code \Q}, {@code \E}, {@code \U}, {@code \L} are unknown escapes
 * standing for the letter), with no flags, searched unanchored. The config file and every subject
 * are bytes (Latin-1 here), so Perl's {@code /d} rules apply: {@code \w}, {@code \d}, {@code \s},
 * POSIX classes and {@code (?i)} are ASCII-only, which is Java's default.
 *
 * <p>The pattern is scanned character by character and written again in Java's syntax: literals are
 * escaped, {@code .} {@code $} {@code \Z} take Perl's meaning through {@link Pattern#UNIX_LINES},
 * {@code \b} is spelled with look-arounds (Java 17's {@code \b} counts Latin-1 letters as word
 * characters), POSIX bracket classes become {@code \p{..}}, {@code /x} whitespace and comments are
 * dropped here (Java's comments mode also ignores blanks inside brackets, Perl's does not),
 * numbered and named back-references are resolved to numbers, and {@code \K} becomes an empty group
 * (it moves the start of the reported match, which a yes/no search never looks at). What would
 * match something else in Java is refused: recursion, code, conditionals, branch reset,
 * backtracking verbs, Unicode properties and names and code points above {@code \xFF} (each
 * switches Perl to Unicode rules for the whole pattern), {@code (?u)}, {@code (?l)}, {@code (?n)}.
 */
public final class PerlRegex {

    private static final String WORD_BOUNDARY = "(?:(?<=\\w)(?!\\w)|(?<!\\w)(?=\\w))";
    private static final String NOT_WORD_BOUNDARY = "(?:(?<=\\w)(?=\\w)|(?<!\\w)(?!\\w))";

    /** Perl's \R: a CR LF pair taken whole, or one vertical whitespace character. */
    private static final String LINEBREAK =
            "(?>\\x{0D}\\x{0A}|[\\x{0A}\\x{0B}\\x{0C}\\x{0D}\\x{85}\\x{2028}\\x{2029}])";

    private static final Map<String, String> POSIX =
            Map.ofEntries(
                    Map.entry("alpha", "Alpha"),
                    Map.entry("digit", "Digit"),
                    Map.entry("alnum", "Alnum"),
                    Map.entry("upper", "Upper"),
                    Map.entry("lower", "Lower"),
                    Map.entry("punct", "Punct"),
                    Map.entry("graph", "Graph"),
                    Map.entry("print", "Print"),
                    Map.entry("space", "Space"),
                    Map.entry("blank", "Blank"),
                    Map.entry("cntrl", "Cntrl"),
                    Map.entry("xdigit", "XDigit"),
                    Map.entry("ascii", "ASCII"),
                    Map.entry("word", "word"));

    private PerlRegex() {}

    /**
     * The Java pattern for Perl regex {@code perl}.
     *
     * @throws PatternSyntaxException when Perl would reject the pattern, or when it uses a
     *     construct Java cannot match the same way; the description names the construct and why
     */
    public static Pattern compile(String perl) {
        String java = translate(perl);
        try {
            return Pattern.compile(java, Pattern.UNIX_LINES);
        } catch (PatternSyntaxException e) {
            throw new PatternSyntaxException(e.getDescription(), perl, -1);
        }
    }

    /**
     * The Java pattern for a {@code receive=} as written in ldirectord.cf. Perl reads the file as
     * bytes and matches them against the real's bytes, so a character beyond ASCII is the bytes of
     * its UTF-8 spelling on both sides: here each byte becomes one char, as the answers are read.
     *
     * @throws PatternSyntaxException as {@link #compile}
     */
    public static Pattern compileConfigured(String text) {
        return compile(
                new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }

    /** The Java spelling of {@code perl}, to be compiled with {@link Pattern#UNIX_LINES}. */
    public static String translate(String perl) {
        Scanner counting = new Scanner(perl, null);
        counting.run();
        Scanner s = new Scanner(perl, counting);
        s.run();
        return s.out.toString();
    }

    /**
     * What is in force inside one group: Perl's /i, /m and /x (Java applies /i and /m itself; they
     * are tracked for [:upper:] and ^), and whether the group is inside a look-around.
     */
    private record Frame(boolean ignoreCase, boolean multiline, int extended, Around around) {
        boolean lookaround() {
            return around != Around.NONE;
        }
    }

    /**
     * Whether a group is inside a look-ahead or a look-behind (the latter wins: Perl bounds its
     * length).
     */
    private enum Around {
        NONE,
        AHEAD,
        BEHIND
    }

    /**
     * What the last token was: a quantifier needs an atom, and Perl reads "{3}" after nothing as
     * text.
     */
    private enum Last {
        NOTHING,
        ATOM,
        QUANTIFIER,
        SUFFIXED,
        KEEP
    }

    private static final class Scanner {
        private final String src;

        /**
         * The first pass over the pattern, which counted its groups and named them; null during
         * that pass.
         */
        private final Scanner counted;

        private final StringBuilder out = new StringBuilder();
        private final Deque<Frame> frames = new ArrayDeque<>();
        private final Map<String, Integer> names = new HashMap<>();
        private Frame frame = new Frame(false, false, 0, Around.NONE);
        private int pos;
        private int groups;

        /** What was written last, for Perl's rules on quantifiers and braces. */
        private Last last = Last.NOTHING;

        /** The last token was a backslash and a letter, after which Perl refuses a literal "{". */
        private boolean letterEscape;

        Scanner(String src, Scanner counted) {
            this.src = src;
            this.counted = counted;
        }

        private PatternSyntaxException refuse(String why) {
            return new PatternSyntaxException(why, src, Math.min(pos, src.length()));
        }

        void run() {
            while (pos < src.length()) {
                char c = src.charAt(pos);
                boolean afterLetterEscape = letterEscape;
                letterEscape = false;
                if (frame.extended() > 0 && blank(c)) {
                    pos++;
                    continue;
                }
                if (frame.extended() > 0 && c == '#') {
                    int nl = src.indexOf('\n', pos);
                    pos = nl < 0 ? src.length() : nl + 1;
                    continue;
                }
                switch (c) {
                    case '\\' -> {
                        pos++;
                        escape();
                    }
                    case '[' -> {
                        pos++;
                        bracket();
                        last = Last.ATOM;
                    }
                    case '(' -> {
                        pos++;
                        group();
                    }
                    case ')' -> {
                        if (frames.isEmpty()) {
                            throw refuse("unmatched ) in the regex");
                        }
                        frame = frames.pop();
                        out.append(')');
                        pos++;
                        last = Last.ATOM;
                    }
                    case '|' -> {
                        out.append('|');
                        pos++;
                        last = Last.NOTHING;
                    }
                    case '^' -> {
                        // Java's multi-line ^ never matches an empty subject; Perl's does, at its
                        // start
                        out.append(frame.multiline() ? "(?:^|\\A)" : "^");
                        pos++;
                        last = Last.ATOM;
                    }
                    case '.', '$' -> {
                        out.append(c);
                        pos++;
                        last = Last.ATOM;
                    }
                    case '*', '+', '?' -> quantifier(c);
                    case '{' -> brace(afterLetterEscape);
                    default -> {
                        literal(c);
                        pos++;
                        last = Last.ATOM;
                    }
                }
            }
            if (!frames.isEmpty()) {
                throw refuse("unmatched ( in the regex");
            }
        }

        private static boolean blank(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r'
                    || c == 0x85;
        }

        private void literal(int c) {
            if (c > 0xFF) {
                throw refuse(
                        String.format(
                                "character U+%04X is above \\xFF: Perl then matches with Unicode"
                                        + " rules, and the subject is bytes",
                                c));
            }
            if (c < 0x80 && Character.isLetterOrDigit(c)) {
                out.append((char) c);
            } else if (c > 0x20 && c < 0x7F) {
                out.append('\\').append((char) c);
            } else {
                out.append(String.format("\\x{%X}", c));
            }
        }

        /**
         * {n}, {n,}, {n,m} or {,m} at pos (blanks allowed, as Perl 5.34 on): its bounds and end, or
         * null.
         */
        private record Bounds(int low, int high, int end) {}

        private Bounds bounds() {
            int close = src.indexOf('}', pos);
            if (close < 0) {
                return null;
            }
            String inner = src.substring(pos + 1, close).replace(" ", "").replace("\t", "");
            int comma = inner.indexOf(',');
            String min = comma < 0 ? inner : inner.substring(0, comma);
            String max = comma < 0 ? null : inner.substring(comma + 1);
            boolean digits =
                    min.chars().allMatch(Character::isDigit)
                            && (max == null || max.chars().allMatch(Character::isDigit));
            if (!digits || inner.isEmpty() || (min.isEmpty() && (max == null || max.isEmpty()))) {
                return null;
            }
            int low = min.isEmpty() ? 0 : parseCapped(min);
            int high = max == null ? low : max.isEmpty() ? -1 : parseCapped(max);
            return new Bounds(low, high, close + 1);
        }

        /**
         * *, +, ? and their lazy and possessive forms; Perl refuses one on nothing, on \K, or on
         * another.
         */
        private void quantifier(char c) {
            if (last == Last.QUANTIFIER && (c == '?' || c == '+')) {
                out.append(c);
                pos++;
                last = Last.SUFFIXED;
                return;
            }
            quantifiable(c != '?');
            if (c != '?' && frame.around() == Around.BEHIND) {
                throw refuse("a look-behind must have a bounded length (Perl: at most 255)");
            }
            out.append(c);
            pos++;
            last = Last.QUANTIFIER;
        }

        /**
         * @param unbounded whether the quantifier has no upper bound (Perl forbids those on \\K)
         */
        private void quantifiable(boolean unbounded) {
            switch (last) {
                case NOTHING -> throw refuse("quantifier follows nothing");
                case QUANTIFIER, SUFFIXED -> throw refuse("nested quantifiers");
                case KEEP -> {
                    if (unbounded) {
                        throw refuse(
                                "\\K with *, + or {n,} is forbidden: it matches the empty string"
                                        + " many times");
                    }
                }
                default -> {}
            }
        }

        /**
         * "{" quantifies only in the form of {@link #bounds} and after something; else it is a
         * brace.
         */
        private void brace(boolean afterLetterEscape) {
            Bounds b = last == Last.NOTHING ? null : bounds();
            if (b == null) {
                if (afterLetterEscape || last == Last.KEEP) {
                    throw refuse(
                            "unescaped left brace right after a \\letter escape is illegal in"
                                    + " Perl");
                }
                out.append("\\{");
                pos++;
                last = Last.ATOM;
                return;
            }
            quantifiable(b.high() < 0);
            if (Math.max(b.low(), b.high()) > 65534) {
                throw refuse("quantifier in {,} bigger than 65534 (Perl's limit)");
            }
            if (frame.around() == Around.BEHIND && (b.high() < 0 || b.high() > 255)) {
                throw refuse("a look-behind must have a bounded length (Perl: at most 255)");
            }
            pos = b.end();
            if (b.high() >= 0 && b.high() < b.low()) {
                // Perl compiles {3,2} to a point that never matches, with nothing left for a ? or +
                // to quantify
                out.append("{0}(?!)");
                last = Last.NOTHING;
                return;
            }
            out.append('{').append(b.low());
            if (b.high() != b.low()) {
                out.append(',').append(b.high() < 0 ? "" : Integer.toString(b.high()));
            }
            out.append('}');
            last = Last.QUANTIFIER;
        }

        // ------------------------------------------------------------------ groups

        private void group() {
            if (at("?#")) {
                int close = src.indexOf(')', pos);
                if (close < 0) {
                    throw refuse("unterminated (?#...) comment");
                }
                pos = close + 1;
                return;
            }
            if (at("*")) {
                verb();
                return;
            }
            if (!at("?")) {
                open("(", Around.NONE);
                groups++;
                return;
            }
            pos++;
            if (at(":")) {
                pos++;
                open("(?:", Around.NONE);
            } else if (at("=") || at("!")) {
                open("(?" + src.charAt(pos++), Around.AHEAD);
            } else if (at("<=") || at("<!")) {
                open("(?" + src.substring(pos, pos + 2), Around.BEHIND);
                pos += 2;
            } else if (at(">")) {
                pos++;
                open("(?>", Around.NONE);
            } else if (at("<") || at("'") || at("P<")) {
                if (at("P")) {
                    pos++;
                }
                char end = src.charAt(pos) == '<' ? '>' : '\'';
                pos++;
                String name = name(end);
                groups++;
                if (counted == null && names.putIfAbsent(name, groups) != null) {
                    throw refuse(
                            "the group name '"
                                    + name
                                    + "' is used twice; Java needs each name once");
                }
                open("(", Around.NONE);
            } else if (at("P=")) {
                pos += 2;
                backref(named(name(')')));
            } else if (at("P>")
                    || at("&")
                    || at("R")
                    || at("0")
                    || (pos < src.length()
                            && (Character.isDigit(src.charAt(pos))
                                    || ((src.charAt(pos) == '+' || src.charAt(pos) == '-')
                                            && pos + 1 < src.length()
                                            && Character.isDigit(src.charAt(pos + 1)))))) {
                throw refuse(
                        "recursion into a group (?R), (?1), (?&name) is not supported by Java's"
                                + " regex engine");
            } else if (at("{") || at("?{") || at("??{")) {
                throw refuse(
                        "code in a regex (?{...}) is refused by Perl at run time and not"
                                + " supported");
            } else if (at("(")) {
                throw refuse(
                        "conditionals (?(cond)yes|no) are not supported by Java's regex engine");
            } else if (at("|")) {
                throw refuse("branch reset (?|...) is not supported by Java's regex engine");
            } else if (at("[")) {
                throw refuse("extended bracketed character classes (?[...]) are not supported");
            } else {
                flags();
            }
        }

        private boolean at(String s) {
            return src.startsWith(s, pos);
        }

        private void open(String java, Around around) {
            frames.push(frame);
            Around inherited = around.compareTo(frame.around()) > 0 ? around : frame.around();
            frame = new Frame(frame.ignoreCase(), frame.multiline(), frame.extended(), inherited);
            out.append(java);
            last = Last.NOTHING;
        }

        private String name(char end) {
            int close = src.indexOf(end, pos);
            if (close < 0) {
                throw refuse("unterminated group name");
            }
            String name = src.substring(pos, close).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw refuse("'" + name + "' is not a group name");
            }
            pos = close + 1;
            return name;
        }

        private int named(String name) {
            Map<String, Integer> known = counted == null ? names : counted.names;
            Integer n = known.get(name);
            if (n == null) {
                if (counted == null) {
                    return 1;
                }
                throw refuse(
                        "reference to the group '" + name + "', which the regex does not have");
            }
            return n;
        }

        /** (*VERB) and (*alpha_assertion:...): only those with a Java equivalent. */
        private void verb() {
            int end = pos + 1;
            while (end < src.length()
                    && (Character.isLetter(src.charAt(end)) || src.charAt(end) == '_')) {
                end++;
            }
            String word = src.substring(pos + 1, end);
            String java =
                    switch (word) {
                        case "pla", "positive_lookahead" -> "(?=";
                        case "nla", "negative_lookahead" -> "(?!";
                        case "plb", "positive_lookbehind" -> "(?<=";
                        case "nlb", "negative_lookbehind" -> "(?<!";
                        case "atomic" -> "(?>";
                        default -> null;
                    };
            if (java != null && end < src.length() && src.charAt(end) == ':') {
                pos = end + 1;
                open(
                        java,
                        java.equals("(?>")
                                ? Around.NONE
                                : java.startsWith("(?<") ? Around.BEHIND : Around.AHEAD);
                return;
            }
            if ((word.equals("FAIL") || word.equals("F"))
                    && end < src.length()
                    && (src.charAt(end) == ')' || src.charAt(end) == ':')) {
                int close = src.indexOf(')', end);
                if (close < 0) {
                    throw refuse("unterminated (*" + word + ")");
                }
                pos = close + 1;
                out.append("(?!)");
                last = Last.ATOM;
                return;
            }
            throw refuse(
                    "the backtracking control (*"
                            + word
                            + ") is not supported by Java's regex engine");
        }

        /**
         * (?flags), (?flags:...), (?^flags...): i, m, s go to Java; x is applied here; a, d, p
         * change nothing on bytes.
         */
        private void flags() {
            boolean caret = at("^");
            if (caret) {
                pos++;
            }
            StringBuilder on = new StringBuilder();
            StringBuilder off = new StringBuilder();
            boolean ignoreCase = caret ? false : frame.ignoreCase();
            boolean multiline = caret ? false : frame.multiline();
            int extended = caret ? 0 : frame.extended();
            boolean negative = false;
            int onX = 0;
            while (pos < src.length() && src.charAt(pos) != ':' && src.charAt(pos) != ')') {
                char f = src.charAt(pos++);
                switch (f) {
                    case '-' -> {
                        if (negative || caret) {
                            throw refuse("a second '-' in (?flags), or '-' after '^'");
                        }
                        negative = true;
                    }
                    case 'i', 'm', 's' -> {
                        (negative ? off : on).append(f);
                        if (f == 'i') {
                            ignoreCase = !negative;
                        } else if (f == 'm') {
                            multiline = !negative;
                        }
                    }
                    case 'x' -> {
                        if (negative) {
                            extended = 0;
                        } else {
                            extended = ++onX;
                        }
                    }
                    case 'n' -> {
                        if (!negative) {
                            throw refuse(
                                    "(?n) makes plain groups non-capturing; not supported, write"
                                            + " (?:...)");
                        }
                    }
                    case 'p', 'a', 'd' -> {
                        if (negative && f != 'p') {
                            throw refuse("(?-" + f + ") is not allowed in Perl");
                        }
                    }
                    case 'u' ->
                            throw refuse(
                                    "(?u) Unicode rules are not supported: the subject is bytes");
                    case 'l' -> throw refuse("(?l) locale rules are not supported");
                    default -> throw refuse("unknown flag '" + f + "' in (?...)");
                }
            }
            if (pos >= src.length()) {
                throw refuse("unterminated (?...) group");
            }
            if (caret) {
                for (char f : new char[] {'i', 'm', 's'}) {
                    if (on.indexOf(String.valueOf(f)) < 0) {
                        off.append(f);
                    }
                }
            }
            String java = (on.isEmpty() ? "" : on.toString()) + (off.isEmpty() ? "" : "-" + off);
            boolean scoped = src.charAt(pos) == ':';
            pos++;
            Frame next = new Frame(ignoreCase, multiline, extended, frame.around());
            if (scoped) {
                open(java.isEmpty() ? "(?:" : "(?" + java + ":", Around.NONE);
                frame = next;
            } else {
                if (!java.isEmpty()) {
                    out.append("(?").append(java).append(')');
                }
                frame = next;
                last = Last.NOTHING;
            }
        }

        // ------------------------------------------------------------------ escapes outside
        // brackets

        private void escape() {
            if (pos >= src.length()) {
                throw refuse("trailing \\ in the regex");
            }
            char c = src.charAt(pos++);
            int letterAt = pos - 1;
            last = Last.ATOM;
            escapeBody(c);
            letterEscape = c < 0x80 && Character.isLetter(c) && pos == letterAt + 1;
        }

        private void escapeBody(char c) {
            switch (c) {
                case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V', 'A', 'z', 'Z', 'G', 'X' ->
                        out.append('\\').append(c);
                case 'b', 'B' -> {
                    if (at("{")) {
                        throw refuse("\\" + c + "{...} Unicode boundaries are not supported");
                    }
                    out.append(c == 'b' ? WORD_BOUNDARY : NOT_WORD_BOUNDARY);
                }
                case 'R' -> out.append(LINEBREAK);
                case 'N' -> {
                    // \N{3} is three non-newlines; any other \N{...} names a character
                    if (at("{") && bounds() == null) {
                        throw refuse(
                                "\\N{...} named characters switch Perl to Unicode rules; write"
                                        + " \\xHH");
                    }
                    out.append("[^\\n]");
                }
                case 'K' -> {
                    if (frame.lookaround()) {
                        throw refuse("\\K is not permitted in a look-ahead or look-behind");
                    }
                    // \K only moves where the reported match starts; whether there is a match is
                    // unchanged.
                    // An empty group keeps a quantifier after it (Perl allows \K+) in place.
                    out.append("(?:)");
                    last = Last.KEEP;
                }
                case 'p', 'P' ->
                        throw refuse(
                                "\\"
                                        + c
                                        + "{...} Unicode properties switch Perl to Unicode rules"
                                        + " for the whole regex; not reproduced, use a bracket"
                                        + " class such as [[:alpha:]]");
                case 'C' -> throw refuse("\\C is no longer supported by Perl");
                case 'g' -> backref(relative());
                case 'k' -> {
                    if (at("<") || at("'") || at("{")) {
                        char open = src.charAt(pos++);
                        backref(named(name(open == '<' ? '>' : open == '{' ? '}' : '\'')));
                    } else {
                        throw refuse("\\k needs a group name: \\k<name>");
                    }
                }
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
                    int start = pos - 1;
                    int end = start;
                    while (end < src.length() && Character.isDigit(src.charAt(end))) {
                        end++;
                    }
                    int n = parseCapped(src.substring(start, end));
                    if (n <= 9 || n <= groups) {
                        pos = end;
                        backref(n);
                    } else {
                        // Perl: \10 and above are a back-reference only when that many groups
                        // opened before it,
                        // else octal (\18 is \001 then '8'); \81 is neither
                        if (c > '7') {
                            throw refuse(
                                    "reference to group " + n + ", which the regex does not have");
                        }
                        pos = start;
                        literal(octal(3));
                    }
                }
                default -> literal(character(c));
            }
        }

        private static int parseCapped(String digits) {
            return digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        }

        /** \g1, \g{1}, \g-1, \g{-1}, \g{name}: the absolute group number. */
        private int relative() {
            String ref;
            if (at("{")) {
                int close = src.indexOf('}', pos);
                if (close < 0) {
                    throw refuse("unterminated \\g{...}");
                }
                ref = src.substring(pos + 1, close).strip();
                pos = close + 1;
            } else {
                int end = pos;
                if (end < src.length() && src.charAt(end) == '-') {
                    end++;
                }
                while (end < src.length() && Character.isDigit(src.charAt(end))) {
                    end++;
                }
                ref = src.substring(pos, end);
                pos = end;
            }
            if (ref.matches("-?\\d+")) {
                int n = parseCapped(ref.replace("-", ""));
                if (n == 0) {
                    throw refuse("\\g0 is recursion, not supported");
                }
                if (ref.startsWith("-")) {
                    int abs = groups - n + 1;
                    if (abs < 1) {
                        throw refuse("\\g{" + ref + "} refers to a group before the first");
                    }
                    return abs;
                }
                return n;
            }
            if (!ref.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw refuse("\\g needs a group number or name");
            }
            return named(ref);
        }

        private void backref(int n) {
            int total = counted == null ? Integer.MAX_VALUE : counted.groups;
            if (n > total) {
                throw refuse("reference to group " + n + ", which the regex does not have");
            }
            // wrapped so that a digit written next is not read as part of the number
            out.append("(?:\\").append(n).append(')');
            last = Last.ATOM;
        }

        /**
         * The code of the character an escape stands for, pos just after the letter c; for letters
         * Perl does not know (\Q, \E, \U, \L, \y...) the letter itself, as Perl passes them
         * through.
         */
        private int character(char c) {
            switch (c) {
                case 'a':
                    return 0x07;
                case 'e':
                    return 0x1B;
                case 'f':
                    return 0x0C;
                case 'n':
                    return 0x0A;
                case 'r':
                    return 0x0D;
                case 't':
                    return 0x09;
                case '0':
                    pos--;
                    return octal(3);
                case 'o':
                    if (!at("{")) {
                        throw refuse("\\o needs braces: \\o{...}");
                    }
                    return braced(8);
                case 'x':
                    if (at("{")) {
                        return braced(16);
                    }
                    int end = pos;
                    while (end < src.length()
                            && end < pos + 2
                            && Character.digit(src.charAt(end), 16) >= 0) {
                        end++;
                    }
                    int v = end == pos ? 0 : Integer.parseInt(src.substring(pos, end), 16);
                    pos = end;
                    return v;
                case 'c':
                    char x = pos < src.length() ? src.charAt(pos) : 0;
                    if (x < 0x20 || x > 0x7E || x == '{') {
                        throw refuse("\\c must be followed by a printable ASCII character");
                    }
                    // Perl upper-cases the letter first: \ca is \x01 (Java's \ca would be '!')
                    return Character.toUpperCase(src.charAt(pos++)) ^ 0x40;
                default:
                    return c;
            }
        }

        /** Up to max octal digits from pos. */
        private int octal(int max) {
            int v = 0;
            int n = 0;
            while (n < max
                    && pos < src.length()
                    && src.charAt(pos) >= '0'
                    && src.charAt(pos) <= '7') {
                v = v * 8 + (src.charAt(pos++) - '0');
                n++;
            }
            return v;
        }

        /** \x{...} or \o{...}: blanks and underscores allowed between digits, as Perl does. */
        private int braced(int radix) {
            int close = src.indexOf('}', pos);
            if (close < 0) {
                throw refuse("missing } after \\x{ or \\o{");
            }
            String digits = src.substring(pos + 1, close).strip().replace("_", "");
            pos = close + 1;
            int end = 0;
            while (end < digits.length() && Character.digit(digits.charAt(end), radix) >= 0) {
                end++;
            }
            if (end > 8) {
                throw refuse("character code " + digits + " is too large");
            }
            return end == 0 ? 0 : Integer.parseInt(digits.substring(0, end), radix);
        }

        // ------------------------------------------------------------------ bracket classes

        /** A class item: one character (code >= 0) or a whole class already in Java syntax. */
        private record Item(int code, String java) {}

        private void bracket() {
            StringBuilder b = new StringBuilder("[");
            if (at("^")) {
                b.append('^');
                pos++;
            }
            boolean first = true;
            while (true) {
                if (pos >= src.length()) {
                    throw refuse("unmatched [ in the regex");
                }
                char c = src.charAt(pos);
                if (frame.extended() > 1 && (c == ' ' || c == '\t')) {
                    pos++;
                    continue;
                }
                if (c == ']' && !first) {
                    pos++;
                    break;
                }
                first = false;
                Item item = classItem();
                if (item.java() == null
                        && at("-")
                        && pos + 1 < src.length()
                        && src.charAt(pos + 1) != ']') {
                    int dash = pos;
                    pos++;
                    Item to = classItem();
                    if (to.java() == null) {
                        if (to.code() < item.code()) {
                            throw refuse("invalid [] range: the end is below the start");
                        }
                        b.append(classChar(item.code())).append('-').append(classChar(to.code()));
                        continue;
                    }
                    // Perl reads "a-\d" as a, a literal '-', and \d
                    b.append(classChar(item.code())).append(classChar('-')).append(to.java());
                    continue;
                }
                b.append(item.java() != null ? item.java() : classChar(item.code()));
            }
            out.append(b).append(']');
        }

        private Item classItem() {
            char c = src.charAt(pos);
            if (c == '[' && pos + 1 < src.length() && ":=.".indexOf(src.charAt(pos + 1)) >= 0) {
                char kind = src.charAt(pos + 1);
                int end = pos + 2;
                if (end < src.length() && src.charAt(end) == '^') {
                    end++;
                }
                while (end < src.length() && Character.isLetter(src.charAt(end))) {
                    end++;
                }
                if (end + 1 < src.length()
                        && src.charAt(end) == kind
                        && src.charAt(end + 1) == ']') {
                    String name = src.substring(pos + 2, end);
                    pos = end + 2;
                    if (kind != ':') {
                        throw refuse(
                                "POSIX syntax [" + kind + " " + kind + "] is reserved in Perl");
                    }
                    return new Item(-1, posix(name));
                }
            }
            pos++;
            if (c != '\\') {
                return new Item(c, null);
            }
            if (pos >= src.length()) {
                throw refuse("trailing \\ in the regex");
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V' -> {
                    return new Item(-1, "\\" + e);
                }
                case 'p', 'P' ->
                        throw refuse(
                                "\\"
                                        + e
                                        + "{...} Unicode properties switch Perl to Unicode rules"
                                        + " for the whole regex; not reproduced, use a bracket"
                                        + " class such as [[:alpha:]]");
                case 'N' ->
                        throw refuse(
                                "\\N in a [] class must name a character, and named characters"
                                        + " switch Perl to Unicode rules");
                case 'b' -> {
                    return new Item(0x08, null);
                }
                case '1', '2', '3', '4', '5', '6', '7' -> {
                    pos--;
                    return new Item(octal(3), null);
                }
                default -> {
                    int code = character(e);
                    if (code > 0xFF) {
                        throw refuse(
                                String.format(
                                        "character U+%04X is above \\xFF: Perl then matches with"
                                                + " Unicode rules, and the subject is bytes",
                                        code));
                    }
                    return new Item(code, null);
                }
            }
        }

        /** [:name:] in Java; under /i Perl lets [:upper:] and [:lower:] match either case. */
        private String posix(String name) {
            boolean negated = name.startsWith("^");
            String bare = negated ? name.substring(1) : name;
            String java = POSIX.get(bare);
            if (java == null) {
                throw refuse("POSIX class [:" + name + ":] unknown");
            }
            if (frame.ignoreCase() && (bare.equals("upper") || bare.equals("lower"))) {
                java = "Alpha";
            }
            if (java.equals("word")) {
                return negated ? "\\W" : "\\w";
            }
            return (negated ? "\\P{" : "\\p{") + java + "}";
        }

        private String classChar(int c) {
            if (c > 0xFF) {
                throw refuse(
                        String.format(
                                "character U+%04X is above \\xFF: Perl then matches with Unicode"
                                        + " rules, and the subject is bytes",
                                c));
            }
            if (c < 0x80 && Character.isLetterOrDigit(c)) {
                return String.valueOf((char) c);
            }
            return String.format("\\x{%X}", c);
        }
    }
}
