package org.ldirector.ipvs.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the golden files under src/test/resources/org/ldirector/ipvs/netlink/golden (see README
 * there).
 */
final class Golden {
    /** The IPVS family id the kernel assigned in the boots the goldens were captured in. */
    static final int FAMILY = 28;

    private Golden() {}

    static String text(String path) {
        try (InputStream in = Golden.class.getResourceAsStream("golden/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The messages ipvsadm sent for one command line. */
    static List<byte[]> ipvsadmRequests(String name) {
        List<byte[]> out = new ArrayList<>();
        for (String line : text("ipvsadm-requests/" + name + ".req.hex").split("\n")) {
            if (!line.isBlank()) {
                out.add(HexFormat.of().parseHex(line.strip()));
            }
        }
        return out;
    }

    /** One datagram of the recorded kernel session. */
    record Datagram(boolean sent, byte[] bytes) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        }
    }

    /** The recorded session, scenario name to datagrams in order. */
    static Map<String, List<Datagram>> session() {
        return session("kernel-6.1-session.txt");
    }

    static Map<String, List<Datagram>> session(String file) {
        Map<String, List<Datagram>> out = new LinkedHashMap<>();
        List<Datagram> current = null;
        for (String line : text(file).split("\n")) {
            if (line.startsWith("# ") && current != null && line.contains(": ")) {
                continue; // a comment inside a scenario (e.g. "# modprobe: ...")
            }
            if (line.startsWith("# ")) {
                current = new ArrayList<>();
                out.put(line.substring(2).strip(), current);
            } else if (line.startsWith("> ") || line.startsWith("< ")) {
                current.add(
                        new Datagram(
                                line.charAt(0) == '>',
                                HexFormat.of().parseHex(line.substring(2).strip())));
            }
        }
        return out;
    }

    /** Header fields of a request, to encode ours with the same sequence number and port id. */
    static int seq(byte[] message) {
        return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
    }

    static int portId(byte[] message) {
        return ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(12);
    }
}
