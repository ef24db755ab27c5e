package org.ldirector.ipvs.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.ldirector.ipvs.DestinationEntry;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsInfo;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.ServiceEntry;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.SyncDaemon;
import org.ldirector.ipvs.Timeouts;
import org.ldirector.sys.Errno;
import org.ldirector.sys.NativeException;

/**
 * The kernel's IPVS table over generic netlink. One socket per instance; methods are synchronized
 * so one request/reply exchange runs at a time. Every single request is encoded through {@link
 * #request}, and each public command is one line over one of four exchanges: {@link #change} (ack
 * only), {@link #query} (one reply + ack), {@link #dump} (multipart until NLMSG_DONE) and {@link
 * #apply} (acked changes, pipelined).
 */
public final class NetlinkIpvsTable implements IpvsTable {
    /** Bytes of requests per sendto: well under the 1 MiB send buffer. */
    static final int BATCH_BYTES = 32 * 1024;

    /**
     * Requests per sendto, bounding the acks queued at once (see SocketTransport.RECEIVE_BUFFER).
     */
    static final int BATCH_OPS = 256;

    /** Dump chunks are at most 32 KiB (netlink_dump caps max_recvmsg_len); room to spare. */
    private static final int RECEIVE_BYTES = 256 * 1024;

    private final NetlinkTransport transport;
    private final Duration timeout;
    private final int family;
    private final ByteBuffer rx =
            ByteBuffer.allocateDirect(RECEIVE_BYTES).order(ByteOrder.nativeOrder());
    private final MessageWriter tx = new MessageWriter(BATCH_BYTES + 4096);
    private int seq;

    private NetlinkIpvsTable(
            NetlinkTransport transport, Duration timeout, int initialSeq, int family) {
        this.transport = transport;
        this.timeout = timeout;
        this.seq = initialSeq;
        this.family = family;
    }

    /** Opens a socket, resolves the IPVS family and loads ip_vs with modprobe if it is missing. */
    public static NetlinkIpvsTable open() throws IpvsException {
        NetlinkTransport transport;
        try {
            transport = SocketTransport.open();
        } catch (NativeException e) {
            throw new IpvsException(
                    e.errno(), "cannot open a generic netlink socket: " + e.getMessage(), e);
        }
        return open(
                transport,
                ModuleLoader.modprobe(Duration.ofSeconds(60)),
                Duration.ofSeconds(30),
                (int) (System.nanoTime() & 0x3fffffff));
    }

    /**
     * Resolves the IPVS family on {@code transport} (taking ownership of it). When the family is
     * missing, runs the module loader once and asks again, as ipvsadm does.
     */
    public static NetlinkIpvsTable open(
            NetlinkTransport transport, ModuleLoader loader, Duration timeout, int initialSeq)
            throws IpvsException {
        NetlinkIpvsTable resolver =
                new NetlinkIpvsTable(transport, timeout, initialSeq, Netlink.GENL_ID_CTRL);
        try {
            Integer id = resolver.resolveFamily();
            if (id == null) {
                String failure = loader.load("ip_vs");
                if (failure != null) {
                    throw new IpvsException(
                            Errno.ENOENT,
                            "the kernel has no IPVS (modprobe ip_vs failed: " + failure + ")");
                }
                id = resolver.resolveFamily();
                if (id == null) {
                    throw new IpvsException(
                            Errno.ENOENT,
                            "the kernel has no IPVS (modprobe ip_vs failed: "
                                    + "it exited 0 but no IPVS generic netlink family appeared)");
                }
            }
            return new NetlinkIpvsTable(transport, timeout, resolver.seq, id);
        } catch (IpvsException | RuntimeException e) {
            closeQuietly(transport, e);
            throw e;
        }
    }

    /** The family id, or null when the kernel has no family of that name (ENOENT). */
    private Integer resolveFamily() throws IpvsException {
        int s =
                request(
                        (w, f, seq, port) ->
                                IpvsCodec.getFamily(w, seq, port, IpvsGenl.FAMILY_NAME));
        List<NlMessage> replies = new ArrayList<>();
        int err = exchange(s, replies);
        if (err == Errno.ENOENT) {
            return null;
        }
        if (err != 0) {
            throw new IpvsException(
                    err, "cannot resolve the IPVS netlink family (" + Errno.name(err) + ")");
        }
        try {
            return IpvsCodec.decodeFamilyId(single(replies, "CTRL_CMD_GETFAMILY"));
        } catch (NetlinkFormatException e) {
            throw malformed("CTRL_CMD_GETFAMILY", e);
        }
    }

