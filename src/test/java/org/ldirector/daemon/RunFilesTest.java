package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.config.SyncConfig;

class RunFilesTest {
    @TempDir Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killWhatWasStarted() {
        started.forEach(Process::destroyForcibly);
    }

    private RunFiles files() {
        return RunFiles.of(
                Path.of("/etc/ha.d/web.cf"), Map.of(RunFiles.RUNDIR_ENV, dir.toString()));
    }

    /** A stand-in daemon in a process of its own, holding the pid file once this returns. */
    private Process holder() throws Exception {
        Process p =
                new ProcessBuilder(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-Xmx32m",
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1",
                                "-cp",
                                System.getProperty("java.class.path"),
                                PidLockHolder.class.getName(),
                                dir.toString(),
                                "web.cf")
                        .redirectErrorStream(true)
                        .start();
        started.add(p);
        BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("held", r.readLine());
        return p;
    }

    /**
     * A live process whose command line says ldirector and that is not the daemon (an editor, a
     * tail).
     */
    private Process impostor() throws Exception {
        Process p =
                new ProcessBuilder("bash", "-c", "exec -a 'vi ldirectord.cf ldirector' sleep 300")
                        .start();
        started.add(p);
        return p;
    }

    @Test
    void aPidFileIsAliveWhileItsDaemonHoldsTheLockAndStaleTheMomentItDies() throws Exception {
        Process daemon = holder();
        assertEquals(new RunFiles.Running(daemon.pid()), files().state());
        assertEquals(
                new RunFiles.Taken(daemon.pid()),
                files().claim(ProcessHandle.current().pid()),
                "a second start finds it taken");
        files().removeStale();
        assertTrue(Files.exists(files().pidFile()), "a held pid file is never removed as stale");

        daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // a crash: no clean-up ran
        assertEquals(
                new RunFiles.Stale(daemon.pid()), files().state(), "the kernel dropped the lock");
        RunFiles.Claim mine = files().claim(ProcessHandle.current().pid());
        assertInstanceOf(RunFiles.Held.class, mine, "a stale pid file is taken over");
        ((RunFiles.Held) mine).pidFile().release();
        assertFalse(Files.exists(files().pidFile()));
        assertEquals(new RunFiles.Stopped(), files().state());
    }

    @Test
    void aCleanStopRemovesThePidFile() throws Exception {
        Process daemon = holder();
        daemon.getOutputStream().close();
        assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
        assertEquals(new RunFiles.Stopped(), files().state());
    }

    /**
     * Issue 25: a pid file left by a crash whose pid now belongs to "vi ldirectord.cf" was taken
     * for the daemon: stop sent that process SIGTERM and start said "already running".
     */
    @Test
    void aReusedPidOfAProcessNamedLdirectorIsStaleAndStopLeavesThatProcessAlone() throws Exception {
        Process other = impostor();
        Files.writeString(files().pidFile(), other.pid() + "\n");
        assertEquals(new RunFiles.Stale(other.pid()), files().state());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Verbs.stop(
                        files(),
                        Path.of("/etc/ha.d/web.cf"),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(
                "ldirector is stopped for /etc/ha.d/web.cf\n",
                out.toString(StandardCharsets.UTF_8));
        assertFalse(other.waitFor(300, TimeUnit.MILLISECONDS), "the other process got no signal");
        assertFalse(Files.exists(files().pidFile()), "the stale file is gone");

        Files.writeString(files().pidFile(), other.pid() + "\n");
        RunFiles.Claim claim = files().claim(ProcessHandle.current().pid());
        assertInstanceOf(RunFiles.Held.class, claim, "start is not fooled into 'already running'");
        ((RunFiles.Held) claim).pidFile().release();
        assertTrue(other.isAlive());
    }

    @Test
    void aSymlinkAtThePidFileIsNeverFollowed() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Files.createSymbolicLink(files().pidFile(), victim);
        assertThrows(IOException.class, () -> files().claim(ProcessHandle.current().pid()));
        assertEquals("precious\n", Files.readString(victim));
    }

