package org.ldirector.ipvs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * Plays a recorded kernel session back: each send must equal the next recorded request byte for
 * byte; the kernel datagrams recorded after it are then returned by receive, in order. Receive
 * returns false at once when nothing is left (a timeout without waiting).
 *
 * <p>In renumbering mode, scenarios can be replayed out of their recorded context: request sequence
 * numbers and port ids are not compared, and the replies' sequence numbers are shifted by the same
 * distance as the request's. Nothing else in the kernel's bytes changes.
 */
final class ReplayTransport implements NetlinkTransport {
    private final Deque<Golden.Datagram> script;
    private final Deque<byte[]> inbox = new ArrayDeque<>();
    private final boolean renumber;
    private final int portId;
    private int sends;

    ReplayTransport(List<Golden.Datagram> datagrams, boolean renumber) {
        this.script = new ArrayDeque<>(datagrams);
        this.renumber = renumber;
        this.portId = Golden.portId(datagrams.get(0).bytes());
    }

    void then(List<Golden.Datagram> datagrams) {
        script.addAll(datagrams);
    }

    /** Queues a kernel datagram to be received without a preceding request. */
    void deliver(byte[] datagram) {
        inbox.add(datagram);
    }

    int sends() {
        return sends;
    }

    boolean drained() {
        return script.isEmpty() && inbox.isEmpty();
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void send(ByteBuffer messages) {
        byte[] ours = new byte[messages.remaining()];
        messages.get(ours);
        assertTrue(
                !script.isEmpty() && script.peek().sent(),
                "unexpected request " + HexFormat.of().formatHex(ours));
        byte[] recorded = script.poll().bytes().clone();
        int delta = 0;
        if (renumber) {
            delta = Golden.seq(ours) - Golden.seq(recorded);
            rewriteHeaders(recorded, delta, Golden.portId(ours));
        }
        assertEquals(
                HexFormat.of().formatHex(recorded),
                HexFormat.of().formatHex(ours),
                "request " + sends + " differs from the recorded one");
        sends++;
        while (!script.isEmpty() && !script.peek().sent()) {
            byte[] reply = script.poll().bytes().clone();
            if (renumber) {
                rewriteHeaders(reply, delta, Golden.portId(reply));
            }
            inbox.add(reply);
        }
    }

    /** Shifts nlmsg_seq by delta and sets nlmsg_pid in every message of a datagram. */
    private static void rewriteHeaders(byte[] datagram, int delta, int pid) {
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        int off = 0;
        while (off + Netlink.NLMSG_HDRLEN <= datagram.length) {
            b.putInt(off + 8, b.getInt(off + 8) + delta);
            b.putInt(off + 12, pid);
            off += Netlink.align(b.getInt(off));
        }
    }

    @Override
    public boolean receive(ByteBuffer into, Duration timeout) {
        if (inbox.isEmpty()) {
            return false;
        }
        into.put(inbox.poll());
        return true;
    }

    @Override
    public void close() {}
}
