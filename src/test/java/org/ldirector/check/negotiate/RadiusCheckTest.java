package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.ldirector.config.Protocol;
import org.ldirector.config.ServiceType;

class RadiusCheckTest {
    static final String SECRET = "testing123";

    /**
     * A RADIUS server as RFC 2865 describes one: recovers the password with its secret, checks the
     * Message-Authenticator, answers Accept for alice/s3cret and Reject otherwise, signing the
     * answer with {@code signWith}.
     */
    static final class Server {
        final Map<Integer, byte[]> lastAttributes = new ConcurrentHashMap<>();
        private final String signWith;

        Server(String signWith) {
            this.signWith = signWith;
        }

        byte[] answer(byte[] req) {
            try {
                int length = ((req[2] & 0xff) << 8) | (req[3] & 0xff);
                byte[] auth = Arrays.copyOfRange(req, 4, 20);
                Map<Integer, byte[]> attrs = new HashMap<>();
                for (int p = 20; p < length; p += req[p + 1] & 0xff) {
                    attrs.put(
                            req[p] & 0xff, Arrays.copyOfRange(req, p + 2, p + (req[p + 1] & 0xff)));
                }
                lastAttributes.clear();
                lastAttributes.putAll(attrs);
                byte[] zeroed = req.clone();
                for (int p = 20; p < length; p += req[p + 1] & 0xff) {
                    if ((req[p] & 0xff) == 80) {
                        Arrays.fill(zeroed, p + 2, p + 18, (byte) 0);
                    }
                }
                Mac hmac = Mac.getInstance("HmacMD5");
                hmac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.US_ASCII), "HmacMD5"));
                boolean signed =
                        Arrays.equals(hmac.doFinal(Arrays.copyOf(zeroed, length)), attrs.get(80));
                byte[] hidden = attrs.get(2);
                byte[] clear = new byte[hidden.length];
                byte[] prev = auth;
                MessageDigest md5 = MessageDigest.getInstance("MD5");
                for (int i = 0; i < hidden.length; i += 16) {
                    md5.update(SECRET.getBytes(StandardCharsets.US_ASCII));
                    md5.update(prev);
                    byte[] x = md5.digest();
                    for (int j = 0; j < 16; j++) {
                        clear[i + j] = (byte) (hidden[i + j] ^ x[j]);
                    }
                    prev = Arrays.copyOfRange(hidden, i, i + 16);
                }
                String password = new String(clear, StandardCharsets.UTF_8).replace("\0", "");
                String user = new String(attrs.get(1), StandardCharsets.UTF_8);
                int code = signed && user.equals("alice") && password.equals("s3cret") ? 2 : 3;
                byte[] replyMessage = "Hello, alice".getBytes(StandardCharsets.US_ASCII);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(code);
                out.write(req[1]);
                int len = 20 + 2 + replyMessage.length;
                out.write(len >> 8);
                out.write(len);
                out.writeBytes(auth);
                out.write(18);
                out.write(2 + replyMessage.length);
                out.writeBytes(replyMessage);
                byte[] resp = out.toByteArray();
                md5.update(resp);
                md5.update(signWith.getBytes(StandardCharsets.US_ASCII));
                System.arraycopy(md5.digest(), 0, resp, 4, 16);
                return resp;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Probe probe(int port) {
        return Probe.of(ServiceType.RADIUS, port).protocol(Protocol.UDP).secret(SECRET);
    }

    @Test
    void acceptIsUpAndTheRequestCarriesUserHiddenPasswordAndNas() throws Exception {
        Server server = new Server(SECRET);
        try (UdpPeer p = new UdpPeer(server::answer)) {
            probe(p.port()).login("alice", "s3cret").assertUp();
            assertArrayEquals(
                    "alice".getBytes(StandardCharsets.US_ASCII), server.lastAttributes.get(1));
            assertEquals(
                    16,
                    server.lastAttributes.get(2).length,
                    "password padded to one 16-byte block");
            assertArrayEquals(
                    new byte[] {127, 0, 0, 1},
                    server.lastAttributes.get(4),
                    "NAS-IP-Address is the local address");
            assertEquals(1, p.received().get(0)[0], "Access-Request");
        }
    }

    @Test
    void longPasswordSpansBlocks() throws Exception {
        Server server = new Server(SECRET);
        try (UdpPeer p = new UdpPeer(server::answer)) {
            probe(p.port())
                    .login("alice", "a-password-longer-than-sixteen")
                    .assertDown("radius Access-Reject");
            assertEquals(32, server.lastAttributes.get(2).length);
        }
    }

    @Test
    void rejectIsDown() throws Exception {
        try (UdpPeer p = new UdpPeer(new Server(SECRET)::answer)) {
            probe(p.port()).login("alice", "wrong-pw").assertDown("radius Access-Reject");
        }
    }

    @Test
    void answerSignedWithAnotherSecretIsDown() throws Exception {
        try (UdpPeer p = new UdpPeer(new Server("not-our-secret")::answer)) {
            probe(p.port()).login("alice", "s3cret").assertDown("bad response authenticator");
        }
    }

    @Test
    void refusedByPortUnreachable() {
        probe(Probe.closedUdpPort()).login("alice", "s3cret").assertDown("connect refused");
    }

    @Test
    void silenceTimesOutAndSecretsStayOutOfTheReason() throws Exception {
        try (UdpPeer p = new UdpPeer(req -> null)) {
            probe(p.port())
                    .login("alice", "s3cret")
                    .timeout(Duration.ofMillis(400))
                    .assertTimesOut();
        }
    }
}
