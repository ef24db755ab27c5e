package org.ldirector.check.negotiate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * pop and pops, as Mail::POP3Client's "BEST" login does them for ldirectord: a +OK greeting; then,
 * when a login is configured, APOP if the greeting carries a timestamp, else (or if that fails)
 * CAPA and AUTH CRAM-MD5 if offered, else USER/PASS; a login counts only once STAT works; QUIT,
 * after a refused login too. ldirectord reports up without a login even when the connection failed
 * (the Perl object exists either way); here the greeting is always required, which is what
 * service=pop means.
 */
final class PopCheck implements Conversation {
    // Mail::POP3Client's pattern for the RFC 1939 timestamp in the greeting
    private static final String ATOM = "[-_\\w!#$%&'*+/=?^`{|}~]+";
    private static final Pattern TIMESTAMP =
            Pattern.compile("<" + ATOM + "(?:\\." + ATOM + ")*@" + ATOM + "(?:\\." + ATOM + ")*>");
    private static final Pattern CRAM = Pattern.compile("^SASL.*?\\sCRAM-MD5\\b");
    private final boolean tls;

    PopCheck(boolean tls) {
        this.tls = tls;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        String service = tls ? "pops" : "pop";
        return d.greeted(tls, service, PopCheck::ok, greeting -> login(d, t, service, greeting));
    }

    /**
     * After the greeting: the login, when one is configured, by the best method offered; then QUIT.
     */
    private static Outcome login(Dialogue d, ProbeTarget t, String service, String greeting)
            throws Exception {
        String login = t.spec().login();
        if (login.isEmpty()) {
            d.farewell("QUIT");
            return Outcome.up(service + " greeting +OK");
        }
        String user = login;
        String pass = t.spec().passwd().reveal();
        String how;
        Matcher stamp = TIMESTAMP.matcher(greeting);
        if (stamp.find() && apop(d, user, pass, stamp.group())) {
            how = "APOP";
        } else if (offersCramMd5(d)) {
            String challenge = d.command("AUTH CRAM-MD5", Dialogue::readLine);
            if (!challenge.startsWith("+ ")) {
                return refused(d, "AUTH CRAM-MD5 rejected: " + Reasons.quote(challenge));
            }
            Mac hmac = Mac.getInstance("HmacMD5");
            hmac.init(
                    new SecretKeySpec(
                            pass.isEmpty() ? new byte[1] : pass.getBytes(StandardCharsets.UTF_8),
                            "HmacMD5"));
            String digest =
                    HexFormat.of()
                            .formatHex(
                                    hmac.doFinal(
                                            Base64.getMimeDecoder()
                                                    .decode(challenge.substring(2))));
            String answer =
                    d.command(
                            Base64.getEncoder()
                                    .encodeToString(
                                            (user + " " + digest).getBytes(StandardCharsets.UTF_8)),
                            Dialogue::readLine);
            if (!ok(answer)) {
                return refused(d, "AUTH CRAM-MD5 rejected: " + Reasons.quote(answer));
            }
            how = "AUTH CRAM-MD5";
        } else {
            String u = d.command("USER " + user, Dialogue::readLine);
            if (!u.startsWith("+")) {
                return refused(d, "USER rejected: " + Reasons.quote(u));
            }
            String p = d.command("PASS " + pass, Dialogue::readLine);
            if (!ok(p)) {
                return refused(d, "PASS rejected: " + Reasons.quote(p));
            }
            how = "USER/PASS";
        }
        String stat = d.command("STAT", Dialogue::readLine);
        if (!ok(stat)) {
            return refused(d, "STAT after login failed: " + Reasons.quote(stat));
        }
        d.farewell("QUIT");
        return Outcome.up(service + " " + how + " login accepted");
    }

    /**
     * A refused login still ends with QUIT, as Mail::POP3Client's close sends it: servers log a
     * session dropped without one as an error. Best effort, under the dialogue's deadline.
     */
    private static Outcome refused(Dialogue d, String why) {
        d.farewell("QUIT");
        return Outcome.down(why);
    }

    /** APOP, then NOOP as Mail::POP3Client does to notice servers that hang up on failure. */
    private static boolean apop(Dialogue d, String user, String pass, String stamp)
            throws Exception {
        byte[] md5 =
                MessageDigest.getInstance("MD5")
                        .digest((stamp + pass).getBytes(StandardCharsets.UTF_8));
        String answer =
                d.command("APOP " + user + " " + HexFormat.of().formatHex(md5), Dialogue::readLine);
        String noop = d.command("NOOP", Dialogue::readLine);
        if (!ok(noop)) {
            throw new Down("APOP failed: server closed the session (" + Reasons.quote(noop) + ")");
        }
        return ok(answer);
    }

    private static boolean offersCramMd5(Dialogue d) throws Exception {
        if (!ok(d.command("CAPA", Dialogue::readLine))) {
            return false;
        }
        boolean cram = false;
        for (String line = d.readLine(); !line.equals("."); line = d.readLine()) {
            cram |= CRAM.matcher(line).find();
        }
        return cram;
    }

    private static boolean ok(String line) {
        return line.regionMatches(true, 0, "+OK", 0, 3);
    }
}
