package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ldirector.check.CheckResult;
import org.ldirector.config.CheckSpec;
import org.ldirector.config.ServiceType;

/**
 * A real that speaks MySQL 8's caching_sha2_password and asks for full authentication on a
 * connection without TLS. The client may then only send its password RSA-encrypted to the server's
 * key; a client that accepts that key from the server gives its password to whoever answers. The
 * check must refuse instead.
 */
class MysqlRogueRealTest {
    private static final int FULL_AUTH = 0x04;
    private static final int REQUEST_PUBLIC_KEY = 0x02;

    /**
     * What the client sent after the real asked for full authentication (empty: it hung up). The
     * check can finish before the real has seen the hang-up, so tests wait for it.
     */
    private final CompletableFuture<byte[]> afterFullAuth = new CompletableFuture<>();

    /** Greets as MySQL 8, switches to caching_sha2_password, asks for full authentication. */
    private ScriptedPeer rogueReal() throws IOException {
        return ScriptedPeer.start(
                c -> {
                    c.send(packet(0, handshake()));
                    if (readPacket(c.in()) == null) {
                        return;
                    }
                    // switch to caching_sha2_password with a fresh seed, as a server does whose
                    // account
                    // uses another plugin than the one the client started with
                    ByteArrayOutputStream sw = new ByteArrayOutputStream();
                    sw.write(0xfe);
                    sw.writeBytes("caching_sha2_password\0".getBytes(StandardCharsets.ISO_8859_1));
                    sw.writeBytes("ABCDEFGHIJKLMNOPQRST\0".getBytes(StandardCharsets.ISO_8859_1));
                    c.send(packet(2, sw.toByteArray()));
                    if (readPacket(c.in()) == null) { // the client's SHA-256 scramble
                        return;
                    }
                    c.send(
                            packet(
                                    4,
                                    new byte[] {
                                        0x01, FULL_AUTH
                                    })); // AuthMoreData: perform full authentication
                    byte[] next = readPacket(c.in());
                    afterFullAuth.complete(next == null ? new byte[0] : next);
                });
    }

    // 10 s: the driver's first load alone can take seconds on a busy machine
    private static Probe probe(int port) {
        return Probe.of(ServiceType.MYSQL, port)
                .login("checker", "s3cret")
                .database("health")
                .request("/SELECT 1")
                .timeout(Duration.ofSeconds(10));
    }

    @Test
    void theCheckNeverAsksTheRealForItsRsaKey() throws Exception {
        try (ScriptedPeer rogue = rogueReal()) {
            probe(rogue.port())
                    .assertDown(
                            "mysql login failed: the server asks for the whole password on a"
                                    + " connection without TLS");
            byte[] sent =
                    afterFullAuth.get(
                            5,
                            TimeUnit.SECONDS); // else the client never reached full authentication
            assertFalse(
                    sent.length == 1 && sent[0] == REQUEST_PUBLIC_KEY,
                    "the client asked the real for its RSA key");
            assertFalse(
                    new String(sent, StandardCharsets.ISO_8859_1).contains("s3cret"),
                    "password sent in clear");
            assertEquals(0, sent.length, "nothing more was sent: the client gave up");
        }
    }

    /** mysqlpublickeyretrieval=yes is the operator's explicit choice to take that risk. */
    @Test
    void withTheOptInTheCheckAsksTheRealForItsKey() throws Exception {
        try (ScriptedPeer rogue = rogueReal()) {
            CheckResult r =
                    probe(rogue.port())
                            .run(
                                    s ->
                                            new CheckSpec(
                                                    s.type(),
                                                    s.numConnects(),
                                                    s.service(),
                                                    s.checkCommand(),
                                                    s.checkPort(),
                                                    s.request(),
                                                    s.receive(),
                                                    s.httpMethod(),
                                                    s.virtualHost(),
                                                    s.login(),
                                                    s.passwd(),
                                                    s.database(),
                                                    s.secret(),
                                                    s.checkTimeout(),
                                                    s.negotiateTimeout(),
                                                    s.checkCount(),
                                                    s.httpsCaFile(),
                                                    s.httpsSniName(),
                                                    true,
                                                    s.http(),
                                                    s.externalWeight()));
            assertFalse(r.up(), "this real never finishes the login");
            assertTrue(
                    Arrays.equals(
                            new byte[] {REQUEST_PUBLIC_KEY},
                            afterFullAuth.get(5, TimeUnit.SECONDS)));
        }
    }

    /** One MySQL packet: 3-byte little-endian length, sequence id, payload. */
    private static byte[] packet(int seq, byte[] payload) {
        byte[] p = new byte[4 + payload.length];
        p[0] = (byte) payload.length;
        p[1] = (byte) (payload.length >> 8);
        p[2] = (byte) (payload.length >> 16);
        p[3] = (byte) seq;
        System.arraycopy(payload, 0, p, 4, payload.length);
        return p;
    }

    private static byte[] readPacket(InputStream in) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            return null;
        }
        int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
        return in.readNBytes(length);
    }

    /**
     * Protocol 10 handshake of a MySQL 8 server without TLS whose default plugin is
     * caching_sha2_password.
     */
    private static byte[] handshake() {
        // LONG_PASSWORD (marks a MySQL, not a MariaDB, server), FOUND_ROWS, LONG_FLAG,
        // CONNECT_WITH_DB,
        // PROTOCOL_41, TRANSACTIONS, SECURE_CONNECTION, MULTI_STATEMENTS, MULTI_RESULTS,
        // PLUGIN_AUTH,
        // CONNECT_ATTRS, PLUGIN_AUTH_LENENC_CLIENT_DATA, DEPRECATE_EOF; no SSL
        int capabilities = 0x013BA20F;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(10);
        b.writeBytes("8.0.36\0".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(new byte[] {1, 0, 0, 0}); // connection id
        b.writeBytes("abcdefgh".getBytes(StandardCharsets.ISO_8859_1)); // scramble, first 8 bytes
        b.write(0);
        b.write(capabilities & 0xff);
        b.write((capabilities >> 8) & 0xff);
        b.write(255); // utf8mb4_0900_ai_ci
        b.writeBytes(new byte[] {2, 0}); // status: autocommit
        b.write((capabilities >> 16) & 0xff);
        b.write((capabilities >> 24) & 0xff);
        b.write(21); // scramble length, with its NUL
        b.writeBytes(new byte[10]);
        b.writeBytes(
                "ijklmnopqrst\0".getBytes(StandardCharsets.ISO_8859_1)); // scramble, last 12 bytes
        b.writeBytes("caching_sha2_password\0".getBytes(StandardCharsets.ISO_8859_1));
        return b.toByteArray();
    }
}
