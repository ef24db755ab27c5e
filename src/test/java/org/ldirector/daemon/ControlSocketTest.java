package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlSocketTest {
    @TempDir Path dir;

    private final AtomicInteger asked = new AtomicInteger();
    private final Function<String, String> handler =
            command -> {
                asked.incrementAndGet();
                return "you said " + command + "\n";
            };

    private ControlSocket open(Path socket, Duration timeout) throws IOException {
        return new ControlSocket(socket, handler, timeout, Thread::new);
    }

    private static PosixFileAttributes lstat(Path p) throws IOException {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void answersOneLineOnASocketOfMode0600AndLeavesNothingElseBehind() throws Exception {
        Path socket = dir.resolve("ldirector.cf.sock");
        try (ControlSocket c = open(socket, Duration.ofSeconds(5))) {
            assertEquals(
                    "you said status\n",
                    ControlSocket.request(socket, "status", Duration.ofSeconds(5)));
            assertTrue(lstat(socket).isOther(), "a socket");
            assertEquals("rw-------", PosixFilePermissions.toString(lstat(socket).permissions()));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(
                        List.of(socket), files.toList(), "the private staging directory is gone");
            }
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * chmod follows links: a link planted at the socket's name must be replaced, never chmod'ed
     * through.
     */
    @Test
    void aSymlinkAtTheSocketPathIsReplacedNotFollowed() throws Exception {
        Path target = Files.writeString(dir.resolve("shadow"), "keep me\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        Path socket = dir.resolve("ldirector.cf.sock");
        Files.createSymbolicLink(socket, target);
        try (ControlSocket c = open(socket, Duration.ofSeconds(5))) {
            assertTrue(lstat(socket).isOther(), "the link was replaced by the socket");
            assertEquals("rw-r--r--", PosixFilePermissions.toString(lstat(target).permissions()));
            assertEquals("keep me\n", Files.readString(target));
            assertEquals("you said x\n", ControlSocket.request(socket, "x", Duration.ofSeconds(5)));
        }
    }

    @Test
    void aStaleSocketFromAKilledDaemonIsReplaced() throws Exception {
        Path socket = dir.resolve("ldirector.cf.sock");
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        try (ControlSocket c = open(socket, Duration.ofSeconds(5))) {
            assertEquals(
                    "you said status\n",
                    ControlSocket.request(socket, "status", Duration.ofSeconds(5)));
        }
    }

    @Test
    void aSilentClientIsCutOffAtTheTimeoutAndDoesNotStopOthers() throws Exception {
        Path socket = dir.resolve("s.sock");
        List<SocketChannel> silent = new ArrayList<>();
        try (ControlSocket c = open(socket, Duration.ofMillis(300))) {
            // as many silent clients as there are workers: the next one waits in the queue
            for (int i = 0; i < ControlSocket.WORKERS; i++) {
                silent.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            }
            long start = System.nanoTime();
            assertEquals(
                    "you said status\n",
                    ControlSocket.request(socket, "status", Duration.ofSeconds(5)));
            assertEquals(
                    -1, silent.get(0).read(ByteBuffer.allocate(16)), "closed without an answer");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 3000, millis + " ms");
        } finally {
            for (SocketChannel s : silent) {
                s.close();
            }
        }
    }

    @Test
    void connectionsBeyondTheWorkersAndTheQueueAreClosedAtOnce() throws Exception {
        Path socket = dir.resolve("s.sock");
        List<SocketChannel> clients = new ArrayList<>();
        try (ControlSocket c = open(socket, Duration.ofSeconds(30))) {
            int held = ControlSocket.WORKERS + ControlSocket.QUEUE;
            for (int i = 0; i < held + 3; i++) {
                clients.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            }
            long start = System.nanoTime();
            for (SocketChannel extra : clients.subList(held, clients.size())) {
                assertEquals(-1, extra.read(ByteBuffer.allocate(16)));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 5000, "closed long before the 30 s timeout: " + millis + " ms");
        } finally {
            for (SocketChannel s : clients) {
                s.close();
            }
        }
    }

    @Test
    void onlyRootOrTheSocketsOwnerIsPermitted() throws Exception {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        var root = users.lookupPrincipalByName("0");
        var nobody = users.lookupPrincipalByName("nobody");
        var daemonUser = users.lookupPrincipalByName("daemon");
        var group = users.lookupPrincipalByGroupName("nogroup");
        assertTrue(
                ControlSocket.permitted(
                        new UnixDomainPrincipal(root, group), Set.of(daemonUser, root)));
        assertTrue(
                ControlSocket.permitted(
                        new UnixDomainPrincipal(daemonUser, group), Set.of(daemonUser, root)));
        assertFalse(
                ControlSocket.permitted(
                        new UnixDomainPrincipal(nobody, group), Set.of(daemonUser, root)));
    }

    /**
     * The kernel's SO_PEERCRED, end to end: another user reaches the socket once the mode and the
     * directory let it in (as a careless chmod would), and still gets no answer.
     */
    @Test
    void anotherUserIsRefusedEvenWhenTheFileModeLetsItConnect() throws Exception {
        assumeTrue(
                dir.getFileSystem()
                        .getUserPrincipalLookupService()
                        .lookupPrincipalByName("0")
                        .equals(Files.getOwner(dir)),
                "needs root, to run a client as nobody");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setpriv"))
                        && Files.isExecutable(Path.of("/usr/bin/perl")),
                "needs setpriv and perl");
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx--x--x"));
        Path socket = open.resolve("s.sock");
        try (ControlSocket c = open(socket, Duration.ofSeconds(5))) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Process p =
                    new ProcessBuilder(
                                    "/usr/bin/setpriv",
                                    "--reuid=65534",
                                    "--regid=65534",
                                    "--clear-groups",
                                    "/usr/bin/perl",
                                    "-MIO::Socket::UNIX",
                                    "-e",
                                    "my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die"
                                            + " \"connect: $!\\n"
                                            + "\"; print $s \"status\\n"
                                            + "\"; local $/; print <$s>;",
                                    socket.toString())
                            .redirectErrorStream(true)
                            .start();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(ControlSocket.REFUSED, out);
            assertEquals(0, asked.get(), "the command never reached the handler");
            // and root, the owner, still gets its answer
            assertEquals(
                    "you said status\n",
                    ControlSocket.request(socket, "status", Duration.ofSeconds(5)));
        }
    }
}
