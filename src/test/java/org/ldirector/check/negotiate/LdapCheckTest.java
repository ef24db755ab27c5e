package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ldirector.config.ServiceType;

/** ldap and ldaps against a scripted directory that answers as slapd does (RFC 4511 BER). */
class LdapCheckTest {
    static final String ADMIN = "cn=admin,dc=example,dc=test";

    /** Decoded TLVs of one client message: [messageID, protocolOp] with the op's children. */
    record Msg(int id, int op, List<byte[]> fields) {
        String field(int i) {
            return new String(fields.get(i), StandardCharsets.UTF_8);
        }
    }

    static Msg read(ScriptedPeer.Conn c) throws IOException {
        DataInputStream in = new DataInputStream(c.in());
        int tag = in.read();
        if (tag < 0) {
            return null;
        }
        byte[] body = new byte[length(in)];
        in.readFully(body);
        List<int[]> top = children(body, 0, body.length);
        int id = body[top.get(0)[1]];
        int[] op = top.get(1);
        List<byte[]> fields = new ArrayList<>();
        for (int[] f : children(body, op[1], op[1] + op[2])) {
            fields.add(Arrays.copyOfRange(body, f[1], f[1] + f[2]));
        }
        c.received().add(String.format("op 0x%02x id %d", body[op[0]] & 0xff, id));
        return new Msg(id, body[op[0]] & 0xff, fields);
    }

    private static int length(DataInputStream in) throws IOException {
        int l = in.read();
        if (l < 0x80) {
            return l;
        }
        int n = 0;
        for (int i = 0; i < (l & 0x7f); i++) {
            n = (n << 8) | in.read();
        }
        return n;
    }

    /** [tag offset, content offset, content length] of each TLV in buf[from, to). */
    private static List<int[]> children(byte[] buf, int from, int to) {
        List<int[]> out = new ArrayList<>();
        int p = from;
        while (p < to) {
            int tagAt = p++;
            int l = buf[p++] & 0xff;
            if (l >= 0x80) {
                int n = l & 0x7f;
                l = 0;
                for (int i = 0; i < n; i++) {
                    l = (l << 8) | (buf[p++] & 0xff);
                }
            }
            out.add(new int[] {tagAt, p, l});
            p += l;
        }
        return out;
    }

    static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = content.size();
        if (n >= 0x80) {
            b.write(0x82);
            b.write(n >> 8);
        }
        b.write(n & 0xff);
        b.writeBytes(content.toByteArray());
        return b.toByteArray();
    }

    static byte[] str(int tag, String s) {
        return tlv(tag, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] result(int id, int op, int code) {
        return tlv(
                0x30,
                tlv(0x02, new byte[] {(byte) id}),
                tlv(op, tlv(0x0a, new byte[] {(byte) code}), str(0x04, ""), str(0x04, "")));
    }

    static byte[] entry(int id, String dn) {
        byte[] attr =
                tlv(
                        0x30,
                        str(0x04, "objectClass"),
                        tlv(
                                0x31,
                                str(0x04, "top"),
                                str(0x04, "dcObject"),
                                str(0x04, "organization")));
        return tlv(
                0x30, tlv(0x02, new byte[] {(byte) id}), tlv(0x64, str(0x04, dn), tlv(0x30, attr)));
    }

    /** slapd with one entry per base listed in {@code entries} ("dc=two" holds two). */
    static void slapd(ScriptedPeer.Conn c) throws IOException {
        for (Msg m = read(c); m != null; m = read(c)) {
            if (m.op() == 0x60) {
                boolean anonymous = m.field(1).isEmpty() && m.field(2).isEmpty();
                boolean admin = m.field(1).equals(ADMIN) && m.field(2).equals("s3cret");
                c.received().add("bind " + m.field(1));
                c.send(result(m.id(), 0x61, anonymous || admin ? 0 : 49));
            } else if (m.op() == 0x63) {
                String base = m.field(0);
                c.received()
                        .add(
                                "search "
                                        + base
                                        + " scope "
                                        + m.fields().get(1)[0]
                                        + " deref "
                                        + m.fields().get(2)[0]
                                        + " filter "
                                        + Arrays.toString(m.fields().get(6)));
                switch (base) {
                    case "dc=example,dc=test" -> {
                        c.send(entry(m.id(), "dc=example,dc=test"));
                        c.send(result(m.id(), 0x65, 0));
                    }
                    case "dc=two" -> {
                        c.send(entry(m.id(), "cn=a,dc=two"));
                        c.send(entry(m.id(), "cn=b,dc=two"));
                        c.send(result(m.id(), 0x65, 0));
                    }
                    default -> c.send(result(m.id(), 0x65, 32)); // noSuchObject
                }
            } else if (m.op() == 0x42) {
                return;
            }
        }
    }

    static ServiceType service(boolean tls) {
        return tls ? ServiceType.LDAPS : ServiceType.LDAP;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anonymousBindAndBaseSearchFindingOneEntryIsUp(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, LdapCheckTest::slapd)) {
            Probe.of(service(tls), p.port())
                    .request("/dc=example,dc=test")
                    .receive("dc=example")
                    .assertUp();
            assertEquals("bind ", p.received().get(1));
            assertEquals(
                    "search dc=example,dc=test scope 0 deref 2 filter "
                            + Arrays.toString("objectClass".getBytes(StandardCharsets.US_ASCII)),
                    p.received().get(3));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void boundWithLoginAndPasswd(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, LdapCheckTest::slapd)) {
            Probe.of(service(tls), p.port())
                    .request("/dc=example,dc=test")
                    .login(ADMIN, "s3cret")
                    .assertUp();
            assertEquals("bind " + ADMIN, p.received().get(1));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void badCredentialsAreDown(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, LdapCheckTest::slapd)) {
            Probe.of(service(tls), p.port())
                    .request("/dc=example,dc=test")
                    .login(ADMIN, "wrong-pw")
                    .assertDown("bind rejected: LDAP result 49");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void receiveNotInDnIsDown(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, LdapCheckTest::slapd)) {
            Probe.of(service(tls), p.port())
                    .request("/dc=example,dc=test")
                    .receive("ou=people")
                    .assertDown("receive /ou=people/ not found in DN dc=example,dc=test");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void missingBaseIsDown(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, LdapCheckTest::slapd)) {
            Probe.of(service(tls), p.port()).request("/dc=nowhere").assertDown("found 0 entries");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void twoEntriesAreDownAsInLdirectord(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, LdapCheckTest::slapd)) {
            Probe.of(service(tls), p.port())
                    .request("/dc=two")
                    .assertDown("found 2 entries, want 1");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void refused(boolean tls) {
        Probe.of(service(tls), Probe.closedTcpPort()).assertDown("connect refused");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unansweredBindTimesOut(boolean tls) throws Exception {
        try (ScriptedPeer p = PopCheckTest.peer(tls, ScriptedPeer.Conn::hold)) {
            Probe.of(service(tls), p.port()).timeout(Duration.ofMillis(400)).assertTimesOut();
        }
    }
}
