package org.ldirector.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback TCP ports that refuse every connection for as long as the test JVM lives. A port taken
 * from a server socket that was then closed is free again, and a test running at the same time may
 * listen on it (one took an alert mail meant to fail that way); a socket bound without listening
 * keeps the port while the kernel answers every SYN with a reset.
 */
public final class RefusingPorts {
    private static final List<Socket> HELD = new ArrayList<>();

    private RefusingPorts() {}

    /** A port on 127.0.0.1 that refuses connections until the JVM exits. */
    public static synchronized int reserve() {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HELD.add(s);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
