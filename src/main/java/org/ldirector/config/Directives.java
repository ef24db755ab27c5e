package org.ldirector.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The directive names ldirectord knows, where each may appear, and "did you mean" suggestions. */
final class Directives {
    static final Set<String> GLOBAL = Set.of("checktimeout", "negotiatetimeout", "checkinterval", "checkcount",
            "failurecount", "fallback", "fallback6", "fallbackcommand", "autoreload", "callback", "logfile",
            "execute", "fork", "supervised", "quiescent", "readdquiescent", "emailalert", "emailalertfreq",
            "emailalertstatus", "emailalertfrom", "cleanstop", "smtp", "maintenancedir", "successcount",
            "metrics", "syncdaemon", "syncinterface", "syncid", "syncmaxlen", "syncgroup", "syncport", "syncttl",
            "virtual", "virtual6");

    static final Set<String> VIRTUAL = Set.of("real", "real6", "request", "receive", "checktype", "checkcommand",
            "checktimeout", "negotiatetimeout", "checkcount", "failurecount", "checkinterval", "checkport", "login",
            "passwd", "database", "secret", "load", "scheduler", "persistent", "schedflags", "netmask", "protocol",
            "ops", "service", "httpmethod", "virtualhost", "fallback", "fallback6", "fallbackcommand", "quiescent",
            "emailalert", "emailalertfreq", "emailalertstatus", "monitorfile", "cleanstop", "smtp", "servicename",
            "comment", "successcount", "httpscafile", "httpsservername", "mysqlpublickeyretrieval");

    private Directives() {
    }

    /** The closest known name within a small edit distance, preferring the given scope's names. */
    static Optional<String> suggest(String word, Set<String> scope) {
        String w = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Set<String> names : List.of(scope, GLOBAL, VIRTUAL)) {
            for (String name : names.stream().sorted().toList()) {
                int d = distance(w, name);
                if (d < bestDistance) {
                    best = name;
                    bestDistance = d;
                }
            }
            if (best != null && bestDistance <= limit(w)) {
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    private static int limit(String word) {
        return word.length() <= 4 ? 1 : word.length() <= 8 ? 2 : 3;
    }

    /** Optimal string alignment distance: a swapped pair of letters counts as one edit. */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3 || a.length() > 64) {
            return Integer.MAX_VALUE / 2;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
