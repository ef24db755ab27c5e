package org.ldirector.config;

/**
 * Text from the config file made safe to print on a terminal or in a log: control characters (C0,
 * DEL, C1) and invisible format characters (such as the bidirectional overrides that can make a
 * line read differently from what it holds) are written as escapes, {@code \x1b} or {@code \u202e};
 * everything else, including any letter of any script, is kept as it is.
 */
final class Printable {
    private Printable() {}

    static String escape(String s) {
        return escape(s, false);
    }

    /** As {@link #escape(String)}, keeping tabs (where the printed layout itself uses them). */
    static String escape(String s, boolean keepTabs) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean escape =
                    (Character.isISOControl(c) && !(keepTabs && c == '\t'))
                            || Character.getType(c) == Character.FORMAT;
            if (escape && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (!escape) {
                    b.append(c);
                } else if (c <= 0xff) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** The first control character (C0, DEL or C1, tab included) in {@code s}, or -1. */
    static int firstControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return s.charAt(i);
            }
        }
        return -1;
    }
}
