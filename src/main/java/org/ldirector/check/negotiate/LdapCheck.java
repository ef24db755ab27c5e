package org.ldirector.check.negotiate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * ldap and ldaps, as ldirectord does them with Net::LDAP: a simple bind (with login and passwd when
 * both are set, else anonymous), then a base-scope search of request (without its "/") for
 * (objectClass=*); up when exactly one entry comes back and its DN matches receive (an empty
 * receive accepts any DN). Speaks just enough LDAPv3 BER (RFC 4511) for these two operations.
 */
final class LdapCheck implements Conversation {
    private static final int BIND_RESPONSE = 0x61;
    private static final int SEARCH_ENTRY = 0x64;
    private static final int SEARCH_DONE = 0x65;
    private static final int MAX_MESSAGE = 1 << 20;
    private final boolean tls;

    LdapCheck(boolean tls) {
        this.tls = tls;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        Pattern receive = Dialogue.receive(t.receive());
        d.connect(tls);
        boolean credentials = !t.spec().login().isEmpty() && !t.spec().passwd().isEmpty();
        String dn = credentials ? t.spec().login() : "";
        String pw = credentials ? t.spec().passwd().reveal() : "";
        d.send(
                message(
                        1,
                        tlv(
                                0x60,
                                cat(
                                        tlv(0x02, new byte[] {3}),
                                        octets(0x04, dn),
                                        octets(0x80, pw)))));
        byte[] bind = expect(d, 1, BIND_RESPONSE);
        int code = resultCode(bind);
        if (code != 0) {
            return Outcome.down("bind rejected: LDAP result " + code);
        }
        String base = Dialogue.bareRequest(t.request());
        d.send(
                message(
                        2,
                        tlv(
                                0x63,
                                cat(
                                        octets(0x04, base),
                                        tlv(0x0a, new byte[] {0}), // scope base
                                        tlv(
                                                0x0a,
                                                new byte[] {
                                                    2
                                                }), // derefAliases find, Net::LDAP's default
                                        tlv(0x02, new byte[] {0}),
                                        tlv(0x02, new byte[] {0}),
                                        tlv(0x01, new byte[] {0}),
                                        octets(
                                                0x87,
                                                "objectClass"), // present filter (objectClass=*)
                                        tlv(0x30, new byte[0])))));
        int entries = 0;
        String firstDn = null;
        while (true) {
            Ber op = readOp(d, 2);
            if (op.tag == SEARCH_ENTRY) {
                if (entries++ == 0) {
                    firstDn = new String(new Ber(op.content, 0).content, StandardCharsets.UTF_8);
                }
            } else if (op.tag == SEARCH_DONE) {
                break;
            }
            // search result references are skipped, as Net::LDAP's count does
        }
        d.send(message(3, tlv(0x42, new byte[0])));
        if (entries != 1) {
            return Outcome.down(
                    "search of " + Reasons.quote(base) + " found " + entries + " entries, want 1");
        }
        if (!t.receive().isEmpty() && !d.found(receive, firstDn)) {
            return Outcome.down(
                    "receive /"
                            + Reasons.quote(t.receive())
                            + "/ not found in DN "
                            + Reasons.quote(firstDn));
        }
        return Outcome.up((tls ? "ldaps" : "ldap") + " found " + Reasons.quote(firstDn));
    }

    private static byte[] expect(Dialogue d, int id, int tag) throws Exception {
        Ber op = readOp(d, id);
        if (op.tag != tag) {
            throw new Down(String.format("ldap: unexpected operation 0x%02x", op.tag));
        }
        return op.content;
    }

    /** Reads one LDAPMessage with our message id and returns its protocolOp. */
    private static Ber readOp(Dialogue d, int id) throws Exception {
        while (true) {
            byte[] head = d.readExactly(2);
            if ((head[0] & 0xff) != 0x30) {
                throw new Down("ldap: not an LDAP message from " + d.hostPort());
            }
            int len = head[1] & 0xff;
            if (len > 0x80) {
                int n = len & 0x7f;
                if (n > 3) {
                    throw new Down("ldap: message too long");
                }
                len = 0;
                for (byte b : d.readExactly(n)) {
                    len = (len << 8) | (b & 0xff);
                }
            }
            if (len > MAX_MESSAGE) {
                throw new Down("ldap: message too long");
            }
            byte[] body = d.readExactly(len);
            Ber msgId = new Ber(body, 0);
            Ber op = new Ber(body, msgId.end);
            if (msgId.intValue() == id) {
                return op;
            }
            // message id 0 is an unsolicited notification (e.g. notice of disconnection)
            if (msgId.intValue() == 0) {
                throw new Down("ldap: server sent notice of disconnection");
            }
        }
    }

    private static int resultCode(byte[] ldapResult) throws Down {
        Ber code = new Ber(ldapResult, 0);
        if (code.tag != 0x0a) {
            throw new Down("ldap: malformed result");
        }
        return code.intValue();
    }

    /** One decoded TLV inside a buffer. */
    private static final class Ber {
        final int tag;
        final byte[] content;
        final int end;

        Ber(byte[] buf, int at) throws Down {
            try {
                tag = buf[at] & 0xff;
                int len = buf[at + 1] & 0xff;
                int p = at + 2;
                if (len > 0x80) {
                    int n = len & 0x7f;
                    len = 0;
                    for (int i = 0; i < n; i++) {
                        len = (len << 8) | (buf[p++] & 0xff);
                    }
                }
                if (len < 0 || p + len > buf.length) {
                    throw new Down("ldap: malformed BER");
                }
                content = Arrays.copyOfRange(buf, p, p + len);
                end = p + len;
            } catch (ArrayIndexOutOfBoundsException e) {
                throw new Down("ldap: malformed BER");
            }
        }

        int intValue() {
            int v = content.length > 0 && content[0] < 0 ? -1 : 0;
            for (byte b : content) {
                v = (v << 8) | (b & 0xff);
            }
            return v;
        }
    }

    private static byte[] message(int id, byte[] op) {
        return tlv(0x30, cat(tlv(0x02, new byte[] {(byte) id}), op));
    }

    private static byte[] octets(int tag, String s) {
        return tlv(tag, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = content.length;
        if (n < 0x80) {
            b.write(n);
        } else if (n < 0x100) {
            b.write(0x81);
            b.write(n);
        } else if (n < 0x10000) {
            b.write(0x82);
            b.write(n >> 8);
            b.write(n);
        } else {
            b.write(0x83);
            b.write(n >> 16);
            b.write(n >> 8);
            b.write(n);
        }
        b.writeBytes(content);
        return b.toByteArray();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
