package org.ldirector.check.negotiate;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;
import org.ldirector.config.Protocol;
import org.ldirector.net.InetText;

/**
 * sip: ldirectord's OPTIONS request for {@code sip:LOGIN}, over the virtual's protocol (one
 * datagram on udp, a stream on tcp), and up only if the status line starts "SIP/2.0 200 OK". The
 * Via header says UDP even over TCP, as ldirectord's does.
 */
final class SipCheck implements Conversation {
    private final SecureRandom random = new SecureRandom();

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        boolean udp = t.protocol() == Protocol.UDP;
        InetSocketAddress local;
        if (udp) {
            local = d.udpLocalAddress();
        } else {
            d.connect();
            local = d.localAddress();
        }
        byte[] request = request(t.spec().login(), local).getBytes(StandardCharsets.ISO_8859_1);
        String status;
        if (udp) {
            String answer = new String(d.exchange(request, b -> true), StandardCharsets.ISO_8859_1);
            status = answer.split("\r?\n", 2)[0];
        } else {
            d.send(request);
            status = d.readLine();
        }
        if (!status.startsWith("SIP/2.0 200 OK")) {
            return Outcome.down("sip answered " + Reasons.quote(status));
        }
        return Outcome.up("sip " + Reasons.quote(status));
    }

    String request(String login, InetSocketAddress local) {
        byte[] callId = new byte[8];
        random.nextBytes(callId);
        return "OPTIONS sip:"
                + login
                + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP "
                + InetText.withPort(local.getAddress(), local.getPort())
                + ";branch=z9hG4bKhjhs8ass877\r\n"
                + "Max-Forwards: 70\r\n"
                + "To: <sip:"
                + login
                + ">\r\n"
                + "From: <sip:"
                + login
                + ">;tag=1928301774\r\n"
                + "Call-ID: "
                + HexFormat.of().formatHex(callId)
                + "\r\n"
                + "CSeq: 63104 OPTIONS\r\n"
                + "Contact: <sip:"
                + login
                + ">\r\n"
                + "Accept: application/sdp\r\n"
                + "Content-Length: 0\r\n\r\n";
    }
}
