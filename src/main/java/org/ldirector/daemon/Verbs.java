package org.ldirector.daemon;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ldirector.config.SyncConfig;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.Processes;

/**
 * The verbs that act on a running daemon through its pid file and control socket, with ldirectord's
 * words and LSB's exit codes (status: 0 running, 1 dead with a pid file, 3 stopped).
 */
final class Verbs {
    static final int EXIT_DEAD = 1;

    /**
     * How long stop waits for the daemon to finish its clean stop (cleanstop removes entries
     * first).
     */
    static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /** How long a daemonizing start waits for the child's first reconciliation. */
    static final Duration START_WAIT = Duration.ofSeconds(120);

    static final Duration STATUS_WAIT = Duration.ofSeconds(20);

    private Verbs() {}

    static int status(RunFiles files, Path config, boolean json, PrintStream out) {
        RunFiles.State s = files.state();
        if (s instanceof RunFiles.Running r) {
            if (!json) {
                out.println("ldirector for " + config + " is running with pid: " + r.pid());
            }
            try {
                out.print(
                        ControlSocket.request(
                                files.socket(), json ? "status json" : "status", STATUS_WAIT));
            } catch (IOException e) {
                // running is still the truth for the exit code; the table is a bonus
                out.println(
                        json
                                ? "{\"config\":"
                                        + StatusFormat.quote(config.toString())
                                        + ",\"pid\":"
                                        + r.pid()
                                        + ",\"running\":true,\"error\":"
                                        + StatusFormat.quote(
                                                "no status from "
                                                        + files.socket()
                                                        + ": "
                                                        + e.getMessage())
                                        + "}"
                                : "(no status table: "
                                        + files.socket()
                                        + ": "
                                        + e.getMessage()
                                        + ")");
            }
            return 0;
        }
        if (json) {
            out.println(
                    "{\"config\":"
                            + StatusFormat.quote(config.toString())
                            + ",\"pid\":null,\"running\":false"
                            + (s instanceof RunFiles.Stale
                                    ? ",\"stale_pid_file\":"
                                            + StatusFormat.quote(files.pidFile().toString())
                                    : "")
                            + "}");
        } else {
            if (s instanceof RunFiles.Stale) {
                out.println("ldirector stale pid file " + files.pidFile() + " for " + config);
            }
            out.println("ldirector is stopped for " + config);
        }
        return s instanceof RunFiles.Stale ? EXIT_DEAD : Main.EXIT_STOPPED;
    }

    /**
     * {@code sync master|backup|none|status}: the running daemon switches its IPVS sync role and
     * answers with what the kernel runs. With no daemon running a role is kept for its next start
     * (a notify script may fire before ldirector is up) and status exits 3, as the status verb.
     */
    static int sync(RunFiles files, Path config, String role, PrintStream out, PrintStream err) {
        RunFiles.State s = files.state();
        if (!(s instanceof RunFiles.Running)) {
            if (role.equals("status")) {
                out.println("ldirector is stopped for " + config);
                return s instanceof RunFiles.Stale ? EXIT_DEAD : Main.EXIT_STOPPED;
            }
            try {
                new SyncRoleFile(files.syncRole()).write(SyncConfig.Role.parse(role).orElseThrow());
            } catch (IOException e) {
                err.println("ldirector: cannot write " + IoErrors.describe(e));
                return 1;
            }
            out.println(
                    "ldirector is stopped for "
                            + config
                            + "; it will start with IPVS sync role "
                            + role
                            + " (kept in "
                            + files.syncRole()
                            + ")");
            return 0;
        }
        String answer;
        try {
            answer =
                    ControlSocket.request(
                            files.socket(),
                            role.equals("status") ? "sync status" : "sync " + role,
                            SYNC_WAIT);
        } catch (IOException e) {
            err.println("ldirector: no answer from " + files.socket() + ": " + e.getMessage());
            return 1;
        }
        if (answer.startsWith("error: ")) {
            err.print("ldirector: " + answer.substring("error: ".length()));
            return 1;
        }
        out.print(answer);
        return 0;
    }

    /**
     * A role switch waits for the kernel: stopping a backup thread can take a couple of seconds.
     */
    static final Duration SYNC_WAIT = Duration.ofSeconds(30);

