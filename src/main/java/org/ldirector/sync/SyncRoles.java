package org.ldirector.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.ldirector.config.SyncConfig;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.SyncDaemon;

/**
 * Keeps the kernel's sync threads to one role. The role comes from {@code syncdaemon} at start and
 * from the HA manager afterwards ({@link #switchTo}); what the kernel runs is compared with it on
 * every {@link #enforce} and put right: a master is started, a thread of the other role or with
 * other settings is stopped first. When the config has no {@code syncdaemon} nothing is managed and
 * the kernel's threads are never touched.
 *
 * <p>The sync verb's role is kept ({@link KeptRole}) and wins at the next start; a reload that
 * changes {@code syncdaemon} forgets it, since the file is then the operator's newer word.
 *
 * <p>Thread-safe by synchronisation: the periodic check runs on the daemon's loop, a role switch on
 * the control socket's thread.
 */
public final class SyncRoles {
    private final IpvsTable table;
    private final Consumer<String> events;
    private final KeptRole kept;
    private Optional<SyncConfig> config = Optional.empty();
    private SyncConfig.Role role = SyncConfig.Role.NONE;

    /** The last failure, logged once until something changes. */
    private String lastError;

    public SyncRoles(IpvsTable table, Consumer<String> events) {
        this(table, events, KeptRole.NONE);
    }

    public SyncRoles(IpvsTable table, Consumer<String> events, KeptRole kept) {
        this.table = Objects.requireNonNull(table);
        this.events = Objects.requireNonNull(events);
        this.kept = Objects.requireNonNull(kept);
    }

    /**
     * At start: the role the sync verb set last, when the config manages sync, else the config's
     * syncdaemon; enforced at once.
     */
    public synchronized void start(Optional<SyncConfig> settings) {
        configure(settings, startRole(settings));
    }

    /**
     * After a reload: a changed syncdaemon in the file is the operator's new word and wins (the
     * verb's role is forgotten); otherwise the role in force stays, whoever set it.
     */
    public synchronized void reload(Optional<SyncConfig> before, Optional<SyncConfig> after) {
        configure(after, reloadRole(before, after));
    }

    /** The sync verb: {@link #switchTo}, then the role is kept for a restart. */
    public synchronized SyncDaemonsChanged switchAndKeep(SyncConfig.Role next)
            throws SyncException {
        SyncDaemonsChanged changes = switchTo(next);
        kept.keep(next);
        return changes;
    }

    private SyncConfig.Role startRole(Optional<SyncConfig> settings) {
        if (settings.isEmpty()) {
            kept.forget();
            return SyncConfig.Role.NONE;
        }
        Optional<SyncConfig.Role> last = kept.read();
        if (last.isPresent()) {
            events.accept(
                    "IPVS sync role "
                            + last.get().word()
                            + ", as last set by the sync verb ("
                            + kept.where()
                            + ")");
            return last.get();
        }
        return settings.get().role();
    }

    private SyncConfig.Role reloadRole(Optional<SyncConfig> before, Optional<SyncConfig> after) {
        if (after.isEmpty()) {
            kept.forget();
            return SyncConfig.Role.NONE;
        }
        if (before.isEmpty() || before.get().role() != after.get().role()) {
            kept.forget();
            return after.get().role();
        }
        return role;
    }

    /** What the kernel runs and what ldirector wants of it, for status output. */
    public record Status(
            boolean managed,
            SyncConfig.Role role,
            List<SyncDaemon> kernel,
            Optional<String> error) {}

    public synchronized SyncConfig.Role role() {
        return role;
    }

    /**
     * Takes a config's sync settings (empty: unmanaged from now on, the kernel's threads stay as
     * they are) with the role to play, and enforces it.
     */
    public synchronized void configure(Optional<SyncConfig> settings, SyncConfig.Role roleToPlay) {
        boolean changed = !settings.equals(config) || roleToPlay != role;
        config = settings;
        role = settings.isPresent() ? roleToPlay : SyncConfig.Role.NONE;
        if (changed) {
            lastError = null;
        }
        if (settings.isPresent()) {
            enforce();
        }
    }

