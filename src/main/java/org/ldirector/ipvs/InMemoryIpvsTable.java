package org.ldirector.ipvs;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ldirector.sys.Errno;

/**
 * An IPVS table in memory that answers like the 6.1 kernel for everything ldirector does: the same
 * errnos in the same precedence (net/netfilter/ipvs/ip_vs_ctl.c), the same defaults, destinations
 * dumped newest first, and an empty (not failing) destination dump for a missing service. The
 * shared contract suite runs against this and against the real kernel in UML to keep it honest.
 * Thread-safe by synchronisation; used for tests and dry runs.
 */
public final class InMemoryIpvsTable implements IpvsTable {
    /** Schedulers the Debian kernel ships as modules (net/netfilter/ipvs/ip_vs_*.ko). */
    public static final Set<String> KERNEL_SCHEDULERS =
            Set.of(
                    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf",
                    "mh", "twos");

    private final Set<String> schedulers;
    private final IpvsInfo info;
    private final Map<ServiceKey, Service> services = new LinkedHashMap<>();
    private Timeouts timeouts = Timeouts.DEFAULTS;

    /** Interface name to MTU: what the sync daemons may bind to. */
    private final Map<String, Integer> interfaces = new LinkedHashMap<>();

    private SyncDaemon master;
    private SyncDaemon backup;

    /** A table whose network namespace has only {@code lo} (MTU 65536). */
    public InMemoryIpvsTable() {
        this(KERNEL_SCHEDULERS, IpvsInfo.DEFAULT);
    }

    public InMemoryIpvsTable(Set<String> schedulers, IpvsInfo info) {
        this.schedulers = Set.copyOf(schedulers);
        this.info = info;
        interfaces.put("lo", 65536);
    }

    /** Adds a network interface the sync daemons can use. */
    public synchronized InMemoryIpvsTable withInterface(String name, int mtu) {
        interfaces.put(name, mtu);
        return this;
    }

