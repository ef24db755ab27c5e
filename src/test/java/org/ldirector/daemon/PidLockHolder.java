package org.ldirector.daemon;

import java.nio.file.Path;
import java.util.Map;

/**
 * A stand-in daemon for {@link RunFilesTest}: takes the pid file of CONFIG in RUNDIR as the daemon
 * does, says "held" (or "taken PID") on stdout, and keeps the lock until its stdin closes. A
 * process of its own, because a lock is per process and a verb asks from another one.
 */
public final class PidLockHolder {
    private PidLockHolder() {}

    public static void main(String[] args) throws Exception {
        RunFiles files = RunFiles.of(Path.of(args[1]), Map.of(RunFiles.RUNDIR_ENV, args[0]));
        RunFiles.Claim claim = files.claim(ProcessHandle.current().pid());
        if (claim instanceof RunFiles.Taken t) {
            System.out.println("taken " + t.pid());
            return;
        }
        System.out.println("held");
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the test closes our stdin
        }
        ((RunFiles.Held) claim).pidFile().release();
    }
}
