package org.ldirector.sys;

/**
 * Process-level calls the JDK lacks: signals other than TERM/KILL, and leaving the terminal's
 * session.
 */
public final class Processes {
    public static final int SIGHUP = 1;
    public static final int SIGTERM = 15;
    public static final int SIGUSR1 = 10;

    private Processes() {}

    /**
     * kill(2). ESRCH (no such process) is an error like any other: callers check liveness first.
     */
    public static void kill(long pid, int signal) throws NativeException {
        Native lib = Native.get();
        lib.call("kill(" + pid + ", " + signal + ")", () -> lib.libc.kill((int) pid, signal));
    }

    /**
     * setsid(2): a new session without a controlling terminal, so the terminal's hang-up never
     * reaches us.
     */
    public static long setsid() throws NativeException {
        Native lib = Native.get();
        return lib.call("setsid", () -> lib.libc.setsid());
    }
}
