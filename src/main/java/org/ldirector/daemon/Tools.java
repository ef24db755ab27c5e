package org.ldirector.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.ldirector.check.http.Genhash;
import org.ldirector.keepalived.KeepalivedImport;

/**
 * The verbs that need no ldirectord.cf and touch no daemon: {@code import-keepalived FILE} and
 * {@code genhash URL}. Each prints its result on stdout and what went wrong on stderr.
 */
final class Tools {
    /** genhash's bound on connecting and on the whole answer, keepalived genhash's default. */
    static final Duration GENHASH_TIMEOUT = Duration.ofSeconds(5);

    private Tools() {}

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String verb = args.get(0);
        if (args.size() != 2) {
            err.println(
                    "ldirector: "
                            + verb
                            + " takes one "
                            + (verb.equals("genhash") ? "URL" : "keepalived configuration file"));
            err.print(CommandLine.USAGE);
            return Main.EXIT_USAGE;
        }
        return verb.equals("genhash")
                ? genhash(args.get(1), out, err)
                : importKeepalived(Path.of(args.get(1)), out, err);
    }

    /**
     * Exit 0 when every keyword was carried over, 1 when one was not (the output is printed all the
     * same).
     */
    static int importKeepalived(Path file, PrintStream out, PrintStream err) {
        KeepalivedImport.Result r;
        try {
            r = KeepalivedImport.run(file);
        } catch (IOException e) {
            err.println("ldirector: cannot read " + file + ": " + IoErrors.reason(e));
            return 1;
        }
        out.print(r.config());
        out.flush();
        for (String w : r.warnings()) {
            err.println(w);
        }
        for (String n : r.notes()) {
            err.println(n);
        }
        if (!r.complete()) {
            err.println(
                    "ldirector: "
                            + r.warnings().size()
                            + (r.warnings().size() == 1 ? " keyword" : " keywords")
                            + " of "
                            + file
                            + " not carried over exactly (see above)");
            return 1;
        }
        return 0;
    }

    static int genhash(String text, PrintStream out, PrintStream err) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            err.println("ldirector: genhash: '" + text + "' is not a URL: " + e.getReason());
            return Main.EXIT_USAGE;
        }
        try {
            Genhash.Page p = Genhash.fetch(url, GENHASH_TIMEOUT);
            out.println(p.digest());
            if (p.status() < 200 || p.status() > 299) {
                err.println(
                        "ldirector: genhash: "
                                + url
                                + " answered HTTP "
                                + p.status()
                                + "; the digest is of that answer's body (httpstatus= must allow "
                                + p.status()
                                + ")");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("ldirector: genhash: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            err.println(
                    "ldirector: genhash: "
                            + url
                            + ": "
                            + (e.getMessage() == null
                                    ? e.getClass().getSimpleName()
                                    : e.getMessage()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
