package org.ldirector.config;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides whether a piece of config text holds a secret, and masks it. Every
 * diagnostic that quotes text from the file passes it through {@link #mask} (via {@code
 * ConfigParser.abbreviate}), so a password never reaches a terminal, a log file or the OCF agent's
 * exit reason, whatever shape the line has: indented or not, after a blank line, written {@code
 * passwd:"x"} or {@code passwd "x"}, or with the name mistyped.
 *
 * <p>The rule is by directive name, not by the line's shape: a word that is a secret directive (or
 * within a typo of one, or a common alias such as {@code password}) standing at the start of the
 * text or after a blank, quote or separator, and not part of a path or a host name, makes
 * everything after it secret. Masking too much in an error message costs a little clarity; masking
 * too little leaks a credential.
 */
final class SecretText {
    /** Directives whose values are credentials. A new secret directive is added here only. */
    static final Set<String> DIRECTIVES = Set.of("passwd", "secret");

    /**
     * Names an operator may write for one of them; they are errors, but their values are still
     * secret.
     */
    private static final Set<String> ALIASES = Set.of("password", "pass", "pwd", "passphrase");

    static final String MASK = "********";
    // a name: a run of word characters not inside a path or a host name ('/' or '.' around it); the
    // control characters other than tab and newline count as part of it, for a terminal does not
    // show
    // them as such (pa\0sswd reads as passwd, x\rpasswd as passwd)
    private static final String NAME_CHARS = "A-Za-z0-9_\\x00-\\x08\\x0b-\\x1f\\x7f-";
    private static final Pattern WORD =
            Pattern.compile("(?<![/.\\w-])([A-Za-z][" + NAME_CHARS + "]*)(?![\\w.-])");
    private static final Pattern INVISIBLE = Pattern.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f]");
    // what may stand between the name and its value: blanks, control characters, one = or :
    private static final Pattern SEPARATOR =
            Pattern.compile("[\\s\\p{Cntrl}]*[=:]?[\\s\\p{Cntrl}]*");

    private SecretText() {}

    /** Whether {@code name} (any case) is a secret directive, an alias of one, or a typo of one. */
    static boolean isSecretName(String name) {
        String w = name.toLowerCase(Locale.ROOT);
        if (DIRECTIVES.contains(w) || ALIASES.contains(w)) {
            return true;
        }
        if (w.length() < 5 || w.length() > 10) {
            return false;
        }
        for (String d : DIRECTIVES) {
            if (Directives.distance(w, d) <= 1) {
                return true;
            }
        }
        return false;
    }

    /** The word read with its control characters dropped, or any piece of it between them. */
    private static boolean holdsSecretName(String word) {
        if (isSecretName(INVISIBLE.matcher(word).replaceAll(""))) {
            return true;
        }
        for (String piece : INVISIBLE.split(word)) {
            if (isSecretName(piece)) {
                return true;
            }
        }
        return false;
    }

    /** The text with everything after its first secret directive name replaced by {@link #MASK}. */
    static String mask(String text) {
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            if (holdsSecretName(m.group(1))) {
                int end = m.end();
                Matcher sep = SEPARATOR.matcher(text).region(end, text.length());
                int valueStart = sep.lookingAt() ? sep.end() : end;
                if (valueStart >= text.length()) {
                    return text;
                }
                return text.substring(0, valueStart) + MASK;
            }
        }
        return text;
    }
}
