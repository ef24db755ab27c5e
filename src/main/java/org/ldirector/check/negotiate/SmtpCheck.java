package org.ldirector.check.negotiate;

import org.ldirector.check.ProbeTarget;

/**
 * smtp and submission (ldirectord checks both with the same Net::SMTP call): a 2xx banner, then
 * EHLO accepted, falling back to HELO when EHLO gets a 5xx as Net::SMTP does, then QUIT.
 */
final class SmtpCheck implements Conversation {
    // Net::SMTP's default hello domain, which ldirectord does not override
    private static final String HELLO = "localhost.localdomain";
    private final String service;

    SmtpCheck(String service) {
        this.service = service;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        d.connect();
        Dialogue.Reply banner = d.readReply();
        if (!banner.positive()) {
            return Outcome.down("banner " + banner + " from " + service);
        }
        Dialogue.Reply hello = d.command("EHLO " + HELLO);
        String verb = "EHLO";
        if (hello.code() >= 500 && hello.code() < 600) {
            verb = "HELO";
            hello = d.command("HELO " + HELLO);
        }
        if (!hello.positive()) {
            return Outcome.down(verb + " rejected: " + hello);
        }
        d.farewell("QUIT");
        return Outcome.up(service + " " + verb + " " + hello.code());
    }
}
