package org.ldirector.check.negotiate;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ldirector.check.ProbeTarget;

/**
 * radius, as ldirectord's Authen::Radius check_pwd: an Access-Request (RFC 2865) for login with
 * passwd hidden under secret, NAS-IP-Address the local address; up only on an Access-Accept whose
 * Response Authenticator proves the server knows the secret. Unlike ldirectord a
 * Message-Authenticator (RFC 3579) is added: servers hardened against BlastRADIUS require it and
 * every other server ignores it.
 */
final class RadiusCheck implements Conversation {
    private static final int ACCESS_REQUEST = 1;
    private static final int ACCESS_ACCEPT = 2;
    private static final int ACCESS_REJECT = 3;
    private final SecureRandom random = new SecureRandom();

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        byte[] secret = t.spec().secret().reveal().getBytes(StandardCharsets.ISO_8859_1);
        InetAddress local = d.udpLocalAddress().getAddress();
        // Authen::Radius falls back to 127.0.0.1 when the local address is not an IPv4 one
        byte[] nas =
                local instanceof Inet4Address && !local.isAnyLocalAddress()
                        ? local.getAddress()
                        : new byte[] {127, 0, 0, 1};
        int id = random.nextInt(256);
        byte[] authenticator = new byte[16];
        random.nextBytes(authenticator);
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        attribute(attrs, 1, t.spec().login().getBytes(StandardCharsets.UTF_8));
        attribute(
                attrs,
                2,
                hide(
                        t.spec().passwd().reveal().getBytes(StandardCharsets.UTF_8),
                        secret,
                        authenticator));
        attribute(attrs, 4, nas);
        attribute(attrs, 80, new byte[16]);
        byte[] packet = packet(ACCESS_REQUEST, id, authenticator, attrs.toByteArray());
        Mac hmac = Mac.getInstance("HmacMD5");
        hmac.init(new SecretKeySpec(secret.length == 0 ? new byte[1] : secret, "HmacMD5"));
        byte[] messageAuthenticator = hmac.doFinal(packet);
        System.arraycopy(messageAuthenticator, 0, packet, packet.length - 16, 16);

        byte[] answer = d.exchange(packet, b -> b.length >= 20 && (b[1] & 0xff) == id);
        int length = ((answer[2] & 0xff) << 8) | (answer[3] & 0xff);
        if (length < 20 || length > answer.length) {
            return Outcome.down("radius: malformed answer");
        }
        byte[] got = Arrays.copyOfRange(answer, 4, 20);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(answer, 0, 4);
        md5.update(authenticator);
        md5.update(answer, 20, length - 20);
        md5.update(secret);
        if (!MessageDigest.isEqual(got, md5.digest())) {
            return Outcome.down("radius: bad response authenticator (wrong secret?)");
        }
        int code = answer[0] & 0xff;
        if (code == ACCESS_ACCEPT) {
            return Outcome.up("radius Access-Accept");
        }
        return Outcome.down(
                code == ACCESS_REJECT ? "radius Access-Reject" : "radius answered code " + code);
    }

    private static void attribute(ByteArrayOutputStream out, int type, byte[] value) {
        byte[] v = value.length > 253 ? Arrays.copyOf(value, 253) : value;
        out.write(type);
        out.write(v.length + 2);
        out.writeBytes(v);
    }

    private static byte[] packet(int code, int id, byte[] authenticator, byte[] attrs) {
        int length = 20 + attrs.length;
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(code);
        p.write(id);
        p.write(length >> 8);
        p.write(length);
        p.writeBytes(authenticator);
        p.writeBytes(attrs);
        return p.toByteArray();
    }

    /**
     * RFC 2865 5.2: the password padded to 16-byte blocks, each XORed with MD5(secret + previous).
     */
    static byte[] hide(byte[] password, byte[] secret, byte[] authenticator) throws Exception {
        int blocks = Math.max(1, (password.length + 15) / 16);
        byte[] p = Arrays.copyOf(password, Math.min(128, blocks * 16));
        byte[] prev = authenticator;
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        for (int i = 0; i < p.length; i += 16) {
            md5.update(secret);
            md5.update(prev);
            byte[] x = md5.digest();
            for (int j = 0; j < 16; j++) {
                p[i + j] ^= x[j];
            }
            prev = Arrays.copyOfRange(p, i, i + 16);
        }
        return p;
    }
}