    /** The dynamic generic-netlink id the kernel gave the IPVS family. */
    public int familyId() {
        return family;
    }

    @Override
    public synchronized IpvsInfo info() throws IpvsException {
        return query(simple(IpvsGenl.CMD_GET_INFO), "IPVS_CMD_GET_INFO", IpvsCodec::decodeInfo);
    }

    @Override
    public synchronized Timeouts timeouts() throws IpvsException {
        return query(
                simple(IpvsGenl.CMD_GET_CONFIG), "IPVS_CMD_GET_CONFIG", IpvsCodec::decodeTimeouts);
    }

    @Override
    public synchronized void setTimeouts(Timeouts timeouts) throws IpvsException {
        change(
                (w, f, s, port) -> IpvsCodec.setTimeouts(w, f, s, port, timeouts),
                "cannot set IPVS timeouts " + timeouts,
                NetlinkIpvsTable::describe);
    }

    @Override
    public synchronized void flush() throws IpvsException {
        change(
                simple(IpvsGenl.CMD_FLUSH),
                "cannot flush the IPVS table",
                NetlinkIpvsTable::describe);
    }

    @Override
    public synchronized List<ServiceEntry> services() throws IpvsException {
        return dump(
                IpvsCodec::getServices,
                "services",
                "IPVS_CMD_GET_SERVICE dump",
                IpvsCodec::decodeService);
    }

    @Override
    public synchronized List<DestinationEntry> destinations(ServiceKey service)
            throws IpvsException {
        return dump(
                (w, f, s, port) -> IpvsCodec.getDestinations(w, f, s, port, service),
                "real servers of " + service,
                "IPVS_CMD_GET_DEST dump",
                m -> IpvsCodec.decodeDestination(m, service.family()));
    }

    @Override
    public synchronized List<SyncDaemon> syncDaemons() throws IpvsException {
        return dump(
                IpvsCodec::getDaemons,
                "sync daemons",
                "IPVS_CMD_GET_DAEMON dump",
                IpvsCodec::decodeDaemon);
    }

    @Override
    public synchronized void startSyncDaemon(SyncDaemon daemon) throws IpvsException {
        change(
                (w, f, s, port) -> IpvsCodec.startDaemon(w, f, s, port, daemon),
                "cannot start the " + daemon.describe(),
                NetlinkIpvsTable::describeDaemon);
    }

    /**
     * A thread stopped before it first ran makes kthread_stop return EINTR, and for EINTR netlink
     * sends no ack at all (netlink_rcv_skb skips it), though the thread is gone. The request is
     * handled inside sendto, so an ack that exists is queued by the time sendto returns: a short
     * wait, then the daemon list, tells the two cases apart.
     */
    static final Duration STOP_ACK_WAIT = Duration.ofSeconds(2);

    @Override
    public synchronized void stopSyncDaemon(SyncDaemon.State state) throws IpvsException {
        int s = request((w, f, seq, port) -> IpvsCodec.stopDaemon(w, f, seq, port, state));
        int err;
        try {
            err = exchange(s, new ArrayList<>(), STOP_ACK_WAIT);
        } catch (IpvsException e) {
            if (e.errno() != Errno.ETIMEDOUT) {
                throw e;
            }
            if (syncDaemons().stream().noneMatch(d -> d.state() == state)) {
                return; // stopped; the kernel just did not say so
            }
            throw e;
        }
        if (err != 0) {
            throw new IpvsException(
                    err,
                    "cannot stop the "
                            + state.word()
                            + " sync daemon ("
                            + describeDaemon(err)
                            + ")");
        }
    }

    /** The errnos of the sync commands, in an operator's words. */
    private static String describeDaemon(int errno) {
        return switch (errno) {
            case Errno.EEXIST -> "EEXIST: one of that state is already running";
            case Errno.ESRCH -> "ESRCH: none of that state is running";
            case Errno.ENODEV -> "ENODEV: no such interface";
            case Errno.ENETUNREACH ->
                    "ENETUNREACH: the interface is down or has no route to the group";
            case Errno.EINVAL ->
                    "EINVAL: bad value, or a service mixes address families, which sync cannot"
                            + " carry";
            default -> describe(errno);
        };
    }

