package org.ldirector.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * The files a daemon keeps for its config, named after the config file as ldirectord names its
 * pid file: {@code /run/ldirector.ldirectord.cf.pid} and the control socket
 * {@code /run/ldirector.ldirectord.cf.sock}. {@code LDIRECTOR_RUNDIR} moves them (tests, non-root).
 *
 * @param isOurs whether a live pid is an ldirector (a pid file outlives a crash, and its number
 *               may have been reused by some other program since)
 */
record RunFiles(Path dir, String configName, LongPredicate isOurs) {
    static final String RUNDIR_ENV = "LDIRECTOR_RUNDIR";

    static RunFiles of(Path config, Map<String, String> env) {
        String dir = env.getOrDefault(RUNDIR_ENV, "/run");
        return new RunFiles(Path.of(dir.isEmpty() ? "/run" : dir), config.getFileName().toString(), RunFiles::isLdirector);
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

    /** Where a daemonizing start's child writes until its log takes over; read back if it fails to start. */
    Path startLog() {
        return dir.resolve("ldirector." + configName + ".start");
    }

    /** What the pid file says. */
    sealed interface State {
    }

    record Stopped() implements State {
    }

    /** A pid file whose process is gone (or is not ldirector any more). */
    record Stale(long pid) implements State {
    }

    record Running(long pid) implements State {
    }

    State state() {
        Optional<Long> pid = readPid();
        if (pid.isEmpty()) {
            return Files.exists(pidFile()) ? new Stale(0) : new Stopped();
        }
        return isOurs.test(pid.get()) ? new Running(pid.get()) : new Stale(pid.get());
    }

    Optional<Long> readPid() {
        try {
            String text = Files.readString(pidFile(), StandardCharsets.US_ASCII).strip();
            return text.matches("\\d{1,10}") ? Optional.of(Long.parseLong(text)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Takes the pid file for {@code pid}, created exclusively so two starts racing cannot both win.
     * A stale file is replaced. Returns the pid of the instance already running, if one is.
     */
    Optional<Long> claim(long pid) throws IOException {
        Files.createDirectories(dir);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Files.writeString(pidFile(), pid + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return Optional.empty();
            } catch (FileAlreadyExistsException e) {
                State s = state();
                if (s instanceof Running r) {
                    if (r.pid() == pid) {
                        return Optional.empty(); // ours already (a daemonizing parent wrote it for us)
                    }
                    return Optional.of(r.pid());
                }
                Files.deleteIfExists(pidFile()); // stale or empty: replace it
            }
        }
        throw new IOException("cannot create " + pidFile() + ": it keeps reappearing");
    }

    /** Removes the pid file if it is still ours, and the socket. */
    void release(long pid) {
        try {
            if (readPid().equals(Optional.of(pid))) {
                Files.deleteIfExists(pidFile());
            }
            Files.deleteIfExists(socket());
        } catch (IOException e) {
            // exiting anyway; a leftover file is detected as stale next time
        }
    }

    /** ldirectord's test: the process exists and its command line names us. */
    static boolean isLdirector(long pid) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8).contains("ldirector");
        } catch (IOException e) {
            return false;
        }
    }
}
