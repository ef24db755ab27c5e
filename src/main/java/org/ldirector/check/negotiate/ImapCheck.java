package org.ldirector.check.negotiate;

import java.util.Locale;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * imap and imaps, as Net::IMAP::Simple does them for ldirectord: an untagged OK or PREAUTH
 * greeting, then {@code 0 LOGIN} when a login is configured (tags count from 0), then LOGOUT, also
 * after a refused LOGIN.
 */
final class ImapCheck implements Conversation {
    private final boolean tls;

    ImapCheck(boolean tls) {
        this.tls = tls;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        String service = tls ? "imaps" : "imap";
        return d.greeted(
                tls,
                service,
                greeting -> greeting.matches("(?i)^\\*\\s+(OK|PREAUTH)\\b.*"),
                greeting -> login(d, t, service));
    }

    /** After the greeting: LOGIN when one is configured, then LOGOUT. */
    private static Outcome login(Dialogue d, ProbeTarget t, String service) throws Exception {
        String login = t.spec().login();
        String next = "0";
        if (!login.isEmpty()) {
            d.sendLine("0 LOGIN " + quoted(login) + " " + quoted(t.spec().passwd().reveal()));
            String done = tagged(d, "0");
            if (!done.toUpperCase(Locale.ROOT).startsWith("0 OK")) {
                // Net::IMAP::Simple's quit logs out after a refused LOGIN too: servers log a
                // dropped
                // session as an error
                d.farewell("1 LOGOUT");
                return Outcome.down("LOGIN rejected: " + Reasons.quote(done));
            }
            next = "1";
        }
        d.farewell(next + " LOGOUT");
        return Outcome.up(service + (login.isEmpty() ? " greeting OK" : " LOGIN OK"));
    }

    /** Skips untagged responses ("* CAPABILITY ...") up to the command's tagged completion. */
    private static String tagged(Dialogue d, String tag) throws Exception {
        while (true) {
            String line = d.readLine();
            if (line.startsWith(tag + " ")) {
                return line;
            }
        }
    }

    /** An IMAP quoted string (Net::IMAP::Simple quotes the password the same way). */
    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