    /**
     * Sends the ops in batches of many messages per sendto; the kernel handles each message in turn
     * and acks each with its sequence number, so one round trip covers a whole batch.
     */
    @Override
    public synchronized List<OpResult> apply(List<? extends IpvsOp> ops) throws IpvsException {
        IpvsException[] errors = new IpvsException[ops.size()];
        int next = 0;
        while (next < ops.size()) {
            tx.clear();
            int first = next;
            int firstSeq = seq + 1;
            while (next < ops.size() && tx.size() < BATCH_BYTES && next - first < BATCH_OPS) {
                IpvsCodec.op(tx, family, nextSeq(), transport.portId(), ops.get(next));
                next++;
            }
            send();
            int pending = next - first;
            boolean[] acked = new boolean[pending];
            long deadline = System.nanoTime() + timeout.toNanos();
            while (pending > 0) {
                for (NlMessage m : receive(deadline, "acks for " + pending + " IPVS changes")) {
                    int index = m.seq() - firstSeq;
                    if (m.type() != Netlink.NLMSG_ERROR
                            || index < 0
                            || index >= acked.length
                            || acked[index]) {
                        continue; // a late reply to an earlier exchange, or a duplicate
                    }
                    acked[index] = true;
                    pending--;
                    int err = -errorCode(m);
                    if (err != 0) {
                        errors[first + index] =
                                withKernelText(IpvsException.forOp(ops.get(first + index), err), m);
                    }
                }
            }
        }
        List<OpResult> results = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            results.add(new OpResult(ops.get(i), errors[i]));
        }
        return results;
    }

    @Override
    public synchronized void close() throws IpvsException {
        try {
            transport.close();
        } catch (IOException e) {
            throw new IpvsException(0, "cannot close the netlink socket: " + e.getMessage(), e);
        }
    }

    // ---- the request funnel and the exchanges ----

    /**
     * Writes one request into tx: an IpvsCodec method that takes (writer, family, seq, port id).
     */
    @FunctionalInterface
    private interface Encoder {
        void encode(MessageWriter w, int family, int seq, int portId);
    }

    /** Decodes one dumped message. */
    private interface Decoder<T> {
        T decode(NlMessage m) throws NetlinkFormatException;
    }

    /**
     * The one place a single request is built: a fresh sequence number, an empty tx, the encoding.
     */
    private int request(Encoder encoder) {
        int s = nextSeq();
        tx.clear();
        encoder.encode(tx, family, s, transport.portId());
        return s;
    }

    /** The encoder of a request that is its command alone. */
    private static Encoder simple(int cmd) {
        return (w, f, s, port) -> IpvsCodec.simple(w, f, s, port, cmd);
    }

    /** A request whose answer is one message, decoded by {@code decoder}, followed by the ack. */
    private <T> T query(Encoder encoder, String what, Decoder<T> decoder) throws IpvsException {
        int s = request(encoder);
        List<NlMessage> replies = new ArrayList<>();
        int err = exchange(s, replies);
        if (err != 0) {
            throw new IpvsException(err, what + " failed (" + describe(err) + ")");
        }
        NlMessage reply = single(replies, what);
        try {
            return decoder.decode(reply);
        } catch (NetlinkFormatException e) {
            throw malformed(what, e);
        }
    }

    /** A change that answers with its ack only; throws "WHAT (REASON)" when the kernel refuses. */
    private void change(Encoder encoder, String what, IntFunction<String> reason)
            throws IpvsException {
        int s = request(encoder);
        int err = exchange(s, new ArrayList<>());
        if (err != 0) {
            throw new IpvsException(err, what + " (" + reason.apply(err) + ")");
        }
    }

    /** A dump request whose every message is decoded by {@code decoder}. */
    private <T> List<T> dump(Encoder encoder, String what, String command, Decoder<T> decoder)
            throws IpvsException {
        int s = request(encoder);
        List<T> out = new ArrayList<>();
        try {
            for (NlMessage m : dumpAll(s, what)) {
                out.add(decoder.decode(m));
            }
        } catch (NetlinkFormatException e) {
            throw malformed(command, e);
        }
        return out;
    }

    /**
     * Sends tx and collects replies for {@code s} until its ack; returns the ack's errno (0 = ok).
     */
    private int exchange(int s, List<NlMessage> replies) throws IpvsException {
        return exchange(s, replies, timeout);
    }

    private int exchange(int s, List<NlMessage> replies, Duration wait) throws IpvsException {
        send();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            for (NlMessage m : receive(deadline, "the reply to request " + s)) {
                if (m.seq() != s) {
                    continue;
                }
                if (m.type() == Netlink.NLMSG_ERROR) {
                    return -errorCode(m);
                }
                replies.add(m.detached());
            }
        }
    }

    /**
     * Sends a dump request (tx) and returns its messages. Dumps are not acked: the kernel ends them
     * with NLMSG_DONE, whose payload is an int error. Only one dump can run per socket at a time.
     */
    private List<NlMessage> dumpAll(int s, String what) throws IpvsException {
        send();
        List<NlMessage> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (NlMessage m : receive(deadline, "the dump of " + what)) {
                if (m.seq() != s) {
                    continue;
                }
                if (m.type() == Netlink.NLMSG_DONE) {
                    int err = m.payload().remaining() >= 4 ? -m.payload().getInt(0) : 0;
                    if (err != 0) {
                        throw new IpvsException(
                                err, "dump of " + what + " failed (" + describe(err) + ")");
                    }
                    return out;
                }
                if (m.type() == Netlink.NLMSG_ERROR) {
                    int err = -errorCode(m);
                    throw new IpvsException(
                            err, "dump of " + what + " failed (" + describe(err) + ")");
                }
                out.add(m.detached());
            }
        }
    }

    // ---- plumbing ----

    private void send() throws IpvsException {
        try {
            transport.send(tx.flip());
        } catch (IOException e) {
            throw io("sending to the kernel", e);
        }
    }

    private List<NlMessage> receive(long deadline, String waitingFor) throws IpvsException {
        long left = deadline - System.nanoTime();
        rx.clear();
        try {
            if (left <= 0 || !transport.receive(rx, Duration.ofNanos(left))) {
                throw new IpvsException(
                        Errno.ETIMEDOUT,
                        "no answer from the kernel within "
                                + timeout.toSeconds()
                                + " s while waiting for "
                                + waitingFor);
            }
            rx.flip();
            return NlMessage.parseAll(rx);
        } catch (IOException e) {
            throw io("receiving from the kernel", e);
        } catch (NetlinkFormatException e) {
            throw malformed(waitingFor, e);
        }
    }

    private int nextSeq() {
        seq++;
        if (seq == 0) {
            seq++; // the kernel's own notifications use seq 0
        }
        return seq;
    }

    /** Appends the kernel's extended-ack text (NETLINK_EXT_ACK), when it sent one. */
    private static IpvsException withKernelText(IpvsException e, NlMessage ack) {
        try {
            String text = ack.extAckMessage();
            return text == null
                    ? e
                    : new IpvsException(e.errno(), e.getMessage() + "; kernel says: " + text);
        } catch (NetlinkFormatException ignored) {
            return e; // the errno is what matters; a garbled optional text must not hide it
        }
    }

    /** "EPERM" plus what an operator should do about it. */
    private static String describe(int errno) {
        return Errno.name(errno)
                + (errno == Errno.EPERM ? ": programming IPVS needs root or CAP_NET_ADMIN" : "");
    }

    private static int errorCode(NlMessage m) throws IpvsException {
        try {
            return m.errorCode();
        } catch (NetlinkFormatException e) {
            throw malformed("an ack", e);
        }
    }

    private static NlMessage single(List<NlMessage> replies, String what) throws IpvsException {
        if (replies.size() != 1) {
            throw new IpvsException(
                    0, what + ": expected one reply from the kernel, got " + replies.size());
        }
        return replies.get(0);
    }

    private static IpvsException malformed(String what, NetlinkFormatException e) {
        return new IpvsException(
                Errno.EIO, "malformed netlink reply to " + what + ": " + e.getMessage(), e);
    }

    private static IpvsException io(String what, IOException e) {
        int errno = e instanceof NativeException n ? n.errno() : Errno.EIO;
        String hint =
                errno == Errno.ENOBUFS
                        ? " (socket receive buffer overflowed; replies were lost)"
                        : "";
        return new IpvsException(
                errno, "netlink I/O failed " + what + ": " + e.getMessage() + hint, e);
    }

    private static void closeQuietly(NetlinkTransport transport, Exception primary) {
        try {
            transport.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "NetlinkIpvsTable[family=" + family + ", port=" + transport.portId() + "]";
    }
}
