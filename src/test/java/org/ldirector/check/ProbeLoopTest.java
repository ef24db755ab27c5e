package org.ldirector.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.ldirector.net.RefusingPorts;
import org.ldirector.sys.Errno;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.TcpStream;

class ProbeLoopTest {
    /** A connect-only session that reports how it ended and how long after its start. */
    static class Probe extends ProbeLoop.Session {
        final InetSocketAddress to;
        final long timeoutMillis;
        final CompletableFuture<ProbeLoop.End> end = new CompletableFuture<>();
        volatile long startedAt;
        volatile long endedAt;

        Probe(InetSocketAddress to, long timeoutMillis) {
            this.to = to;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        protected InetSocketAddress remote() {
            return to;
        }

        @Override
        protected long timeoutNanos() {
            return TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }

        @Override
        protected void started() {
            startedAt = System.nanoTime();
        }

        @Override
        protected ByteBuffer connected() {
            return null;
        }

        @Override
        protected void ended(ProbeLoop.End how, IOException error) {
            endedAt = System.nanoTime();
            end.complete(how);
        }

        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(endedAt - startedAt);
        }
    }

    private static InetSocketAddress at(ServerSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }

    private static Map<ProbeLoop.End, Long> ends(List<Probe> probes) throws Exception {
        CompletableFuture.allOf(probes.stream().map(p -> p.end).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        return probes.stream()
                .collect(Collectors.groupingBy(p -> p.end.join(), Collectors.counting()));
    }

    /** Asks one byte and takes the first byte back as the answer. */
    static class Asking extends Probe {
        Asking(InetSocketAddress to, long timeoutMillis) {
            super(to, timeoutMillis);
        }

        @Override
        protected ByteBuffer connected() {
            return ByteBuffer.wrap(new byte[] {'?'});
        }

        @Override
        protected boolean received(ByteBuffer in) {
            return in.hasRemaining();
        }
    }

    /** Answers every connection with one byte, {@code delayMillis} after accepting it. */
    static final class SlowServer implements AutoCloseable {
        final ServerSocket socket;
        private final ScheduledExecutorService answers = Executors.newScheduledThreadPool(2);
        private final Thread acceptor;

        SlowServer(long delayMillis) throws IOException {
            socket = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
            acceptor =
                    new Thread(
                            () -> {
                                while (!socket.isClosed()) {
                                    try {
                                        Socket c = socket.accept();
                                        answers.schedule(
                                                () -> {
                                                    try (c) {
                                                        c.getOutputStream().write('!');
                                                    }
                                                    return null;
                                                },
                                                delayMillis,
                                                TimeUnit.MILLISECONDS);
                                    } catch (IOException e) {
                                        return;
                                    }
                                }
                            });
            acceptor.start();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join();
            answers.shutdownNow();
        }
    }

    /**
     * The collapse this loop exists to prevent: probes queued behind a director that is busy for
     * longer than their timeout must not time out for it, since the real was not asked yet.
     */
    @Test
    void timeToWaitInTheQueueIsNotCountedAgainstTheReal() throws Exception {
        try (SlowServer server = new SlowServer(150);
                ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime)) {
            Probe stall =
                    new Probe(at(server.socket), 10_000) {
                        @Override
                        protected ByteBuffer connected() {
                            // stands in for a director short of CPU: the loop does nothing else for
                            // 800 ms
                            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                            return null;
                        }
                    };
            loop.submit(stall);
            List<Probe> behind = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                behind.add(new Asking(at(server.socket), 600));
            }
            behind.forEach(loop::submit);
            assertEquals(Map.of(ProbeLoop.End.DONE, 200L), ends(behind));
            assertEquals(ProbeLoop.End.DONE, stall.end.get(10, TimeUnit.SECONDS));
            assertEquals(0, loop.queued());
        }
    }

    /** A listener whose accept queue is full drops SYNs: a hung real, on loopback. */
    @Test
    void aHungRealTimesOutWithoutHoldingUpTheOthers() throws Exception {
        try (ServerSocket hung = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket fine = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
                ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime)) {
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    fillers.add(SocketChannel.open(at(hung)));
                }
                List<Probe> hanging = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    hanging.add(new Probe(at(hung), 1500));
                }
                hanging.forEach(loop::submit);
                List<Probe> others = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    others.add(new Probe(at(fine), 1500));
                }
                others.forEach(loop::submit);
                assertEquals(Map.of(ProbeLoop.End.DONE, 200L), ends(others));
                assertTrue(
                        hanging.stream().noneMatch(p -> p.end.isDone()),
                        "the hung probes end only at their deadline");
                assertEquals(Map.of(ProbeLoop.End.TIMEOUT, 20L), ends(hanging));
                for (Probe p : hanging) {
                    assertTrue(
                            p.millis() >= 1400 && p.millis() < 5000,
                            "timed out after " + p.millis() + " ms");
                }
            } finally {
                for (SocketChannel c : fillers) {
                    c.close();
                }
            }
        }
    }

    /**
     * Sockets are registered once, edge-triggered: epoll reports each arrival once. An answer that
     * comes in pieces with pauses must be read to its end, and so must one that is already whole in
     * the socket when the loop stops reading it for the turn (here after one read of 16 KB).
     */
    @Test
    void anAnswerInPiecesWithPausesIsReadToTheEnd() throws Exception {
        byte[] big = new byte[60 * 1024]; // one write, one arrival, four reads
        Arrays.fill(big, (byte) 'x');
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                ProbeLoop loop =
                        new ProbeLoop("test-loop", System::nanoTime, TcpStream::connect, 1)) {
            Thread answering =
                    new Thread(
                            () -> {
                                try (Socket c = server.accept()) {
                                    assertEquals('?', c.getInputStream().read());
                                    var out = c.getOutputStream();
                                    out.write("head-".getBytes());
                                    out.flush();
                                    Thread.sleep(150);
                                    out.write(big);
                                    out.flush();
                                    Thread.sleep(150);
                                    out.write("-end".getBytes());
                                    out.flush();
                                    c.getInputStream()
                                            .read(); // keeps the connection open until the probe
                                    // closes it
                                } catch (IOException | InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            answering.start();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Probe p =
                    new Asking(at(server), 20_000) {
                        @Override
                        protected boolean received(ByteBuffer in) {
                            byte[] b = new byte[in.remaining()];
                            in.get(b);
                            got.write(b, 0, b.length);
                            return got.size() == 5 + big.length + 4;
                        }
                    };
            loop.submit(p);
            assertEquals(
                    ProbeLoop.End.DONE,
                    p.end.get(30, TimeUnit.SECONDS),
                    () -> got.size() + " bytes read");
            assertTrue(
                    got.toString().startsWith("head-x") && got.toString().endsWith("x-end"),
                    "the answer in order");
            answering.join();
        }
    }

    /**
     * In User-Mode Linux (no vDSO) every clock reading is a system call, and they were most of a
     * connect probe's: the loop reads its clock once or twice a turn, and a probe's latency comes
     * from the turns' readings.
     */
    @Test
    void theClockIsReadPerTurnNotPerProbe() throws Exception {
        AtomicLong reads = new AtomicLong();
        try (ServerSocket server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
                ProbeLoop loop =
                        new ProbeLoop(
                                "test-loop",
                                () -> {
                                    reads.incrementAndGet();
                                    return System.nanoTime();
                                })) {
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                probes.add(new Probe(at(server), 10_000));
            }
            probes.forEach(loop::submit);
            assertEquals(Map.of(ProbeLoop.End.DONE, 200L), ends(probes));
            assertTrue(reads.get() < 100, reads.get() + " clock readings for 200 probes");
            assertTrue(
                    probes.stream()
                            .allMatch(
                                    p ->
                                            !p.elapsed().isNegative()
                                                    && p.elapsed().toMillis() < 10_000));
        }
    }

    /** A clock that always says {@code at} and counts how often it was asked. */
    static final class CountingClock extends Clock {
        final Instant at;
        final AtomicInteger reads = new AtomicInteger();

        CountingClock(Instant at) {
            this.at = at;
        }

        @Override
        public Instant instant() {
            reads.incrementAndGet();
            return at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** Each probe's ending, stamped by {@code clock} on the loop's thread. */
    private static List<Instant> stamps(ProbeLoop loop, ServerSocket server, Clock clock, int n)
            throws Exception {
        List<Instant> stamps = Collections.synchronizedList(new ArrayList<>());
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            probes.add(
                    new Probe(at(server), 10_000) {
                        @Override
                        protected void ended(ProbeLoop.End how, IOException error) {
                            stamps.add(clock.instant());
                            super.ended(how, error);
                        }
                    });
        }
        probes.forEach(loop::submit);
        assertEquals(Map.of(ProbeLoop.End.DONE, (long) n), ends(probes));
        return stamps;
    }

    /**
     * A probe's result is stamped with the wall-clock time; on the loop's thread the turn clock
     * answers from the loop's own time of turn and reads the wall clock only every ten seconds.
     */
    @Test
    void theTurnClockReadsItsBaseOnlyEveryTenSecondsOnTheLoopsThread() throws Exception {
        AtomicLong loopTime = new AtomicLong(TimeUnit.SECONDS.toNanos(5));
        Instant wall = Instant.parse("2026-12-06T12:00:00Z");
        CountingClock base = new CountingClock(wall);
        Clock turn = ProbeLoop.turnClock(base);
        try (ServerSocket server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
                ProbeLoop loop = new ProbeLoop("test-loop", loopTime::get)) {
            assertEquals(Set.of(wall), Set.copyOf(stamps(loop, server, turn, 100)));
            assertEquals(1, base.reads.get(), "one reading for a hundred probes");

            loopTime.addAndGet(TimeUnit.SECONDS.toNanos(3));
            assertEquals(
                    List.of(wall.plusSeconds(3)),
                    stamps(loop, server, turn, 1),
                    "the loop's time since the reading");
            assertEquals(1, base.reads.get());

            loopTime.addAndGet(TimeUnit.SECONDS.toNanos(10));
            assertEquals(
                    List.of(wall), stamps(loop, server, turn, 1), "read again after ten seconds");
            assertEquals(2, base.reads.get());

            assertEquals(wall, turn.instant());
            assertEquals(3, base.reads.get(), "off the loop's thread, every time");
        }
    }

    @Test
    void aRefusedConnectFailsWithTheError() throws Exception {
        InetSocketAddress refused =
                new InetSocketAddress(InetAddress.getLoopbackAddress(), RefusingPorts.reserve());
        try (ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime)) {
            CompletableFuture<IOException> error = new CompletableFuture<>();
            loop.submit(
                    new Probe(refused, 5000) {
                        @Override
                        protected void ended(ProbeLoop.End how, IOException e) {
                            assertEquals(ProbeLoop.End.FAILED, how);
                            error.complete(e);
                        }
                    });
            assertEquals("connect refused", ConnectCheck.reason(error.get(10, TimeUnit.SECONDS)));
        }
    }

    @Test
    void closingEndsEveryProbeItStillHolds() throws Exception {
        try (ServerSocket hung = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<SocketChannel> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    fillers.add(SocketChannel.open(at(hung)));
                }
                ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime);
                List<Probe> probes = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    probes.add(new Probe(at(hung), 60_000));
                }
                probes.forEach(loop::submit);
                loop.close();
                assertEquals(Map.of(ProbeLoop.End.FAILED, 100L), ends(probes));
                Probe late = new Probe(at(hung), 60_000);
                loop.submit(late);
                assertEquals(ProbeLoop.End.FAILED, late.end.get(1, TimeUnit.SECONDS));
            } finally {
                for (SocketChannel c : fillers) {
                    c.close();
                }
            }
        }
    }

    /**
     * Running out of file descriptors is the director's shortage: the probes wait, no real is
     * failed for it.
     */
    @Test
    void probesWaitWhileThereAreNoFileDescriptorsAndNoneFails() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ProbeLoop.Connector exhausted =
                to -> {
                    if (calls.incrementAndGet() <= 3) {
                        throw new NativeException("socket", Errno.EMFILE, "Too many open files");
                    }
                    return TcpStream.connect(to);
                };
        try (ServerSocket server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
                ProbeLoop loop = new ProbeLoop("test-loop", exhausted)) {
            List<Probe> probes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                probes.add(new Probe(at(server), 1000));
            }
            long before = System.nanoTime();
            probes.forEach(loop::submit);
            assertEquals(Map.of(ProbeLoop.End.DONE, 100L), ends(probes));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
            assertTrue(
                    waited >= 250,
                    "three refusals, each followed by a 100 ms pause, took " + waited + " ms");
            assertEquals(103, calls.get(), "the first probe was tried four times, the others once");
            assertEquals(0, loop.queued());
        }
    }

    /** A session's bug is its own down result, not the loop's death. */
    @Test
    void aSessionThatThrowsFailsAloneAndTheLoopGoesOn() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
                ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime)) {
            CompletableFuture<IOException> error = new CompletableFuture<>();
            loop.submit(
                    new Probe(at(server), 5000) {
                        @Override
                        protected ByteBuffer connected() {
                            throw new IllegalStateException("bug");
                        }

                        @Override
                        protected void ended(ProbeLoop.End how, IOException e) {
                            error.complete(e);
                        }
                    });
            assertTrue(error.get(10, TimeUnit.SECONDS).getMessage().contains("bug"));
            Probe next = new Probe(at(server), 5000);
            loop.submit(next);
            assertEquals(ProbeLoop.End.DONE, next.end.get(10, TimeUnit.SECONDS));
        }
    }

    /** Answers every connection's one-byte question with {@code bytes}, then closes it. */
    static final class Blurter implements AutoCloseable {
        final ServerSocket socket;
        private final Thread acceptor;

        Blurter(int bytes) throws IOException {
            socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
            acceptor =
                    new Thread(
                            () -> {
                                while (!socket.isClosed()) {
                                    try {
                                        Socket c = socket.accept();
                                        new Thread(
                                                        () -> {
                                                            try (c) {
                                                                c.getInputStream()
                                                                        .read(); // the question:
                                                                // unread, the
                                                                // close would be a
                                                                // reset
                                                                c.getOutputStream()
                                                                        .write(new byte[bytes]);
                                                            } catch (IOException e) {
                                                                // the probe may close first
                                                            }
                                                        })
                                                .start();
                                    } catch (IOException e) {
                                        return;
                                    }
                                }
                            });
            acceptor.start();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join();
        }
    }

    /** Takes what the connection gives, never more at a time than {@code room}. */
    static final class Rationed extends Asking {
        final AtomicInteger room;
        final AtomicInteger got = new AtomicInteger();
        volatile int largest;

        Rationed(InetSocketAddress to, long timeoutMillis, AtomicInteger room) {
            super(to, timeoutMillis);
            this.room = room;
        }

        @Override
        protected int room() {
            return room.get();
        }

        @Override
        protected boolean received(ByteBuffer in) {
            largest = Math.max(largest, in.remaining());
            got.addAndGet(in.remaining());
            in.position(in.limit());
            return false;
        }
    }

    /**
     * A session with no room is not read (the real's bytes wait in the socket) while the others go
     * on; it is read to its end once it has room, and never given more than its room at once.
     */
    @Test
    void aSessionWithoutRoomWaitsWhileTheOthersAreServed() throws Exception {
        try (Blurter big = new Blurter(300_000);
                SlowServer fine = new SlowServer(0);
                ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime)) {
            AtomicInteger room = new AtomicInteger(0);
            Rationed starved = new Rationed(at(big.socket), 20_000, room);
            loop.submit(starved);
            List<Probe> others = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                others.add(new Asking(at(fine.socket), 5000));
            }
            others.forEach(loop::submit);
            assertEquals(Map.of(ProbeLoop.End.DONE, 100L), ends(others));
            assertFalse(starved.end.isDone());
            assertEquals(0, starved.got.get(), "nothing is read without room");
            room.set(1000);
            assertEquals(ProbeLoop.End.EOF, starved.end.get(15, TimeUnit.SECONDS));
            assertEquals(300_000, starved.got.get());
            assertEquals(1000, starved.largest);
        }
    }

    /** Waiting for room is no way around the deadline. */
    @Test
    void aSessionWithoutRoomStillTimesOut() throws Exception {
        try (Blurter big = new Blurter(300_000);
                ProbeLoop loop = new ProbeLoop("test-loop", System::nanoTime)) {
            Rationed starved = new Rationed(at(big.socket), 300, new AtomicInteger(0));
            loop.submit(starved);
            assertEquals(ProbeLoop.End.TIMEOUT, starved.end.get(10, TimeUnit.SECONDS));
            assertTrue(
                    starved.millis() >= 290 && starved.millis() < 3000,
                    "timed out after " + starved.millis() + " ms");
        }
    }
}