    /**
     * The HA manager's role switch. Fails (with the reason) when sync is not managed, when the role
     * needs an interface the config does not give, or when the kernel refuses.
     */
    public synchronized SyncDaemonsChanged switchTo(SyncConfig.Role next) throws SyncException {
        if (config.isEmpty()) {
            throw new SyncException(
                    "syncdaemon is not set in the configuration: ldirector leaves the kernel's sync"
                            + " daemons alone (set syncdaemon = master, backup or none, with"
                            + " syncinterface)");
        }
        if (next != SyncConfig.Role.NONE && config.get().iface().isEmpty()) {
            throw new SyncException(
                    "syncdaemon " + next.word() + " needs syncinterface in the configuration");
        }
        SyncConfig.Role before = role;
        role = next;
        lastError = null;
        SyncDaemonsChanged changes = enforce();
        if (changes.error().isPresent()) {
            throw new SyncException(changes.error().get());
        }
        if (before != next) {
            events.accept("IPVS sync role " + before.word() + " -> " + next.word());
        }
        return changes;
    }

    /** What {@link #enforce} did: the daemons stopped and started, and a failure if one came. */
    public record SyncDaemonsChanged(
            List<SyncDaemon> stopped, List<SyncDaemon> started, Optional<String> error) {
        public boolean none() {
            return stopped.isEmpty() && started.isEmpty();
        }
    }

    /** Makes the kernel run what the role asks for; cheap when it already does (one dump). */
    public synchronized SyncDaemonsChanged enforce() {
        List<SyncDaemon> stopped = new ArrayList<>();
        List<SyncDaemon> started = new ArrayList<>();
        if (config.isEmpty()) {
            return new SyncDaemonsChanged(stopped, started, Optional.empty());
        }
        try {
            List<SyncDaemon> running = table.syncDaemons();
            Optional<SyncDaemon> want = wanted();
            for (SyncDaemon have : running) {
                boolean keep = want.isPresent() && want.get().satisfiedBy(have);
                if (!keep) {
                    table.stopSyncDaemon(have.state());
                    stopped.add(have);
                    events.accept("Stopped the IPVS " + have.describe());
                }
            }
            if (want.isPresent() && running.stream().noneMatch(h -> want.get().satisfiedBy(h))) {
                table.startSyncDaemon(want.get());
                started.add(want.get());
                events.accept("Started the IPVS " + want.get().describe());
            }
            lastError = null;
            return new SyncDaemonsChanged(stopped, started, Optional.empty());
        } catch (IpvsException e) {
            String message = e.getMessage();
            if (!message.equals(lastError)) {
                events.accept("Error: " + message);
            }
            lastError = message;
            return new SyncDaemonsChanged(stopped, started, Optional.of(message));
        }
    }

    /** The daemon the role asks for: none for {@code none}. */
    Optional<SyncDaemon> wanted() {
        if (config.isEmpty() || role == SyncConfig.Role.NONE || config.get().iface().isEmpty()) {
            return Optional.empty();
        }
        SyncConfig c = config.get();
        SyncDaemon.State state =
                role == SyncConfig.Role.MASTER ? SyncDaemon.State.MASTER : SyncDaemon.State.BACKUP;
        return Optional.of(
                new SyncDaemon(
                        state,
                        c.iface().get(),
                        c.syncId(),
                        c.maxLength(),
                        c.group().orElse(null),
                        c.port(),
                        c.ttl()));
    }

    /** On a clean stop: the threads this role runs are stopped, as the services are removed. */
    public synchronized void stopAll() {
        if (config.isEmpty()) {
            return;
        }
        role = SyncConfig.Role.NONE;
        enforce();
    }

    public synchronized Status status() {
        List<SyncDaemon> kernel;
        Optional<String> error = Optional.ofNullable(lastError);
        try {
            kernel = table.syncDaemons();
        } catch (IpvsException e) {
            kernel = List.of();
            error = Optional.of(e.getMessage());
        }
        return new Status(config.isPresent(), role, kernel, error);
    }

    /** A role switch that could not be done; the message is for the operator. */
    public static final class SyncException extends Exception {
        private static final long serialVersionUID = 1L;

        public SyncException(String message) {
            super(message);
        }
    }
}
