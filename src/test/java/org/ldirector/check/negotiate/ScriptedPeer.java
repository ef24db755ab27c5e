package org.ldirector.check.negotiate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLServerSocketFactory;

/**
 * A loopback server that plays one scripted dialogue per connection, byte for byte as the real
 * server it stands in for, and records what the client sent so tests can assert on it.
 */
final class ScriptedPeer implements AutoCloseable {
    @FunctionalInterface
    interface Script {
        void play(Conn c) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    private ScriptedPeer(ServerSocket server, Script script) {
        this.server = server;
        threads.execute(
                () -> {
                    while (!server.isClosed()) {
                        try {
                            Socket s = server.accept();
                            open.add(s);
                            threads.execute(
                                    () -> {
                                        try (s) {
                                            script.play(new Conn(s));
                                        } catch (Exception ignored) {
                                            // the client hung up mid-script: fine for a peer
                                        }
                                    });
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
    }

    static ScriptedPeer start(Script script) throws IOException {
        return new ScriptedPeer(new ServerSocket(0, 50, Probe.LOOPBACK), script);
    }

    static ScriptedPeer startOn(int port, Script script) throws IOException {
        return new ScriptedPeer(new ServerSocket(port, 50, Probe.LOOPBACK), script);
    }

    /** The same, behind TLS with a throwaway self-signed certificate. */
    static ScriptedPeer startTls(Script script) throws IOException {
        SSLServerSocketFactory f = TestTls.serverContext().getServerSocketFactory();
        return new ScriptedPeer(f.createServerSocket(0, 50, Probe.LOOPBACK), script);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every line (or raw chunk) the clients sent, in order. */
    List<String> received() {
        return received;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }

    final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            send(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** A line from the client without CR LF, recorded; null at end of stream. */
        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                b.write(c);
            }
            if (c < 0 && b.size() == 0) {
                return null;
            }
            String s = b.toString(StandardCharsets.ISO_8859_1);
            s = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            received.add(s);
            return s;
        }

        byte[] bytes(int n) throws IOException {
            return in.readNBytes(n);
        }

        InputStream in() {
            return in;
        }

        /** Holds the connection open and silent until the client (or the test) closes it. */
        void hold() throws IOException {
            while (in.read() >= 0) {
                // discard
            }
        }

        /** Keeps the connection open and silent whatever the client does, until the peer closes. */
        void stall() throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
        }

        /** The peer's transcript, for scripts that record structured (non-line) requests. */
        List<String> received() {
            return received;
        }

        Socket socket() {
            return socket;
        }
    }
}
