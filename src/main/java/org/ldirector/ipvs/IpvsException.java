package org.ldirector.ipvs;

import org.ldirector.sys.Errno;

/**
 * A refused or failed IPVS operation. {@link #errno()} is the kernel's errno (0 when the failure is
 * not an errno, e.g. a malformed reply); the message is written for an operator, e.g. "virtual
 * service 10.0.0.1:80/tcp already exists (EEXIST)".
 */
public class IpvsException extends Exception {
    private final int errno;

    public IpvsException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public IpvsException(int errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /**
     * The one place kernel errnos become words, shared by the netlink adapter and the in-memory
     * fake so both fail with identical messages. The meanings follow
     * net/netfilter/ipvs/ip_vs_ctl.c.
     */
    public static IpvsException forOp(IpvsOp op, int errno) {
        String svc = "virtual service " + op.service();
        String what;
        if (op instanceof IpvsOp.AddService a) {
            what =
                    switch (errno) {
                        case Errno.EEXIST -> svc + " already exists";
                        case Errno.ENOENT ->
                                "cannot add " + svc + ": " + unknownScheduler(a.virtualService());
                        default -> "cannot add " + svc + ": " + generic(errno);
                    };
        } else if (op instanceof IpvsOp.UpdateService u) {
            what =
                    switch (errno) {
                        case Errno.ESRCH -> "cannot change " + svc + ": no such service";
                        case Errno.ENOENT ->
                                "cannot change "
                                        + svc
                                        + ": "
                                        + unknownScheduler(u.virtualService());
                        default -> "cannot change " + svc + ": " + generic(errno);
                    };
        } else if (op instanceof IpvsOp.DeleteService) {
            what =
                    errno == Errno.ESRCH
                            ? "cannot delete " + svc + ": no such service"
                            : "cannot delete " + svc + ": " + generic(errno);
        } else if (op instanceof IpvsOp.AddDestination a) {
            String real = "real server " + a.destination().key();
            what =
                    switch (errno) {
                        case Errno.EEXIST -> real + " already exists in " + svc;
                        case Errno.ESRCH -> "cannot add " + real + ": no such " + svc;
                        case Errno.ERANGE ->
                                "cannot add " + real + " to " + svc + ": " + badRange();
                        default -> "cannot add " + real + " to " + svc + ": " + generic(errno);
                    };
        } else if (op instanceof IpvsOp.UpdateDestination u) {
            String real = "real server " + u.destination().key();
            what =
                    switch (errno) {
                        case Errno.ENOENT -> "cannot change " + real + ": not in " + svc;
                        case Errno.ESRCH -> "cannot change " + real + ": no such " + svc;
                        case Errno.ERANGE ->
                                "cannot change " + real + " in " + svc + ": " + badRange();
                        default -> "cannot change " + real + " in " + svc + ": " + generic(errno);
                    };
        } else {
            String real = "real server " + ((IpvsOp.DeleteDestination) op).destination();
            what =
                    switch (errno) {
                        case Errno.ENOENT -> "cannot delete " + real + ": not in " + svc;
                        case Errno.ESRCH -> "cannot delete " + real + ": no such " + svc;
                        default -> "cannot delete " + real + " from " + svc + ": " + generic(errno);
                    };
        }
        return new IpvsException(errno, what + " (" + Errno.name(errno) + ")");
    }

    private static String unknownScheduler(VirtualService vs) {
        return "unknown scheduler '"
                + vs.scheduler()
                + "' (no kernel module ip_vs_"
                + vs.scheduler()
                + ")";
    }

    private static String badRange() {
        return "weight below 0 or lower threshold above upper threshold";
    }

    private static String generic(int errno) {
        return switch (errno) {
            case Errno.EPERM -> "operation not permitted (needs CAP_NET_ADMIN)";
            case Errno.EINVAL -> "the kernel rejected the request as invalid";
            case Errno.ERANGE -> "a value is out of range";
            case Errno.ENOMEM -> "the kernel is out of memory";
            default -> "kernel error";
        };
    }
}