    private Path mkdir(String name, String mode) throws Exception {
        Path p = Files.createDirectory(dir.resolve(name));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private static RunFiles in(Path runDir) {
        return RunFiles.of(Path.of("web.cf"), Map.of(RunFiles.RUNDIR_ENV, runDir.toString()));
    }

    private static String refusal(Path runDir) {
        return assertThrows(IOException.class, () -> in(runDir).checkDir(true)).getMessage();
    }

    /**
     * Issue 25: with LDIRECTOR_RUNDIR at a place others can write, root wrote wherever they pointed
     * it.
     */
    @Test
    void aRunDirOthersCanWriteIsRefused() throws Exception {
        Path group = mkdir("group", "rwxrwxr-x");
        assertEquals(
                "unsafe run dir "
                        + group
                        + " is writable by its group (mode 0775); set LDIRECTOR_RUNDIR to a dir"
                        + " only root can change",
                refusal(group));
        Path world = mkdir("world", "rwxr-xrwx");
        assertTrue(refusal(world).contains("is writable by others (mode 0757)"), refusal(world));
        Path sticky = mkdir("sticky", "rwxrwxrwx");
        Files.setAttribute(sticky, "unix:mode", 01777);
        assertTrue(
                refusal(sticky).contains("is writable by its group (mode 1777)"),
                "sticky is not enough for the run dir itself");
        in(mkdir("fine", "rwxr-xr-x")).checkDir(false);
    }

    @Test
    void aDirAboveTheRunDirOthersCanWriteIsRefusedUnlessSticky() throws Exception {
        Path open = mkdir("open", "rwxrwxrwx");
        Path run = Files.createDirectory(open.resolve("run"));
        assertTrue(
                refusal(run)
                        .startsWith(
                                "unsafe run dir "
                                        + run
                                        + ": "
                                        + open
                                        + " is writable by its group (mode 0777)"),
                refusal(run));
        Files.setAttribute(
                open, "unix:mode", 01777); // as /tmp: nobody renames another's entry away
        in(run).checkDir(false);
    }

    @Test
    void aSymlinkedRunDirIsJudgedByWhereItLeads() throws Exception {
        Path open = mkdir("open", "rwxrwxrwx");
        Path link = Files.createSymbolicLink(dir.resolve("link"), open);
        assertTrue(refusal(link).contains(open + " is writable by its group"), refusal(link));
        Path fine = mkdir("fine", "rwxr-xr-x");
        in(Files.createSymbolicLink(dir.resolve("good"), fine)).checkDir(false);
    }

    @Test
    void aRunDirOwnedBySomeoneElseIsRefused() throws Exception {
        Assumptions.assumeTrue(
                RunFiles.currentUid() == 0, "chown needs root (the CI runs as root)");
        Path theirs = mkdir("theirs", "rwxr-xr-x");
        Files.setAttribute(theirs, "unix:uid", 65534);
        assertEquals(
                "unsafe run dir "
                        + theirs
                        + " is owned by uid 65534, not by root; set LDIRECTOR_RUNDIR to a dir"
                        + " only root can change",
                refusal(theirs));
    }

    @Test
    void anUnprivilegedRunAcceptsItsOwnDirAndNoOneElses() throws Exception {
        // the uid is injected: this test means the same run as root or not
        Path mine = mkdir("mine", "rwxr-xr-x");
        int me = RunFiles.currentUid();
        new RunFiles(mine, "web.cf", me).checkDir(false);
        if (me != 0) {
            assertThrows(
                    IOException.class, () -> new RunFiles(mine, "web.cf", me + 1).checkDir(false));
        }
    }

    @Test
    void aMissingRunDirIsMadeOnlyWhenAskedAndAFileInItsPlaceIsRefused() throws Exception {
        Path missing = dir.resolve("a/b");
        in(missing).checkDir(false);
        assertFalse(Files.exists(missing));
        in(missing).checkDir(true);
        assertTrue(Files.isDirectory(missing));
        Path file = Files.writeString(dir.resolve("file"), "");
        assertEquals("run dir " + file + " is not a directory", refusal(file));
        assertEquals(
                "cannot create the run dir /proc/nope: No such file or directory (ENOENT)",
                refusal(Path.of("/proc/nope")));
    }

    @Test
    void aRelativeRunDirIsMadeAbsoluteForTheDaemonThatRunsInRoot() {
        assertEquals(Path.of("").toAbsolutePath().resolve("run"), in(Path.of("run")).dir());
    }

    /**
     * Issue 25: the sync role's temporary file was written through a symlink planted at its name.
     */
    @Test
    void theSyncRoleFileIsNeverWrittenThroughASymlink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Path role = files().syncRole();
        Files.createSymbolicLink(role.resolveSibling(role.getFileName() + ".tmp"), victim);
        Files.createSymbolicLink(role, victim);
        new SyncRoleFile(role).write(SyncConfig.Role.MASTER);
        assertEquals("precious\n", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(role), "the rename replaced the link");
        assertEquals("master\n", Files.readString(role));
        assertFalse(
                Files.exists(
                        role.resolveSibling(role.getFileName() + ".tmp"),
                        LinkOption.NOFOLLOW_LINKS));
    }
}