    /**
     * Sends TERM and waits for the daemon to be gone: its pid file's lock released, then its
     * process ended. Stopping what is stopped succeeds (LSB); a stale pid file is removed.
     */
    static int stop(RunFiles files, Path config, PrintStream out, PrintStream err) {
        RunFiles.State s = files.state();
        if (s instanceof RunFiles.Stale) {
            try {
                files.removeStale();
            } catch (IOException e) {
                err.println("ldirector: cannot remove the stale pid file " + e.getMessage());
                return 1;
            }
        }
        if (!(s instanceof RunFiles.Running r)) {
            out.println("ldirector is stopped for " + config);
            return 0;
        }
        if (!knownPid(files, r, err)) {
            return 1;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(r.pid());
        // the JDK's own kill(SIGTERM): the native-call library is not loaded for a verb; only when
        // it fails is the signal sent again that way, for the system's reason
        if (h.isEmpty() || !h.get().destroy()) {
            try {
                Processes.kill(r.pid(), Processes.SIGTERM);
            } catch (NativeException e) {
                err.println("ldirector: cannot stop pid " + r.pid() + ": " + e.getMessage());
                return 1;
            }
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while ((files.state() instanceof RunFiles.Running || h.isPresent() && h.get().isAlive())
                && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (files.state() instanceof RunFiles.Running || h.isPresent() && h.get().isAlive()) {
            err.println(
                    "ldirector for "
                            + config
                            + " (pid "
                            + r.pid()
                            + ") did not stop within "
                            + STOP_WAIT.toSeconds()
                            + " s");
            return 1;
        }
        return 0;
    }

    /** A daemon that holds its pid file but has not written its pid yet cannot be signalled. */
    private static boolean knownPid(RunFiles files, RunFiles.Running r, PrintStream err) {
        if (r.pid() > 0) {
            return true;
        }
        err.println(
                "ldirector: "
                        + files.pidFile()
                        + " is locked by a daemon that has not written its pid; try again");
        return false;
    }

    /**
     * The control socket's answer to reload comes before the reload runs: it only has to be heard.
     */
    static final Duration RELOAD_WAIT = Duration.ofSeconds(5);

    static int reload(RunFiles files, Path config, PrintStream out, PrintStream err) {
        if (!(files.state() instanceof RunFiles.Running r)) {
            out.println("ldirector is stopped for " + config);
            return 1;
        }
        if (!knownPid(files, r, err)) {
            return 1;
        }
        // Asked on the control socket, which needs no native-call library and answers once the
        // daemon has the request; a daemon that does not answer there gets the SIGHUP ldirectord's
        // reload sends (and logrotate does).
        try {
            String answer = ControlSocket.request(files.socket(), "reload", RELOAD_WAIT);
            if (answer.startsWith("ok")) {
                return 0;
            }
        } catch (IOException e) {
            // the signal below
        }
        try {
            Processes.kill(r.pid(), Processes.SIGHUP);
            return 0;
        } catch (NativeException e) {
            err.println("ldirector: cannot reload pid " + r.pid() + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * start without -d: the JVM cannot fork, so it runs itself again as a detached child (same
     * java, same options and class path, in a new session), then waits until that child has done
     * its first reconciliation and answers on its control socket, or has died, whose start-up
     * output it then shows. The exit code says which.
     *
     * <p>The child runs in {@code /}, as ldirectord's daemon does after its chdir("/"): it holds no
     * mount busy, and a relative path in the config means the same whoever started it and from
     * wherever. So everything handed to it (config, class path, run dir) is made absolute here.
     */
    static int daemonize(RunFiles files, Path config, PrintStream err) {
        List<String> cmd = new ArrayList<>();
        cmd.add(
                ProcessHandle.current()
                        .info()
                        .command()
                        .orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(absoluteClassPath(System.getProperty("java.class.path")));
        cmd.add(Main.class.getName());
        cmd.add(CommandLine.DAEMON_CHILD);
        cmd.add(config.toAbsolutePath().toString());
        cmd.add("start");
        Process child;
        try {
            files.checkDir(true);
            createStartLog(files.startLog());
        } catch (IOException e) {
            err.println("ldirector: cannot start the daemon: " + e.getMessage());
            return 1;
        }
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .directory(new File("/"))
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        // appendTo: the file was just made empty and exclusively; no O_TRUNC on
                        // whatever is there
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(files.startLog().toFile()))
                        .redirectErrorStream(true);
        pb.environment().put(RunFiles.RUNDIR_ENV, files.dir().toString());
        try {
            child = pb.start();
        } catch (IOException e) {
            err.println(
                    "ldirector: cannot start the daemon (" + cmd.get(0) + "): " + e.getMessage());
            deleteStartLog(files);
            return 1;
        }
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                err.print(startLog(files));
                deleteStartLog(files);
                err.println(
                        "ldirector: the daemon for "
                                + config
                                + " exited with status "
                                + child.exitValue()
                                + " while starting");
                return child.exitValue() == 0 ? 0 : 1; // 0: another instance was already running
            }
            if (files.readPid().equals(Optional.of(child.pid())) && answers(files)) {
                // what the daemon said while starting (a logfile it could not open) is the
                // operator's to see
                err.print(startLog(files));
                deleteStartLog(files);
                return 0;
            }
            sleep(100);
        }
        err.println(
                "ldirector: the daemon for "
                        + config
                        + " (pid "
                        + child.pid()
                        + ") is not ready after "
                        + START_WAIT.toSeconds()
                        + " s; it keeps running, see its log and "
                        + files.startLog());
        return 1;
    }

    /**
     * The start log, new and empty: a leftover is removed, and a symlink put in its place is never
     * followed.
     */
    private static void createStartLog(Path startLog) throws IOException {
        try {
            Files.deleteIfExists(startLog);
            Files.newByteChannel(
                            startLog,
                            Set.of(
                                    StandardOpenOption.CREATE_NEW,
                                    StandardOpenOption.WRITE,
                                    LinkOption.NOFOLLOW_LINKS),
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rw-------")))
                    .close();
        } catch (IOException e) {
            throw new IOException("cannot create " + IoErrors.describe(e), e);
        }
    }

    private static void deleteStartLog(RunFiles files) {
        try {
            Files.deleteIfExists(files.startLog());
        } catch (IOException e) {
            // harmless leftover: the next start replaces it
        }
    }

    /** The class path with each entry absolute, for a child that runs in another directory. */
    static String absoluteClassPath(String classPath) {
        List<String> entries = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator, -1)) {
            entries.add(
                    e.isEmpty()
                            ? Path.of("").toAbsolutePath().toString()
                            : Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static boolean answers(RunFiles files) {
        try {
            ControlSocket.request(files.socket(), "status", Duration.ofSeconds(5));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String startLog(RunFiles files) {
        try {
            String text = Files.readString(files.startLog());
            return text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
