package org.ldirector.check.negotiate;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * ftp, as ldirectord drives Net::FTP: 2xx banner, USER/PASS (login defaults to anonymous), CWD /,
 * TYPE I, passive mode, RETR request (ldirectord keeps the leading "/"), then receive searched in
 * the file. ldirectord ignores every reply and only matches the downloaded bytes; here a failed
 * step is reported by name, and an empty receive needs a completed transfer (226) rather than
 * Perl's empty-pattern quirk.
 */
final class FtpCheck implements Conversation {
    // a health-check file is small; more is drained, not kept
    private static final int MAX_FILE = 1 << 20;
    private static final Pattern PASV =
            Pattern.compile("(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)");
    private static final Pattern EPSV = Pattern.compile("\\(([!-~])\\1\\1(\\d+)\\1\\)");

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        Pattern receive = Dialogue.receive(t.receive());
        d.connect();
        Dialogue.Reply banner = d.readReply();
        if (!banner.positive()) {
            return Outcome.down("banner " + banner + " from ftp");
        }
        Dialogue.Reply user = d.command("USER " + t.spec().login());
        if (user.code() == 331 || user.code() == 332) {
            user = d.command("PASS " + t.spec().passwd().reveal());
        }
        if (!user.positive()) {
            return Outcome.down("LOGIN rejected: " + user);
        }
        d.command("CWD /");
        d.command("TYPE I");
        Socket data = d.connectTo(passive(d));
        Dialogue.Reply retr = d.command("RETR " + t.request());
        if (retr.code() != 125 && retr.code() != 150) {
            return Outcome.down("RETR " + Reasons.quote(t.request()) + " refused: " + retr);
        }
        byte[] file = d.readToEnd(data, MAX_FILE);
        data.close();
        Dialogue.Reply done = d.readReply();
        d.farewell("QUIT");
        String shown = "receive /" + Reasons.quote(t.receive()) + "/";
        if (t.receive().isEmpty()) {
            return done.positive()
                    ? Outcome.up("ftp RETR complete, " + file.length + " bytes")
                    : Outcome.down("RETR " + Reasons.quote(t.request()) + " failed: " + done);
        }
        // a file at the cap was cut there: the rest was drained, not kept
        if (d.found(receive, file, file.length >= MAX_FILE)) {
            return Outcome.up(shown + " found in " + file.length + " bytes");
        }
        return Outcome.down(shown + " not found in " + file.length + " bytes");
    }

    /**
     * The data address. EPSV on IPv6 (PASV cannot carry it, as Net::FTP knows too); the address in
     * a PASV reply is ignored in favour of the real's own, since a server behind NAT often
     * advertises one the director cannot reach and the data must come from the checked real.
     */
    private static InetSocketAddress passive(Dialogue d) throws Exception {
        boolean v6 = d.peer().getAddress() instanceof Inet6Address;
        Dialogue.Reply reply = d.command(v6 ? "EPSV" : "PASV");
        Matcher m = (v6 ? EPSV : PASV).matcher(reply.text());
        if (!reply.positive() || !m.find()) {
            throw new Down((v6 ? "EPSV" : "PASV") + " refused: " + reply);
        }
        int port =
                v6
                        ? Integer.parseInt(m.group(2))
                        : Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
        return new InetSocketAddress(d.peer().getAddress(), port);
    }
}
