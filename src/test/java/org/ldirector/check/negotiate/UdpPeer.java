package org.ldirector.check.negotiate;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A loopback UDP server answering each datagram with what the handler returns (null: silence). */
final class UdpPeer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final List<byte[]> received = new CopyOnWriteArrayList<>();

    UdpPeer(Function<byte[], byte[]> handler) throws IOException {
        this(0, handler);
    }

    UdpPeer(int port, Function<byte[], byte[]> handler) throws IOException {
        socket = new DatagramSocket(port, Probe.LOOPBACK);
        thread =
                new Thread(
                        () -> {
                            byte[] buf = new byte[65535];
                            while (!socket.isClosed()) {
                                try {
                                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                                    socket.receive(p);
                                    byte[] got = Arrays.copyOf(p.getData(), p.getLength());
                                    received.add(got);
                                    byte[] answer = handler.apply(got);
                                    if (answer != null) {
                                        socket.send(
                                                new DatagramPacket(
                                                        answer,
                                                        answer.length,
                                                        p.getSocketAddress()));
                                    }
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "udp-peer");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    List<byte[]> received() {
        return received;
    }

    @Override
    public void close() {
        socket.close();
    }
}
