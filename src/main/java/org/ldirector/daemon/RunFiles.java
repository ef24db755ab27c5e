package org.ldirector.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The files a daemon keeps for its config, named after the config file as ldirectord names its pid
 * file: {@code /run/ldirector.ldirectord.cf.pid} and the control socket {@code
 * /run/ldirector.ldirectord.cf.sock}. {@code LDIRECTOR_RUNDIR} moves them (tests, non-root).
 *
 * <p>Liveness is the pid file's lock, not the pid: the daemon holds an exclusive lock on its pid
 * file for its whole life and the kernel drops it when the process dies, however it dies. A pid
 * number outlives a crash and may belong to another program since (an editor of ldirectord.cf, a
 * tail of its log), so "a process with this pid whose command line says ldirector" proved nothing.
 * Locks are fcntl(2) record locks, which a process loses when it closes any descriptor of the file:
 * the daemon therefore never opens its own pid file a second time.
 *
 * <p>Root writes and signals through these files, so the run dir must be one only root (or the user
 * running ldirector, for unprivileged test runs) can change: see {@link #checkDir(boolean)}.
 *
 * @param uid the user running ldirector, who besides root may own the run dir
 */
record RunFiles(Path dir, String configName, int uid) {
    static final String RUNDIR_ENV = "LDIRECTOR_RUNDIR";

    /** How long a verb or a start waits for a daemon that holds the lock to write its pid. */
    private static final int PID_READS = 40;

    private static final long PID_READ_PAUSE_MS = 25;

    /**
     * How many times in a row a start finds the lock taken before it believes a daemon holds it.
     */
    private static final int REFUSALS = 8;

    static RunFiles of(Path config, Map<String, String> env) {
        return of(config, env, currentUid());
    }

    static RunFiles of(Path config, Map<String, String> env, int uid) {
        String dir = env.getOrDefault(RUNDIR_ENV, "/run");
        // absolute: the daemon runs in / (see Verbs.daemonize), where a relative dir means another
        // place
        return new RunFiles(
                Path.of(dir.isEmpty() ? "/run" : dir).toAbsolutePath().normalize(),
                config.getFileName().toString(),
                uid);
    }

    /** The effective uid: /proc/self belongs to it. */
    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return 0; // no /proc: only root's dirs are trusted then
        }
    }

    Path pidFile() {
        return dir.resolve("ldirector." + configName + ".pid");
    }

    Path socket() {
        return dir.resolve("ldirector." + configName + ".sock");
    }

    /**
     * The IPVS sync role last set by the {@code sync} verb. Kept in the run dir, so it survives a
     * restart (the HA manager's word stands) but not a reboot (the config's syncdaemon does).
     */
    Path syncRole() {
        return dir.resolve("ldirector." + configName + ".sync");
    }

    /**
     * Where a daemonizing start's child writes until its log takes over; read back if it fails to
     * start.
     */
    Path startLog() {
        return dir.resolve("ldirector." + configName + ".start");
    }

    /**
     * Refuses a run dir another user could change: a local user who can put a symlink or a pid of
     * their choosing there could make root overwrite any file or signal any process. The dir and
     * every dir above it (symlinks followed, each link's own dir checked too) must be owned by root
     * or by the user running ldirector; the run dir must not be writable by group or others, the
     * dirs above only when sticky (as /tmp, where nobody can rename another's entry away).
     *
     * @param create make the dir (mode 0755) when it is missing; else a missing dir is fine (it
     *     holds nothing)
     */
    void checkDir(boolean create) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dir)) {
            if (!create) {
                return;
            }
            try {
                Files.createDirectories(
                        dir,
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rwxr-xr-x")));
            } catch (IOException e) {
                throw new IOException("cannot create the run dir " + IoErrors.describe(e), e);
            }
        }
        checkTrusted(dir, true, 0);
    }

    private void checkTrusted(Path path, boolean isRunDir, int depth) throws IOException {
        if (depth > 8) {
            throw new IOException(
                    "unsafe run dir " + dir + ": too many symbolic links under " + path);
        }
        Path prefix = path.getRoot();
        checkOne(prefix, false);
        for (Path name : path) {
            prefix = prefix.resolve(name);
            boolean last = prefix.equals(path);
            if (Files.isSymbolicLink(prefix)) {
                Path target;
                try {
                    target = prefix.toRealPath();
                } catch (IOException e) {
                    throw new IOException("unsafe run dir " + dir + ": " + IoErrors.describe(e), e);
                }
                checkOne(prefix, false); // who owns the link (its dir was checked just before)
                checkTrusted(target, isRunDir && last, depth + 1);
            } else {
                checkOne(prefix, isRunDir && last);
            }
        }
    }

    private void checkOne(Path p, boolean isRunDir) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IOException(
                    "cannot check the run dir " + dir + ": " + IoErrors.describe(e), e);
        }
        int owner = (Integer) a.get("uid");
        int mode = (Integer) a.get("mode");
        boolean isLink = (mode & 0170000) == 0120000;
        String what = p.equals(dir) ? "run dir " + dir : "run dir " + dir + ": " + p;
        if (owner != 0 && owner != uid) {
            throw new IOException(
                    "unsafe "
                            + what
                            + " is owned by uid "
                            + owner
                            + ", not by root"
                            + (uid != 0 ? " or uid " + uid : "")
                            + "; set "
                            + RUNDIR_ENV
                            + " to a dir only root can change");
        }
        if (isLink) {
            return;
        }
        if (isRunDir && (mode & 0170000) != 0040000) {
            throw new IOException("run dir " + dir + " is not a directory");
        }
        boolean sticky = (mode & 01000) != 0;
        if ((mode & 0022) != 0 && (isRunDir || !sticky)) {
            throw new IOException(
                    "unsafe "
                            + what
                            + " is writable by "
                            + ((mode & 0020) != 0 ? "its group" : "others")
                            + " (mode "
                            + String.format("%04o", mode & 07777)
                            + "); set "
                            + RUNDIR_ENV
                            + " to a dir only root can change");
        }
    }

    /** What the pid file says. */
    sealed interface State {}

    record Stopped() implements State {}

    /** A pid file nobody holds: its daemon died without removing it. 0 when it names no pid. */
    record Stale(long pid) implements State {}

    /** A daemon holds the pid file. 0 when it has locked the file but not yet written its pid. */
    record Running(long pid) implements State {}

    /** Asks the pid file's lock: a verb's view, from another process than the daemon's. */
    State state() {
        FileChannel ch;
        try {
            ch = FileChannel.open(pidFile(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Stopped();
        } catch (IOException e) {
            return new Stale(
                    0); // a symlink or something unreadable where the pid file belongs: no daemon
            // holds it
        }
        try (ch) {
            if (!heldElsewhere(ch)) {
                return new Stale(readPid(ch).orElse(0L));
            }
            return new Running(awaitPid(ch).orElse(0L));
        } catch (IOException e) {
            return new Stale(0);
        }
    }

    /** A shared lock is refused while the daemon holds its exclusive one. */
    private static boolean heldElsewhere(FileChannel ch) throws IOException {
        try {
            FileLock probe = ch.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this very JVM holds it
        }
    }

    /** The pid, waiting briefly for a daemon that has just taken the lock to write it. */
    private static Optional<Long> awaitPid(FileChannel ch) throws IOException {
        for (int i = 0; i < PID_READS; i++) {
            Optional<Long> pid = readPid(ch);
            if (pid.isPresent()) {
                return pid;
            }
            pause();
        }
        return Optional.empty();
    }

    /** What the pid file says, without looking at its lock. */
    Optional<Long> readPid() {
        try (FileChannel ch =
                FileChannel.open(pidFile(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return readPid(ch);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> readPid(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
            // a pid file is a few bytes; read until full or at its end
        }
        String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        return text.matches("\\d{1,10}") && Long.parseLong(text) > 0
                ? Optional.of(Long.parseLong(text))
                : Optional.empty();
    }

    /** What {@link #claim} found. */
    sealed interface Claim {}

    /** The pid file is ours and locked until {@link PidFile#release()}. */
    record Held(PidFile pidFile) implements Claim {}

    /** Another daemon holds it; pid 0 when it has not written its pid. */
    record Taken(long pid) implements Claim {}

    /**
     * Takes and locks the pid file for {@code pid} and writes the pid, for the daemon's life. A
     * stale file (nobody holds its lock) is taken over in place. The file is opened without
     * following a symlink, and checked to be still the one at the path once locked: a stopping
     * daemon removes its file before letting the lock go, so a lock won on a removed file is
     * retried.
     */
    Claim claim(long pid) throws IOException {
        checkDir(true);
        int refused = 0;
        for (int attempt = 0; attempt < PID_READS; attempt++) {
            Optional<Object> before = fileKey(pidFile());
            FileChannel ch;
            try {
                ch =
                        FileChannel.open(
                                pidFile(),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.READ,
                                StandardOpenOption.WRITE,
                                LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new IOException("cannot open the pid file " + IoErrors.describe(e), e);
            }
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                if (++refused < REFUSALS) {
                    // a verb's liveness probe holds its lock for an instant; a daemon holds it for
                    // good
                    ch.close();
                    pause();
                    continue;
                }
                Optional<Long> other = awaitPid(ch);
                ch.close();
                return new Taken(other.orElse(0L));
            }
            Optional<Object> after = fileKey(pidFile());
            if (after.isEmpty() || (before.isPresent() && !before.equals(after))) {
                ch.close(); // won the lock of a file no longer at the path
                pause();
                continue;
            }
            try {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                ch.force(false);
            } catch (IOException e) {
                ch.close();
                throw new IOException("cannot write the pid file " + IoErrors.describe(e), e);
            }
            return new Held(new PidFile(this, ch, after.get()));
        }
        throw new IOException(
                "cannot take the pid file " + pidFile() + ": it keeps being replaced");
    }

    /**
     * Removes a stale pid file (and the socket beside it), unless a daemon has taken it meanwhile:
     * the file is locked while it is removed, so a starting daemon cannot have claimed it in
     * between.
     */
    void removeStale() throws IOException {
        Optional<Object> before = fileKey(pidFile());
        try (FileChannel ch =
                FileChannel.open(
                        pidFile(),
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = ch.tryLock();
            if (lock == null || !before.equals(fileKey(pidFile()))) {
                return; // a daemon holds it now, or it was replaced
            }
            Files.deleteIfExists(pidFile());
            Files.deleteIfExists(socket());
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new IOException(IoErrors.describe(e), e);
        }
    }

    private static Optional<Object> fileKey(Path p) {
        try {
            return Optional.ofNullable(
                    Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                            .fileKey());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PID_READ_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The daemon's locked pid file: held open for its life, removed with the socket at its end. */
    static final class PidFile {
        private final RunFiles files;
        private final FileChannel channel;
        private final Object key;

        private PidFile(RunFiles files, FileChannel channel, Object key) {
            this.files = files;
            this.channel = channel;
            this.key = key;
        }

        /** Removes the pid file if it is still this one, and the socket, then lets the lock go. */
        void release() {
            try {
                if (fileKey(files.pidFile()).equals(Optional.of(key))) {
                    Files.deleteIfExists(files.pidFile()); // before the unlock: see claim
                }
                Files.deleteIfExists(files.socket());
            } catch (IOException e) {
                // exiting anyway; a leftover file is unlocked and so read as stale next time
            } finally {
                try {
                    channel.close();
                } catch (IOException e) {
                    // the lock goes with the process in any case
                }
            }
        }
    }
}
