package org.ldirector.check.negotiate;

import org.ldirector.check.ProbeTarget;

/**
 * pop and pops: a +OK greeting, then USER/PASS when a login is configured, then QUIT.
 * ldirectord's Mail::POP3Client reports up without a login even when the connection failed (the
 * object is created either way); here the greeting is always required, which is what an
 * operator who wrote service=pop means. Mail::POP3Client would try APOP first when the greeting
 * offers a timestamp and fall back to USER/PASS; servers accepting only APOP are not supported.
 */
final class PopCheck implements Conversation {
    private final boolean tls;

    PopCheck(boolean tls) {
        this.tls = tls;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        String service = tls ? "pops" : "pop";
        d.connect();
        if (tls) {
            d.startTls();
        }
        String greeting = d.readLine();
        if (!ok(greeting)) {
            return Outcome.down("banner " + Dialogue.quote(greeting) + " from " + service);
        }
        String login = t.spec().login();
        if (!login.isEmpty()) {
            d.sendLine("USER " + login);
            String user = d.readLine();
            if (!ok(user)) {
                return Outcome.down("USER rejected: " + Dialogue.quote(user));
            }
            d.sendLine("PASS " + t.spec().passwd().reveal());
            String pass = d.readLine();
            if (!ok(pass)) {
                return Outcome.down("PASS rejected: " + Dialogue.quote(pass));
            }
        }
        d.farewell("QUIT");
        return Outcome.up(service + (login.isEmpty() ? " greeting +OK" : " login accepted"));
    }

    private static boolean ok(String line) {
        return line.regionMatches(true, 0, "+OK", 0, 3);
    }
}
