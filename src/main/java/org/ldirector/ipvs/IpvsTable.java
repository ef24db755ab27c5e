package org.ldirector.ipvs;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's IPVS table, as ldirector uses it. Implementations: {@code NetlinkIpvsTable} (the
 * real kernel, generic netlink) and {@link InMemoryIpvsTable} (a faithful fake). Both fail with the
 * same {@link IpvsException}s for the same mistakes.
 */
public interface IpvsTable extends AutoCloseable {

    IpvsInfo info() throws IpvsException;

    /**
     * Applies {@code ops} in order without waiting a round trip per op; one failing op does not
     * stop the others (as with {@code ipvsadm -R}'s kernel calls). Results are in op order.
     */
    List<OpResult> apply(List<? extends IpvsOp> ops) throws IpvsException;

    List<ServiceEntry> services() throws IpvsException;

    List<DestinationEntry> destinations(ServiceKey service) throws IpvsException;

    /** Deletes every service and destination. ldirector itself never calls this on a live table. */
    void flush() throws IpvsException;

    Timeouts timeouts() throws IpvsException;

    /** Sets the connection timeouts; a 0 field is left unchanged. */
    void setTimeouts(Timeouts timeouts) throws IpvsException;

    /**
     * The connection-sync threads running in this network namespace (IPVS_CMD_GET_DAEMON), master
     * first, with the kernel's defaults filled in.
     */
    List<SyncDaemon> syncDaemons() throws IpvsException;

    /**
     * Starts a sync thread (IPVS_CMD_NEW_DAEMON). EEXIST when one of that state already runs (its
     * settings are not changed: stop it first), ENODEV for an unknown interface, EINVAL while a
     * service has a destination of the other address family (the sync protocol cannot carry it).
     */
    void startSyncDaemon(SyncDaemon daemon) throws IpvsException;

    /** Stops the sync thread of that state (IPVS_CMD_DEL_DAEMON); ESRCH when none runs. */
    void stopSyncDaemon(SyncDaemon.State state) throws IpvsException;

    @Override
    void close() throws IpvsException;

    /** The outcome of one op in a batch: {@code error} is null on success. */
    record OpResult(IpvsOp op, IpvsException error) {
        public boolean ok() {
            return error == null;
        }
    }

    default void addService(VirtualService service) throws IpvsException {
        applyOne(new IpvsOp.AddService(service));
    }

    default void updateService(VirtualService service) throws IpvsException {
        applyOne(new IpvsOp.UpdateService(service));
    }

    default void deleteService(ServiceKey service) throws IpvsException {
        applyOne(new IpvsOp.DeleteService(service));
    }

    default void addDestination(ServiceKey service, Destination destination) throws IpvsException {
        applyOne(new IpvsOp.AddDestination(service, destination));
    }

    default void updateDestination(ServiceKey service, Destination destination)
            throws IpvsException {
        applyOne(new IpvsOp.UpdateDestination(service, destination));
    }

    default void deleteDestination(ServiceKey service, Destination.DestinationKey destination)
            throws IpvsException {
        applyOne(new IpvsOp.DeleteDestination(service, destination));
    }

    /** Every service with its destinations. */
    default List<ServiceDump> dump() throws IpvsException {
        List<ServiceDump> all = new ArrayList<>();
        for (ServiceEntry s : services()) {
            all.add(new ServiceDump(s, destinations(s.service().key())));
        }
        return all;
    }

    /** The table as {@code ipvsadm -Ln} prints it. */
    default String listText() throws IpvsException {
        return IpvsadmFormat.list(info(), dump());
    }

    /** The table as {@code ipvsadm -Sn} prints it. */
    default String saveText() throws IpvsException {
        return IpvsadmFormat.save(dump());
    }

    private void applyOne(IpvsOp op) throws IpvsException {
        OpResult r = apply(List.of(op)).get(0);
        if (!r.ok()) {
            throw r.error();
        }
    }
}
