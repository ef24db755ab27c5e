package org.ldirector.sys;

import java.util.Map;

/**
 * Linux errno numbers (x86-64/generic; identical on arm64) that ldirector reacts to, with their
 * symbolic names for messages. Netlink error replies carry the same numbers, negated.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;

    private static final Map<Integer, String> NAMES =
            Map.ofEntries(
                    Map.entry(EPERM, "EPERM"),
                    Map.entry(ENOENT, "ENOENT"),
                    Map.entry(ESRCH, "ESRCH"),
                    Map.entry(EINTR, "EINTR"),
                    Map.entry(EIO, "EIO"),
                    Map.entry(EBADF, "EBADF"),
                    Map.entry(EAGAIN, "EAGAIN"),
                    Map.entry(ENOMEM, "ENOMEM"),
                    Map.entry(EACCES, "EACCES"),
                    Map.entry(EFAULT, "EFAULT"),
                    Map.entry(EBUSY, "EBUSY"),
                    Map.entry(EEXIST, "EEXIST"),
                    Map.entry(ENODEV, "ENODEV"),
                    Map.entry(EINVAL, "EINVAL"),
                    Map.entry(ENFILE, "ENFILE"),
                    Map.entry(EMFILE, "EMFILE"),
                    Map.entry(ENOSPC, "ENOSPC"),
                    Map.entry(EPIPE, "EPIPE"),
                    Map.entry(ERANGE, "ERANGE"),
                    Map.entry(ENOSYS, "ENOSYS"),
                    Map.entry(ENOTSOCK, "ENOTSOCK"),
                    Map.entry(EMSGSIZE, "EMSGSIZE"),
                    Map.entry(ENOPROTOOPT, "ENOPROTOOPT"),
                    Map.entry(EPROTONOSUPPORT, "EPROTONOSUPPORT"),
                    Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
                    Map.entry(EAFNOSUPPORT, "EAFNOSUPPORT"),
                    Map.entry(EADDRINUSE, "EADDRINUSE"),
                    Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"),
                    Map.entry(ENETUNREACH, "ENETUNREACH"),
                    Map.entry(ECONNRESET, "ECONNRESET"),
                    Map.entry(ENOBUFS, "ENOBUFS"),
                    Map.entry(ETIMEDOUT, "ETIMEDOUT"),
                    Map.entry(ECONNREFUSED, "ECONNREFUSED"),
                    Map.entry(EHOSTUNREACH, "EHOSTUNREACH"));

    private Errno() {}

    /** The symbolic name ("EEXIST"), or "errno N" for numbers not listed here. */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }
}
