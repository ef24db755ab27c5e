package org.ldirector.check.negotiate;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;
import org.ldirector.config.Protocol;

/**
 * simpletcp: send request (without ldirectord's leading "/", each literal {@code \n} turned into a
 * newline), half-close, then up as soon as one line of the answer matches receive. Perl's {@code
 * <$sock>} keeps the newline on each line, so the regex sees it too. On a udp virtual ldirectord
 * sends the same bytes in one datagram; the lines of the answer datagram are matched.
 */
final class SimpleTcpCheck implements Conversation {
    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        Pattern receive = Dialogue.receive(t.receive());
        byte[] request =
                Dialogue.bareRequest(t.request())
                        .replace("\\n", "\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
        String shown = "receive /" + Reasons.quote(t.receive()) + "/";
        if (t.protocol() == Protocol.UDP) {
            String answer = new String(d.exchange(request, b -> true), StandardCharsets.ISO_8859_1);
            for (String line : answer.split("(?<=\n)")) {
                if (d.found(receive, line)) {
                    return Outcome.up(shown + " matched " + Reasons.quote(line.strip()));
                }
            }
            return Outcome.down(shown + " not found in " + answer.length() + " bytes");
        }
        d.connect();
        d.send(request);
        d.shutdownOutput();
        int lines = 0;
        for (String line = d.readRawLine(); line != null; line = d.readRawLine()) {
            lines++;
            if (d.found(receive, line)) {
                return Outcome.up(shown + " matched " + Reasons.quote(line.strip()));
            }
        }
        return Outcome.down(shown + " not found in " + lines + " lines");
    }
}
