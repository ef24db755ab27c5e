package org.ldirector.config;

import java.util.Locale;

/**
 * The words of {@code schedflags=} (ldirectord passes them to {@code ipvsadm -b}) as the generic
 * scheduler flags 1 to 3. The sh- and mh- names are aliases of flag-1 and flag-2; ipvsadm accepts
 * them only with their own scheduler, and so does this. Checked when the file is read, so a word
 * the director could not turn into kernel flags is an error with its line, never a failing pass.
 */
public final class SchedulerFlags {
    public static final int FLAG_1 = 1;
    public static final int FLAG_2 = 2;
    public static final int FLAG_3 = 4;

    private SchedulerFlags() {}

    /**
     * @return the flags as a bit set of {@link #FLAG_1}, {@link #FLAG_2} and {@link #FLAG_3}
     * @throws IllegalArgumentException naming the word that is not a flag for this scheduler
     */
    public static int parse(String text, String scheduler) {
        int bits = 0;
        for (String raw : text.split(",", -1)) {
            String word = raw.trim().toLowerCase(Locale.ROOT);
            bits |=
                    switch (word) {
                        case "flag-1" -> FLAG_1;
                        case "flag-2" -> FLAG_2;
                        case "flag-3" -> FLAG_3;
                        case "sh-fallback" -> only("sh", scheduler, word, FLAG_1);
                        case "sh-port" -> only("sh", scheduler, word, FLAG_2);
                        case "mh-fallback" -> only("mh", scheduler, word, FLAG_1);
                        case "mh-port" -> only("mh", scheduler, word, FLAG_2);
                        default ->
                                throw new IllegalArgumentException(
                                        "unknown scheduler flag '"
                                                + ConfigParser.abbreviate(word)
                                                + "' (expected flag-1, flag-2, flag-3, sh-fallback,"
                                                + " sh-port, mh-fallback or mh-port, separated by"
                                                + " commas)");
                    };
        }
        return bits;
    }

    private static int only(String wanted, String scheduler, String word, int bit) {
        if (!wanted.equals(scheduler)) {
            throw new IllegalArgumentException(
                    "scheduler flag '"
                            + word
                            + "' needs scheduler "
                            + wanted
                            + ", not "
                            + scheduler);
        }
        return bit;
    }
}