    /**
     * A table that knows this host's interfaces (for dry runs: sync settings are checked as the
     * kernel would).
     */
    public static InMemoryIpvsTable withHostInterfaces() {
        InMemoryIpvsTable t = new InMemoryIpvsTable();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                t.withInterface(n.getName(), Math.max(n.getMTU(), 0));
            }
        } catch (SocketException e) {
            // only lo, then: a dry run can still do everything but start a sync daemon elsewhere
        }
        return t;
    }

    private static final class Service {
        VirtualService vs;
        final Map<Destination.DestinationKey, Destination> dests = new LinkedHashMap<>();

        Service(VirtualService vs) {
            this.vs = vs;
        }
    }

    @Override
    public synchronized IpvsInfo info() {
        return info;
    }

    @Override
    public synchronized List<OpResult> apply(List<? extends IpvsOp> ops) {
        List<OpResult> results = new ArrayList<>(ops.size());
        for (IpvsOp op : ops) {
            int errno = applyOne(op);
            results.add(new OpResult(op, errno == 0 ? null : IpvsException.forOp(op, errno)));
        }
        return results;
    }

    /** Returns 0 or the errno the kernel would return, checking in the kernel's order. */
    private int applyOne(IpvsOp op) {
        Service svc = services.get(op.service());
        if (op instanceof IpvsOp.AddService a) {
            if (svc != null) {
                return Errno.EEXIST;
            }
            int err = checkService(a.virtualService());
            if (err == 0) {
                services.put(a.service(), new Service(a.virtualService()));
            }
            return err;
        }
        if (svc == null) {
            return Errno.ESRCH;
        }
        if (op instanceof IpvsOp.UpdateService u) {
            int err = checkService(u.virtualService());
            if (err == 0) {
                svc.vs = u.virtualService();
            }
            return err;
        }
        if (op instanceof IpvsOp.DeleteService) {
            services.remove(op.service());
            return 0;
        }
        if (op instanceof IpvsOp.DeleteDestination d) {
            return svc.dests.remove(d.destination()) == null ? Errno.ENOENT : 0;
        }
        Destination dest =
                op instanceof IpvsOp.AddDestination a
                        ? a.destination()
                        : ((IpvsOp.UpdateDestination) op).destination();
        // A destination of the other family is only allowed for tunnels.
        if (dest.family() != op.service().family() && dest.forwarding() != Forwarding.TUNNEL) {
            return Errno.EINVAL;
        }
        if (dest.weight() < 0
                || Integer.compareUnsigned(dest.lowerThreshold(), dest.upperThreshold()) > 0) {
            return Errno.ERANGE;
        }
        boolean exists = svc.dests.containsKey(dest.key());
        if (op instanceof IpvsOp.AddDestination) {
            if (exists) {
                return Errno.EEXIST;
            }
        } else if (!exists) {
            return Errno.ENOENT;
        }
        svc.dests.put(dest.key(), dest);
        return 0;
    }

    private int checkService(VirtualService vs) {
        if (!schedulers.contains(vs.scheduler())) {
            return Errno.ENOENT;
        }
        if (vs.key().family() == Family.INET6 && (vs.netmask() < 1 || vs.netmask() > 128)) {
            return Errno.EINVAL;
        }
        return 0;
    }

    @Override
    public synchronized List<ServiceEntry> services() {
        List<ServiceEntry> out = new ArrayList<>();
        for (Service s : services.values()) {
            out.add(new ServiceEntry(s.vs, Stats.ZERO));
        }
        return out;
    }

    @Override
    public synchronized List<DestinationEntry> destinations(ServiceKey service) {
        Service svc = services.get(service);
        List<DestinationEntry> out = new ArrayList<>();
        if (svc != null) {
            for (Destination d : svc.dests.values()) {
                out.add(0, DestinationEntry.idle(d));
            }
        }
        return out;
    }

    @Override
    public synchronized void flush() {
        services.clear();
    }

    @Override
    public synchronized Timeouts timeouts() {
        return timeouts;
    }

    @Override
    public synchronized void setTimeouts(Timeouts t) {
        timeouts =
                new Timeouts(
                        t.tcp() != 0 ? t.tcp() : timeouts.tcp(),
                        t.tcpFin() != 0 ? t.tcpFin() : timeouts.tcpFin(),
                        t.udp() != 0 ? t.udp() : timeouts.udp());
    }

    @Override
    public synchronized List<SyncDaemon> syncDaemons() {
        List<SyncDaemon> out = new ArrayList<>();
        if (master != null) {
            out.add(master);
        }
        if (backup != null) {
            out.add(backup);
        }
        return out;
    }

    /** ip_vs_genl_new_daemon and start_sync_thread (6.1), checks in their order. */
    @Override
    public synchronized void startSyncDaemon(SyncDaemon d) throws IpvsException {
        if (mixesFamilies()) {
            throw new IpvsException(Errno.EINVAL, "cannot start the " + d.describe() + " (EINVAL)");
        }
        if ((d.state() == SyncDaemon.State.MASTER ? master : backup) != null) {
            throw new IpvsException(Errno.EEXIST, "cannot start the " + d.describe() + " (EEXIST)");
        }
        Integer mtu = interfaces.get(d.multicastInterface());
        if (mtu == null) {
            throw new IpvsException(Errno.ENODEV, "cannot start the " + d.describe() + " (ENODEV)");
        }
        int hlen = d.ipv6Group() ? 40 + 8 : 20 + 8;
        boolean isBackup = d.state() == SyncDaemon.State.BACKUP;
        int maxLen;
        if (d.maxLength() != 0) {
            maxLen = Math.max(isBackup ? 1024 : 1, Math.min(d.maxLength(), 65535 - hlen));
        } else {
            maxLen = Math.max(isBackup ? 1500 : 1024, Math.min(mtu, 65535)) - hlen;
        }
        InetAddress group = d.group() != null ? d.group() : DEFAULT_GROUP;
        SyncDaemon running =
                new SyncDaemon(
                        d.state(),
                        d.multicastInterface(),
                        d.syncId(),
                        maxLen,
                        group,
                        d.port() != 0 ? d.port() : SyncDaemon.DEFAULT_PORT,
                        d.ttl() != 0 ? d.ttl() : SyncDaemon.DEFAULT_TTL);
        if (isBackup) {
            backup = running;
        } else {
            master = running;
        }
    }

    @Override
    public synchronized void stopSyncDaemon(SyncDaemon.State state) throws IpvsException {
        if ((state == SyncDaemon.State.MASTER ? master : backup) == null) {
            throw new IpvsException(
                    Errno.ESRCH, "cannot stop the " + state.word() + " sync daemon (ESRCH)");
        }
        if (state == SyncDaemon.State.MASTER) {
            master = null;
        } else {
            backup = null;
        }
    }

    /** The kernel's mixed_address_family_dests: a destination of the other family, anywhere. */
    private boolean mixesFamilies() {
        for (Map.Entry<ServiceKey, Service> e : services.entrySet()) {
            for (Destination d : e.getValue().dests.values()) {
                if (d.family() != e.getKey().family()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final InetAddress DEFAULT_GROUP;

    static {
        try {
            DEFAULT_GROUP = InetAddress.getByAddress(new byte[] {(byte) 224, 0, 0, 81});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void close() {}
}
