package org.ldirector.ipvs.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A generic-netlink socket as the IPVS table needs it; a seam so the protocol logic is testable
 * without root.
 */
public interface NetlinkTransport extends AutoCloseable {
    /** Our netlink port id (nlmsg_pid of our requests and of the kernel's replies to us). */
    int portId();

    /** Sends the buffer's remaining bytes as one datagram (may hold several messages). */
    void send(ByteBuffer messages) throws IOException;

    /**
     * Reads one datagram into {@code into} (from its position). Returns false if none arrived
     * within {@code timeout}.
     */
    boolean receive(ByteBuffer into, Duration timeout) throws IOException;

    @Override
    void close() throws IOException;
}
