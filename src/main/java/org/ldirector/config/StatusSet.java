package org.ldirector.config;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A set of HTTP status codes written as codes and ranges, {@code 200-299,301,503} (keepalived's
 * {@code status_code 200-299 301 503}; commas and spaces both separate). Extension of
 * ldirectord.cf.
 *
 * @param ranges inclusive {low, high} pairs, in the order written
 */
public record StatusSet(List<int[]> ranges) {
    /** keepalived's default, and ldirectord's rule for the final answer: any 2xx. */
    public static final StatusSet SUCCESS = parse("200-299");

    public StatusSet {
        ranges = List.copyOf(ranges);
    }

    /**
     * @throws IllegalArgumentException naming the word that is not a code (100 to 999) or a range
     */
    public static StatusSet parse(String text) {
        List<int[]> out = new ArrayList<>();
        for (String w : text.trim().split("[,\\s]+")) {
            if (w.isEmpty()) {
                continue;
            }
            int dash = w.indexOf('-', 1);
            int low = code(w, dash < 0 ? w : w.substring(0, dash));
            int high = dash < 0 ? low : code(w, w.substring(dash + 1));
            if (high < low) {
                throw new IllegalArgumentException(
                        "'" + w + "': a range goes from the lower code to the higher");
            }
            out.add(new int[] {low, high});
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(
                    "no status code given; expected codes and ranges such as 200-299,301");
        }
        return new StatusSet(out);
    }

    private static int code(String word, String s) {
        if (!s.matches("\\d{3}")) {
            throw new IllegalArgumentException(
                    "'" + word + "' is not a status code (100 to 999) or a range such as 200-299");
        }
        int c = Integer.parseInt(s);
        if (c < 100) {
            throw new IllegalArgumentException(
                    "'" + word + "' is not a status code (100 to 999) or a range such as 200-299");
        }
        return c;
    }

    public boolean contains(int code) {
        for (int[] r : ranges) {
            if (code >= r[0] && code <= r[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusSet s && toString().equals(s.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** As written back to a file: {@code 200-299,301}. */
    @Override
    public String toString() {
        return ranges.stream()
                .map(r -> r[0] == r[1] ? String.valueOf(r[0]) : r[0] + "-" + r[1])
                .collect(Collectors.joining(","));
    }
}
