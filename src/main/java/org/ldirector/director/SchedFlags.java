package org.ldirector.director;

import java.util.Locale;

/**
 * ipvsadm's {@code -b} words (ldirectord passes {@code schedflags=} through to it) as IPVS service
 * flag bits. The sh- and mh- names are aliases of the generic flag-1/flag-2 bits; ipvsadm only
 * accepts them with their own scheduler, and so does this.
 */
final class SchedFlags {
    static final int FLAG1 = 0x0008;
    static final int FLAG2 = 0x0010;
    static final int FLAG3 = 0x0020;

    private SchedFlags() {
    }

    /** @throws IllegalArgumentException naming the word that is not a flag for this scheduler */
    static int parse(String text, String scheduler) {
        int bits = 0;
        for (String raw : text.split(",")) {
            String word = raw.trim().toLowerCase(Locale.ROOT);
            bits |= switch (word) {
                case "flag-1" -> FLAG1;
                case "flag-2" -> FLAG2;
                case "flag-3" -> FLAG3;
                case "sh-fallback" -> only("sh", scheduler, word, FLAG1);
                case "sh-port" -> only("sh", scheduler, word, FLAG2);
                case "mh-fallback" -> only("mh", scheduler, word, FLAG1);
                case "mh-port" -> only("mh", scheduler, word, FLAG2);
                default -> throw new IllegalArgumentException("unknown scheduler flag '" + word
                        + "' (expected flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback or mh-port)");
            };
        }
        return bits;
    }

    private static int only(String wanted, String scheduler, String word, int bit) {
        if (!wanted.equals(scheduler)) {
            throw new IllegalArgumentException("scheduler flag '" + word + "' needs scheduler " + wanted
                    + ", not " + scheduler);
        }
        return bit;
    }
}
