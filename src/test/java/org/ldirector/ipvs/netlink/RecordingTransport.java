package org.ldirector.ipvs.netlink;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Wraps a real transport and logs every datagram as hex: "> " sent, "< " received, under "#
 * scenario" headings. Used only by {@link GoldenCapture} to record what a real kernel answers.
 */
final class RecordingTransport implements NetlinkTransport {
    private final NetlinkTransport inner;
    private final PrintWriter log;

    RecordingTransport(NetlinkTransport inner, PrintWriter log) {
        this.inner = inner;
        this.log = log;
    }

    void scenario(String name) {
        log.println("# " + name);
        log.flush();
    }

    @Override
    public int portId() {
        return inner.portId();
    }

    @Override
    public void send(ByteBuffer messages) throws IOException {
        log.println("> " + hex(messages.duplicate()));
        inner.send(messages);
    }

    @Override
    public boolean receive(ByteBuffer into, Duration timeout) throws IOException {
        int start = into.position();
        boolean got = inner.receive(into, timeout);
        if (got) {
            log.println("< " + hex(into.duplicate().flip().position(start)));
        }
        return got;
    }

    @Override
    public void close() throws IOException {
        log.flush();
        inner.close();
    }

    private static String hex(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        return HexFormat.of().formatHex(raw);
    }
}
