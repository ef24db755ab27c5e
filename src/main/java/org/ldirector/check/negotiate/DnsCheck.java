package org.ldirector.check.negotiate;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;
import org.ldirector.config.Protocol;

/**
 * dns, as ldirectord's Net::DNS search: request (without its "/") is asked as an A query, or as a
 * PTR query when it is an IP address; over UDP, or TCP on a tcp virtual (and when a UDP answer is
 * truncated, as Net::DNS retries). Up when an A address or PTR name in the answer section matches
 * receive. An empty receive never matches, exactly as in ldirectord. A lost UDP query is sent again
 * on Net::DNS's schedule (after 5 s, then 10 s, ...) while the deadline allows.
 */
final class DnsCheck implements Conversation {
    private static final int TYPE_A = 1;
    private static final int TYPE_PTR = 12;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private final SecureRandom random = new SecureRandom();
    private final Duration retransmit;

    /**
     * @param retransmit first UDP retransmission interval (Net::DNS: 5 s, doubling)
     */
    DnsCheck(Duration retransmit) {
        this.retransmit = retransmit;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        Pattern receive = Dialogue.receive(t.receive());
        String name = Dialogue.bareRequest(t.request());
        int type = TYPE_A;
        if (IPV4.matcher(name).matches() || IPV6.matcher(name).matches()) {
            name = reverseName(InetAddress.getByName(name)); // a literal: no resolver involved
            type = TYPE_PTR;
        }
        int id = random.nextInt(0x10000);
        byte[] query = query(id, name, type);
        byte[] answer = null;
        if (t.protocol() != Protocol.TCP) {
            answer =
                    d.exchange(
                            query,
                            b -> b.length >= 12 && id(b) == id && (b[2] & 0x80) != 0,
                            retransmit);
        }
        if (answer == null || (answer[2] & 0x02) != 0) {
            d.connect();
            d.send(
                    ByteBuffer.allocate(2 + query.length)
                            .putShort((short) query.length)
                            .put(query)
                            .array());
            int len = ByteBuffer.wrap(d.readExactly(2)).getShort() & 0xffff;
            answer = d.readExactly(len);
            if (len < 12 || id(answer) != id) {
                return Outcome.down("dns: answer does not match the query");
            }
        }
        int rcode = answer[3] & 0x0f;
        if (rcode != 0) {
            return Outcome.down(
                    "dns " + (type == TYPE_A ? "A " : "PTR ") + name + ": rcode " + rcode);
        }
        List<String> found = answers(answer);
        if (found.isEmpty()) {
            return Outcome.down("dns " + (type == TYPE_A ? "A " : "PTR ") + name + ": no answer");
        }
        String shown = "receive /" + Reasons.quote(t.receive()) + "/";
        if (!t.receive().isEmpty()) {
            for (String value : found) {
                if (d.found(receive, value)) {
                    return Outcome.up(shown + " matched " + Reasons.quote(value));
                }
            }
        }
        return Outcome.down(shown + " not found in " + Reasons.quote(String.join(" ", found)));
    }

    private static int id(byte[] b) {
        return ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    }

    static String reverseName(InetAddress a) {
        byte[] b = a.getAddress();
        StringBuilder s = new StringBuilder();
        if (b.length == 4) {
            for (int i = 3; i >= 0; i--) {
                s.append(b[i] & 0xff).append('.');
            }
            return s.append("in-addr.arpa").toString();
        }
        for (int i = 15; i >= 0; i--) {
            s.append(Integer.toHexString(b[i] & 0xf))
                    .append('.')
                    .append(Integer.toHexString((b[i] >> 4) & 0xf))
                    .append('.');
        }
        return s.append("ip6.arpa").toString();
    }

    private static byte[] query(int id, String name, int type) throws Down {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.writeBytes(
                new byte[] {
                    (byte) (id >> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0
                }); // RD, one question
        for (String label : name.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.US_ASCII);
            if (l.length == 0 || l.length > 63) {
                if (l.length == 0 && !name.isEmpty()) {
                    continue;
                }
                throw new Down("dns: request " + Reasons.quote(name) + " is not a domain name");
            }
            q.write(l.length);
            q.writeBytes(l);
        }
        q.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        return q.toByteArray();
    }

    /** The A addresses and PTR names in the answer section (other types are ignored). */
    private static List<String> answers(byte[] m) throws Down {
        try {
            ByteBuffer b = ByteBuffer.wrap(m);
            int qd = b.getShort(4) & 0xffff;
            int an = b.getShort(6) & 0xffff;
            b.position(12);
            for (int i = 0; i < qd; i++) {
                name(m, b);
                b.position(b.position() + 4);
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < an; i++) {
                name(m, b);
                int type = b.getShort() & 0xffff;
                b.position(b.position() + 6); // class, ttl
                int len = b.getShort() & 0xffff;
                int rdata = b.position();
                if (type == TYPE_A && len == 4) {
                    out.add(
                            InetAddress.getByAddress(
                                            new byte[] {
                                                m[rdata], m[rdata + 1], m[rdata + 2], m[rdata + 3]
                                            })
                                    .getHostAddress());
                } else if (type == TYPE_PTR) {
                    out.add(name(m, b));
                }
                b.position(rdata + len);
            }
            return out;
        } catch (RuntimeException | UnknownHostException e) {
            throw new Down("dns: malformed answer");
        }
    }

    /**
     * A possibly compressed name at the buffer's position, without the trailing dot as Net::DNS
     * prints it.
     */
    private static String name(byte[] m, ByteBuffer b) throws Down {
        StringBuilder s = new StringBuilder();
        int p = b.position();
        int end = -1;
        for (int hops = 0; hops < 64; hops++) {
            int len = m[p] & 0xff;
            if (len == 0) {
                b.position(end >= 0 ? end : p + 1);
                return s.toString();
            }
            if ((len & 0xc0) == 0xc0) {
                if (end < 0) {
                    end = p + 2;
                }
                p = ((len & 0x3f) << 8) | (m[p + 1] & 0xff);
                continue;
            }
            if (s.length() > 0) {
                s.append('.');
            }
            s.append(new String(m, p + 1, len, StandardCharsets.ISO_8859_1));
            p += 1 + len;
        }
        throw new Down("dns: compression loop in answer");
    }
}
