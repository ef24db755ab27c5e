package org.ldirector.engine;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.ldirector.check.CheckResult;
import org.ldirector.check.Checker;
import org.ldirector.check.ProbeTarget;
import org.ldirector.config.CheckType;
import org.ldirector.config.Config;
import org.ldirector.config.Real;
import org.ldirector.config.VirtualConfig;
import org.ldirector.director.DesiredTable;
import org.ldirector.director.Director;
import org.ldirector.director.FallbackCommand;
import org.ldirector.director.MaintenanceDir;
import org.ldirector.health.Health;
import org.ldirector.health.HealthBook;
import org.ldirector.health.HealthEvent;
import org.ldirector.health.ProbeKey;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.net.RealId;
import org.ldirector.net.VirtualId;
import org.ldirector.reconcile.Reconciler;
import org.ldirector.schedule.Grid;
import org.ldirector.schedule.ProbeSchedule;
import org.ldirector.schedule.Ticks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running director: probes → health → desired table → reconciliation, and reloads.
 *
 * <p>Everything that changes the table runs on one loop thread (injected), so the reconciler and
 * the fallback commands never race; probes run on their own threads and only hand results over.
 * When a real changes state a pass runs over the virtuals that use it; a whole pass runs after a
 * reload and every (shortest) checkinterval, so drift is repaired within one interval. When a whole
 * pass takes long (it reads the whole kernel table: thousands of services on a small machine) the
 * periodic one runs less often, so that it never takes more than {@code 1/}{@link #REPAIR_SHARE} of
 * the loop. A failing pass is logged and the next one tries again.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * The periodic pass waits at least this many times its own duration (up to a second more, to
     * fall on a whole second, where the other periodic work runs): a pass reads the whole kernel
     * table, and on a large table and a small CPU a pass every second takes CPU the probes need.
     */
    static final int REPAIR_SHARE = 20;

    /** Collaborators, injected so tests drive time, threads and the kernel. */
    public record Parts(
            IpvsTable table,
            Function<ProbeTarget, Checker> checkers,
            Ticks ticks,
            ScheduledExecutorService loop,
            Clock clock,
            Consumer<String> log,
            Consumer<List<String>> launcher) {}

    private final Parts parts;
    private final HealthBook health = new HealthBook();
    private final Set<ProbeKey> maintenance = ConcurrentHashMap.newKeySet();
    private final Map<ProbeKey, Checker> checkers = new ConcurrentHashMap<>();
    private final ProbeSchedule<ProbeKey> schedule;
    private final Reconciler reconciler;
    private final FallbackCommand fallbackCommand;
    private final AtomicBoolean passPending = new AtomicBoolean();

    /**
     * Ids of the virtuals whose reals changed health (or maintenance) since the last pass over
     * them.
     */
    private final Set<VirtualId> changed = ConcurrentHashMap.newKeySet();

    private volatile Config config;
    private volatile ProbePlan plan;
    private volatile Optional<MaintenanceDir> maintenanceDir = Optional.empty();
    private boolean firstPass = true;

    /**
     * The reals of each virtual whose verdict a pass has put in the table since start (loop thread
     * only).
     */
    private final Set<Seat> placed = new HashSet<>();

    /** One real in one virtual: where the table keeps it. */
    private record Seat(VirtualId virtual, ProbeKey real) {}

    /**
     * Virtuals the director could not build, with the error last logged for each (loop thread
     * only).
     */
    private final Map<VirtualConfig, String> unbuildable = new HashMap<>();

    /**
     * Probes started, counted without reading the clock (a system call per probe in User-Mode
     * Linux); {@link #probing} notes when it last saw the count move.
     */
    private final AtomicLong probesStarted = new AtomicLong();

    private long probesSeen;

    /**
     * When {@link #probing} last saw the probes move (clock millis): the systemd watchdog's proof
     * the timers are alive.
     */
    private long lastProbeMillis;

    private volatile ScheduledFuture<?> repairTimer;
    private Duration repairInterval;
    private volatile boolean stopped;

    private final EngineListener listener;

    public Engine(Config config, Parts parts) {
        this(config, parts, EngineListener.NONE);
    }

    /**
     * @param listener hears probes, health changes and kernel operations (monitor files, alerts,
     *     metrics)
     */
    public Engine(Config config, Parts parts, EngineListener listener) {
        this(config, parts, listener, 0);
    }

    /**
     * @param firstBurst how many reals are probed at once at start, the rest at their slots' turns
     *     (the daemon: {@link ProbeSchedule#firstBurst()}, bounded by the open-file limit)
     */
    public Engine(Config config, Parts parts, EngineListener listener, int firstBurst) {
        this.parts = parts;
        this.listener = listener;
        this.config = config;
        this.plan = ProbePlan.of(config);
        this.schedule = new ProbeSchedule<>(parts.ticks(), this::probe, firstBurst);
        this.reconciler = new Reconciler(parts.table(), parts.log(), listener::applied);
        this.fallbackCommand = new FallbackCommand(parts.launcher());
    }

    /**
     * Adopts the table, runs the first pass and starts the probes. Returns once that pass is done.
     */
    public void start() throws Exception {
        parts.loop()
                .submit(
                        () -> {
                            install(config);
                            pass();
                        })
                .get();
    }

    /**
     * Applies a new config: only the difference reaches the kernel; unchanged reals keep their
     * health.
     */
    public CompletableFuture<Void> reload(Config next) {
        return CompletableFuture.runAsync(
                () -> {
                    install(next);
                    pass();
                },
                parts.loop());
    }

    /** Runs one pass on the loop now (and waits for it); for tests and {@code status}. */
    public void passNow() throws Exception {
        parts.loop().submit(this::pass).get();
    }

    /**
     * Whether the probe timers have fired within two of the longest check intervals (plus a
     * second), or there is nothing to probe. False means the scheduler is wedged.
     */
    public synchronized boolean probing() {
        ProbePlan now = plan;
        long millis = parts.clock().millis();
        long started = probesStarted.get();
        if (started != probesSeen) {
            probesSeen = started;
            lastProbeMillis = millis;
        }
        if (now.probes().isEmpty()) {
            return true;
        }
        long longest =
                now.probes().values().stream()
                        .mapToLong(p -> p.interval().toMillis())
                        .max()
                        .orElse(0);
        return millis - lastProbeMillis <= 2 * longest + 1000;
    }

    /** The status table, taken on the loop (it reads the kernel table there, as the passes do). */
    public StatusSnapshot status() throws Exception {
        return parts.loop()
                .submit(
                        () ->
                                StatusSnapshot.of(
                                        config,
                                        health.snapshot(),
                                        Set.copyOf(maintenance),
                                        parts.table().dump(),
                                        parts.clock().instant()))
                .get();
    }

    public Config config() {
        return config;
    }

    public HealthBook health() {
        return health;
    }

    private void install(Config next) {
        synchronized (this) {
            if (lastProbeMillis == 0) {
                lastProbeMillis =
                        parts.clock().millis(); // the first probes are staggered over an interval
            }
        }
        config = next;
        listener.configured(next);
        plan = ProbePlan.of(next);
        maintenanceDir =
                next.global()
                        .maintenanceDir()
                        .map(d -> new MaintenanceDir(Path.of(d), MaintenanceDir::reverseDns));
        health.retain(plan.probes().keySet());
        checkers.keySet().retainAll(plan.probes().keySet());
        maintenance.retainAll(plan.probes().keySet());
        fallbackCommand.retain(
                next.virtuals().stream().map(VirtualConfig::id).collect(Collectors.toSet()));
        schedule.apply(plan.intervals());
        Duration shortest =
                next.virtuals().stream()
                        .map(VirtualConfig::checkInterval)
                        .min(Duration::compareTo)
                        .orElse(next.global().checkInterval());
        if (!shortest.equals(repairInterval)) {
            repairInterval = shortest;
            scheduleRepair(Grid.align(parts.clock().millis(), shortest.toMillis()));
        }
    }

    /**
     * Loop thread only. Callers make the pass due on a whole second ({@link Grid}), where the
     * config poll is due too: one wake-up of the loop thread serves both.
     */
    private void scheduleRepair(long delayMillis) {
        if (repairTimer != null) {
            repairTimer.cancel(false);
        }
        if (!stopped) {
            repairTimer = parts.loop().schedule(this::repair, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** The periodic pass, rescheduled after itself by how long it took. */
    private void repair() {
        long before = parts.clock().millis();
        pass();
        long after = parts.clock().millis();
        long took = Math.max(0, after - before);
        try {
            long rest = REPAIR_SHARE * took;
            // within the interval, as promised; a long rest at least as long as the share asks
            scheduleRepair(
                    rest > repairInterval.toMillis()
                            ? Grid.alignAfter(after, rest)
                            : Grid.align(after, repairInterval.toMillis()));
        } catch (RejectedExecutionException e) {
            // the loop is shutting down: no more passes
        }
    }

    /** Starts one probe; called by the schedule, never blocks. */
    CompletableFuture<?> probe(ProbeKey key) {
        probesStarted.incrementAndGet();
        ProbePlan.Probe p = plan.probes().get(key);
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        Optional<Path> file = maintenanceFile(p);
        if (file.isPresent()) {
            boolean entering = maintenance.add(key);
            health.forceDown(
                            key,
                            CheckResult.down(Duration.ZERO, "in maintenance (" + file.get() + ")"),
                            parts.clock().instant())
                    .ifPresent(e -> handle(p, List.of(e)));
            if (entering) {
                requestPass(p);
            }
            return CompletableFuture.completedFuture(null);
        }
        if (maintenance.remove(key)) {
            requestPass(p);
        }
        CheckType type = p.target().spec().type();
        if (type == CheckType.ON || type == CheckType.OFF) {
            return CompletableFuture.completedFuture(null);
        }
        Checker checker = checkers.computeIfAbsent(key, k -> parts.checkers().apply(p.target()));
        return checker.check(p.target())
                .thenAccept(
                        result -> {
                            Instant at = parts.clock().instant();
                            List<HealthEvent> events =
                                    health.record(key, p.thresholds(), result, at);
                            for (ProbePlan.Use u : p.uses()) {
                                listener.probed(u.virtual(), u.real(), result, at);
                            }
                            handle(p, events);
                        });
    }

    private Optional<Path> maintenanceFile(ProbePlan.Probe p) {
        if (maintenanceDir.isEmpty()) {
            return Optional.empty();
        }
        for (ProbePlan.Use u : p.uses()) {
            Optional<Path> f = maintenanceDir.get().fileFor(u.real().address(), u.real().port());
            if (f.isPresent()) {
                return f;
            }
        }
        return Optional.empty();
    }

    private void handle(ProbePlan.Probe p, List<HealthEvent> events) {
        boolean changed = false;
        for (HealthEvent e : events) {
            for (ProbePlan.Use u : p.uses()) {
                listener.healthChanged(u.virtual(), u.real(), e);
                // "10.77.1.2:80 (tcp:10.77.9.100:80)", ldirectord's words for a real in its virtual
                RealId real = u.virtual().id(u.real());
                switch (e.kind()) {
                    case SOFT_FAILURE ->
                            parts.log()
                                    .accept(
                                            "Soft failure real server: "
                                                    + real
                                                    + " failure "
                                                    + e.streak()
                                                    + "/"
                                                    + e.needed());
                    case SOFT_FAILURE_RESET ->
                            parts.log().accept("Resetting soft failure count: " + real);
                    case WEIGHT_CHANGED ->
                            parts.log()
                                    .accept(
                                            "Real server "
                                                    + real
                                                    + " weight "
                                                    + (e.result().weight().isPresent()
                                                            ? "set to "
                                                                    + e.result().weight().getAsInt()
                                                            : "back to " + u.real().weight())
                                                    + " by its check: "
                                                    + e.result().reason());
                    case WENT_DOWN -> {
                        if (e.from() == Health.UP) {
                            parts.log()
                                    .accept(
                                            "Real server "
                                                    + real
                                                    + " is down: "
                                                    + e.result().reason());
                        }
                    }
                    default -> {}
                }
            }
            changed |=
                    e.kind() == HealthEvent.Kind.WENT_UP
                            || e.kind() == HealthEvent.Kind.WENT_DOWN
                            || e.kind() == HealthEvent.Kind.WEIGHT_CHANGED;
        }
        if (changed) {
            requestPass(p);
        }
    }

    /**
     * Asks for a pass over the virtuals that use {@code p}'s real; several requests make one pass.
     */
    private void requestPass(ProbePlan.Probe p) {
        for (ProbePlan.Use u : p.uses()) {
            changed.add(u.virtual().id());
        }
        if (passPending.compareAndSet(false, true)) {
            parts.loop().execute(this::changedPass);
        }
    }

    /**
     * The pass a health change asks for: over the virtuals whose reals changed since the last one,
     * each read back from the kernel on its own, instead of the whole table (see {@link
     * Reconciler#reconcileOnly}). Loop thread only.
     */
    private void changedPass() {
        passPending.set(false);
        // after clearing passPending: a change recorded from here on asks for a pass of its own
        Set<VirtualId> ids = new HashSet<>();
        for (Iterator<VirtualId> it = changed.iterator(); it.hasNext(); ) {
            ids.add(it.next());
            it.remove();
        }
        if (firstPass) {
            pass();
        } else if (!ids.isEmpty()) {
            reconcile(ids);
        }
    }

    /** A whole pass; runs on the loop thread only. */
    private void pass() {
        reconcile(null);
    }

    /**
     * @param only the ids of the virtuals to reconcile, or null for all of them
     */
    private void reconcile(Set<VirtualId> only) {
        Config c = config;
        // Results land on probe threads while the pass applies its steps; what the pass records as
        // placed must be what it decided on, so each real's verdict is read once and kept for the
        // pass. A verdict read afresh afterwards would mark a real placed that this pass never put
        // in the table (a quiescent real failing its first check just then would never be added).
        Map<ProbeKey, Health> seenHealth = new HashMap<>();
        Map<ProbeKey, Boolean> seenMaintenance = new HashMap<>();
        Map<ProbeKey, OptionalInt> seenWeight = new HashMap<>();
        try {
            Director.Verdicts verdicts =
                    Director.Verdicts.of(
                                    (v, r) ->
                                            seenHealth.computeIfAbsent(
                                                    ProbeKey.of(v, r), health::health),
                                    (v, r) ->
                                            seenMaintenance.computeIfAbsent(
                                                    ProbeKey.of(v, r), maintenance::contains),
                                    (v, r) -> placed.contains(new Seat(v.id(), ProbeKey.of(v, r))))
                            .withWeights(
                                    (v, r) ->
                                            seenWeight.computeIfAbsent(
                                                    ProbeKey.of(v, r), health::weight));
            DesiredTable desired;
            Map<VirtualConfig, String> failed = new LinkedHashMap<>();
            BiConsumer<VirtualConfig, RuntimeException> onFailure =
                    (v, e) -> failed.put(v, String.valueOf(e.getMessage()));
            if (only == null) {
                desired = Director.desired(c, verdicts, firstPass, v -> true, onFailure);
                if (failed.isEmpty()) {
                    reconciler.reconcile(desired, firstPass ? "start" : "reload");
                } else {
                    // a whole pass would purge what a virtual that cannot be built owns: touch only
                    // the others
                    reconciler.reconcileOnly(desired, firstPass ? "start" : "reload");
                }
                firstPass = false;
            } else {
                // the other virtuals are neither built nor read back: their reals did not change
                desired =
                        Director.desired(
                                c, verdicts, firstPass, v -> only.contains(v.id()), onFailure);
                reconciler.reconcileOnly(desired, "reload");
            }
            remember(c, only, verdicts);
            noteUnbuildable(desired, failed);
            for (DesiredTable.Service s : desired.services()) {
                if (s.decided()) {
                    try {
                        fallbackCommand.update(s.config(), s.anyRealUp());
                    } catch (RuntimeException e) {
                        LOG.error(
                                "fallbackcommand of the virtual service at line {} failed",
                                s.config().line(),
                                e);
                    }
                }
            }
        } catch (IpvsException e) {
            parts.log().accept("Cannot read the IPVS table: " + e.getMessage() + "; will retry");
        } catch (RuntimeException e) {
            // The loop must survive anything; the next (whole) pass tries again.
            LOG.error("reconciliation pass failed", e);
        }
    }

    /**
     * Records which reals now have their verdict in the table, after a pass over {@code only}
     * (null: all virtuals, which also forgets the reals a reload removed).
     */
    private void remember(Config c, Set<VirtualId> only, Director.Verdicts verdicts) {
        Set<Seat> current = only == null ? new HashSet<>() : null;
        for (VirtualConfig v : c.virtuals()) {
            if (only != null && !only.contains(v.id())) {
                continue;
            }
            for (Real r : v.reals()) {
                Seat seat = new Seat(v.id(), ProbeKey.of(v, r));
                if (current != null) {
                    current.add(seat);
                }
                if (Director.verdict(v, r, verdicts) != Health.UNKNOWN) {
                    placed.add(seat);
                }
            }
        }
        if (current != null) {
            placed.retainAll(current);
        }
    }

    /**
     * Logs each virtual that cannot be built once per change of its error (every pass retries it),
     * and forgets it once it builds again. Loop thread only.
     */
    private void noteUnbuildable(DesiredTable built, Map<VirtualConfig, String> failed) {
        if (!unbuildable.isEmpty()) {
            built.services().forEach(s -> unbuildable.remove(s.config()));
            unbuildable.keySet().retainAll(config.virtuals());
        }
        failed.forEach(
                (v, message) -> {
                    if (!message.equals(unbuildable.put(v, message))) {
                        parts.log()
                                .accept(
                                        "Cannot program virtual service "
                                                + v.written()
                                                + " (line "
                                                + v.line()
                                                + "): "
                                                + message
                                                + "; the other virtual services are programmed,"
                                                + " this one is retried every pass");
                    }
                });
    }

    /**
     * Stops probing; with cleanstop the owned virtuals are removed (per virtual, as ldirectord).
     */
    public void stop() throws Exception {
        stopped = true;
        parts.loop()
                .submit(
                        () -> {
                            schedule.close();
                            if (repairTimer != null) {
                                repairTimer.cancel(false);
                            }
                            List<DesiredTable.Service> clean =
                                    Director.desired(
                                                    config,
                                                    Director.Verdicts.all(Health.UNKNOWN),
                                                    false,
                                                    v -> true,
                                                    (v, e) -> {})
                                            .services()
                                            .stream()
                                            .filter(s -> s.config().cleanstop())
                                            .toList();
                            try {
                                reconciler.purge(clean, "stop");
                            } catch (IpvsException e) {
                                parts.log()
                                        .accept(
                                                "Cannot clean up the IPVS table: "
                                                        + e.getMessage());
                            }
                            return null;
                        })
                .get();
    }

    /**
     * Stops probing and leaves the table as it is: on the loop thread, so a pass in flight ends
     * first and none follows (the packages' upgrade, which hands the table to a new daemon).
     */
    public void stopKeepingTable() throws Exception {
        parts.loop()
                .submit(
                        () -> {
                            close();
                            return null;
                        })
                .get();
    }

    @Override
    public void close() {
        stopped = true;
        schedule.close();
        if (repairTimer != null) {
            repairTimer.cancel(false);
        }
    }
}
