package org.ldirector.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.ldirector.check.Checkers;
import org.ldirector.check.ProbeLoop;
import org.ldirector.check.ProbeTarget;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigException;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.DaemonState;
import org.ldirector.config.Diagnostic;
import org.ldirector.config.SyncConfig;
import org.ldirector.director.ShellCommand;
import org.ldirector.engine.Engine;
import org.ldirector.engine.EngineListener;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.schedule.Grid;
import org.ldirector.schedule.ProbeSchedule;
import org.ldirector.schedule.QuartzTicks;
import org.ldirector.sync.KeptRole;
import org.ldirector.sync.SyncRoles;
import org.ldirector.sys.NativeException;
import org.slf4j.helpers.MessageFormatter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The running daemon in the foreground: wires the engine to the kernel, the checkers, the config
 * watcher and the signals, then waits for TERM/INT. Daemonizing, the pid file and the status socket
 * are the CLI's business, not this class's.
 */
public final class Daemon {
    private final Path configFile;
    private final Consumer<String> events;
    private final boolean installSignals;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /**
     * Set by SIGPWR ({@link #requestExitKeepingTable}): the stop leaves the IPVS table and the sync
     * daemons as they are. Never unset: a TERM that follows (systemctl restart after the packages'
     * upgrade scriptlets sent PWR) must not turn it back into a clean stop.
     */
    private volatile boolean keepTable;

    private CountDownLatch earlyStop = new CountDownLatch(1);
    private final ScheduledExecutorService loop =
            Executors.newSingleThreadScheduledExecutor(Daemon.threads("ldirector-loop"));

    private final EngineListener listener;
    private Optional<Path> controlSocket = Optional.empty();
    private KeptRole keptSyncRole = KeptRole.NONE;
    private volatile SyncRoles syncRoles;

    /**
     * How often the kernel's sync threads are compared with the role (someone may stop them by
     * hand).
     */
    static final Duration SYNC_CHECK = Duration.ofSeconds(10);

    private volatile Engine engine;

    /** The listener in force while running: the given one, plus systemd's when under systemd. */
    private volatile EngineListener running;

    private final ScheduledExecutorService watchdogTimer =
            Executors.newSingleThreadScheduledExecutor(Daemon.threads("ldirector-watchdog"));

    /** Which content of the file the daemon has handled; set at the start of {@link #run}. */
    private volatile ConfigFollower follower;

    private Checkers checkers;

    /** The daemon as the CLI runs it: events to the operator log, signals handled. */
    public Daemon(Path configFile) {
        this(configFile, Logging.events()::info, true);
    }

    /**
     * As the CLI runs it, with the listeners that watch the engine (metrics, alerts, monitor
     * files).
     */
    public Daemon(Path configFile, EngineListener listener) {
        this(configFile, Logging.events()::info, true, listener);
    }

    /** The control socket's place; none in tests that run the daemon in their own JVM. */
    Daemon withControlSocket(Path socket) {
        this.controlSocket = Optional.of(socket);
        return this;
    }

    /**
     * A stop asked for before {@link #run} took the signals over (counted down by the CLI's first
     * handlers).
     */
    Daemon withEarlyStop(CountDownLatch asked) {
        this.earlyStop = asked;
        return this;
    }

    /** Where the sync verb's role is kept across restarts; none in tests that do not need it. */
    Daemon withSyncRoleFile(Path file) {
        this.keptSyncRole = new SyncRoleFile(file).kept(events);
        return this;
    }

    /**
     * @param events where operator log lines go
     * @param installSignals whether HUP/TERM/INT are taken over (not in tests sharing a JVM)
     */
    Daemon(Path configFile, Consumer<String> events, boolean installSignals) {
        this(configFile, events, installSignals, EngineListener.NONE);
    }

    /**
     * @param listener hears the engine's events and the daemon's states (alerts, monitor files,
     *     metrics)
     */
    Daemon(
            Path configFile,
            Consumer<String> events,
            boolean installSignals,
            EngineListener listener) {
        this.configFile = configFile;
        this.events = events;
        this.installSignals = installSignals;
        this.listener = listener;
    }

    private void log(String format, Object... args) {
        events.accept(MessageFormatter.arrayFormat(format, args).getMessage());
    }

    /**
     * Runs until a TERM or INT signal (or {@link #requestStop()}), then stops cleanly.
     *
     * @return the exit status
     */
    public int run(Config config, IpvsTable table, Checkers checkers) throws Exception {
        ConfigFollower follower = new ConfigFollower(configFile, loop);
        this.follower = follower;
        log("Starting ldirector {} with pid: {}", Main.version(), ProcessHandle.current().pid());
        // Under systemd (Type=notify) the states and the watchdog go to NOTIFY_SOCKET as well.
        Optional<SystemdNotifier> systemd =
                SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid());
        EngineListener listener =
                systemd.isEmpty()
                        ? this.listener
                        : EngineListener.all(
                                List.of(
                                        this.listener,
                                        new SystemdState(notifyOrLog(systemd.get()))));
        listener.daemonState(DaemonState.STARTING);
        try (QuartzTicks ticks = new QuartzTicks(2)) {
            this.checkers = checkers;
            this.running = listener;
            // the probe loop stamps its results with its time of turn: no clock reading per probe
            Engine engine =
                    new Engine(
                            config,
                            new Engine.Parts(
                                    table,
                                    t -> checkers,
                                    ticks,
                                    loop,
                                    ProbeLoop.turnClock(Clock.systemUTC()),
                                    events,
                                    this::launch),
                            listener,
                            ProbeSchedule.firstBurst());
            // Watch before the first pass, so an edit made while it runs is not missed.
            follower.follow(now -> configChanged(engine, now));
            // before the first pass: a TERM that comes early must still be a clean stop, not the
            // JVM's default exit
            if (installSignals) {
                if (Signal.handle(new Signal("HUP"), s -> reload(engine, "SIGHUP"))
                        == SignalHandler.SIG_IGN) {
                    // the JVM keeps a SIGHUP ignored at its start ignored; bin/ldirector restores
                    // it, a bare java -jar cannot
                    log(
                            "Warning: SIGHUP was ignored when this process started (nohup?) and"
                                    + " stays ignored: reload and log reopening by SIGHUP will not"
                                    + " work; start it through bin/ldirector");
                }
                Signal.handle(new Signal("TERM"), s -> requestStop());
                Signal.handle(new Signal("INT"), s -> requestStop());
                Signal.handle(new Signal("USR1"), s -> logStatus());
                // PWR, not USR2: the JVM suspends threads with USR2 on Linux. No tool sends PWR to
                // a
                // service, and a version without this handler dies of it, which leaves the table
                // too.
                Signal.handle(new Signal("PWR"), s -> requestExitKeepingTable());
            }
            if (earlyStop.getCount() == 0) {
                requestStop();
            }
            engine.start();
            this.engine = engine;
            SyncRoles sync = new SyncRoles(table, events, keptSyncRole);
            sync.start(config.global().sync());
            this.syncRoles = sync;
            // on whole seconds, with the repair pass and the config poll: no wake-up of its own
            Grid.repeat(
                    loop,
                    System::currentTimeMillis,
                    SYNC_CHECK.toMillis(),
                    "the sync role check",
                    sync::enforce);
            // the socket opens only after the first pass: a start that waits for it waits for a
            // programmed table
            Optional<ControlSocket> control =
                    controlSocket.isEmpty()
                            ? Optional.empty()
                            : Optional.of(new ControlSocket(controlSocket.get(), this::command));
            listener.daemonState(DaemonState.RUNNING);
            Optional<Watchdog> watchdog =
                    systemd.flatMap(SystemdNotifier::watchdog)
                            .map(
                                    interval ->
                                            new Watchdog(
                                                    interval,
                                                    watchdogTimer,
                                                    loop,
                                                    engine::probing,
                                                    notifyOrLog(systemd.get())));

            stopped.await();
            control.ifPresent(ControlSocket::close);
            watchdog.ifPresent(Watchdog::close);
            listener.daemonState(DaemonState.STOPPING);
            follower.close();
            if (keepTable) {
                // what is in the kernel now stays, whatever cleanstop says
                log(
                        "Stopping ldirector, leaving the IPVS table and the sync daemons as they"
                                + " are (SIGPWR)");
                engine.stopKeepingTable();
            } else {
                log("Stopping ldirector");
                engine.stop();
                // as the virtual services: with cleanstop a stopped director leaves no sync thread
                // behind
                if (engine.config().global().cleanstop()) {
                    sync.stopAll();
                }
                engine.close();
            }
        } finally {
            loop.shutdownNow();
            watchdogTimer.shutdownNow();
            if (systemd.isPresent()) {
                systemd.get().close();
            }
        }
        log("Exiting with exit_status 0");
        return 0;
    }

    /** The control socket's commands. */
    String command(String line) {
        try {
            return switch (line) {
                case "status" ->
                        StatusFormat.table(engine.status(), ZoneId.systemDefault())
                                + StatusFormat.sync(syncRoles.status());
                case "status json" ->
                        StatusFormat.json(
                                engine.status(),
                                ProcessHandle.current().pid(),
                                configFile.toString(),
                                syncRoles.status());
                case "sync", "sync status" -> {
                    String text = StatusFormat.sync(syncRoles.status());
                    yield text.isEmpty()
                            ? "IPVS sync: not managed (no syncdaemon), kernel runs no sync daemon\n"
                            : text;
                }
                case "sync master", "sync backup", "sync none" ->
                        switchSync(SyncConfig.Role.parse(line.substring(5)).orElseThrow());
                case "reload" -> {
                    // as SIGHUP: the reload runs on its own, the answer says it was heard
                    Engine e = engine;
                    loop.execute(() -> reload(e, "SIGHUP"));
                    yield "ok: reloading " + configFile + "\n";
                }
                default ->
                        "error: unknown command '"
                                + line
                                + "'; expected status, status json, sync [master|backup|none],"
                                + " reload\n";
            };
        } catch (Exception e) {
            return "error: " + e + "\n";
        }
    }

    /**
     * The sync verb: switch, remember the role for a restart, answer with what the kernel runs now.
     */
    private String switchSync(SyncConfig.Role role) {
        try {
            SyncRoles.SyncDaemonsChanged changes = syncRoles.switchAndKeep(role);
            return "ok: IPVS sync role "
                    + role.word()
                    + (changes.none() ? " (no change in the kernel)" : "")
                    + "\n"
                    + StatusFormat.sync(syncRoles.status());
        } catch (SyncRoles.SyncException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    /** SIGUSR1: the status table into the log, one line each. */
    private void logStatus() {
        if (engine == null) {
            return;
        }
        // off the signal thread: the snapshot waits for the loop
        Thread t =
                new Thread(
                        () -> {
                            log(
                                    "Status of ldirector for {} (pid {}):",
                                    configFile,
                                    ProcessHandle.current().pid());
                            command("status").lines().forEach(l -> log("{}", l));
                        },
                        "ldirector-usr1");
        t.setDaemon(true);
        t.start();
    }

    /** A failed sd_notify is logged, never thrown into the engine. */
    private Consumer<String> notifyOrLog(SystemdNotifier systemd) {
        return message -> {
            try {
                systemd.send(message);
            } catch (NativeException e) {
                log("sd_notify failed: {}", e.getMessage());
            }
        };
    }

    public void requestStop() {
        stopped.countDown();
    }

    /**
     * SIGPWR: exit as on a stop (control socket, pid file and log closed) but leave the IPVS table
     * and the sync daemons exactly as they are, for a new daemon to adopt without touching a
     * connection: the packages' upgrade scriptlets use it before restarting the units.
     */
    public void requestExitKeepingTable() {
        keepTable = true;
        stopped.countDown();
    }

    /** The file's content changed and has held still ({@link ConfigFollower}). */
    private void configChanged(Engine engine, String now) {
        log("Configuration file '{}' has changed on disk", configFile);
        if (engine.config().global().autoreload()) {
            log(" - reread new configuration");
            reload(engine, "autoreload");
        } else {
            log(" - ignore new configuration");
            follower.seen(now);
        }
        engine.config()
                .global()
                .callback()
                .ifPresent(
                        cb -> {
                            if (Files.isExecutable(Path.of(cb))) {
                                // ldirectord: system("$CALLBACK $CONFIG"); the path is a positional
                                // parameter here
                                launch(ShellCommand.argv(cb, List.of(configFile.toString())));
                            }
                        });
    }

    /**
     * Re-reads the file; a broken file is logged with file:line and the running config stays in
     * force.
     */
    private void reload(Engine engine, String why) {
        EngineListener listener = running;
        listener.daemonState(DaemonState.RELOADING);
        boolean ok = false;
        try {
            if (Files.size(configFile) == 0) {
                // A file being written in place (`cat new > ldirectord.cf`, an editor that
                // truncates
                // first) is empty for a moment; applied, it would purge every virtual. An operator
                // who means "serve nothing" leaves a comment in the file.
                follower.seen();
                log("Error: {} is empty (keeping the running configuration)", configFile);
                listener.reloaded(false);
                listener.daemonState(DaemonState.RUNNING);
                return;
            }
            Config next = ConfigParser.parse(configFile);
            follower.seen();
            next.warnings().forEach(w -> log("Warning: {}", w));
            Optional<SyncConfig> syncBefore = engine.config().global().sync();
            engine.reload(next);
            syncRoles.reload(syncBefore, next.global().sync());
            // checktype=N counters of reals that are gone are dropped; the others keep their place
            checkers.connectCounter()
                    .retain(
                            next.virtuals().stream()
                                    .flatMap(v -> v.reals().stream().map(r -> ProbeTarget.of(v, r)))
                                    .toList());
            ok = true;
        } catch (ConfigException e) {
            for (Diagnostic d : e.shown()) {
                log("Error: {} (keeping the running configuration)", d);
            }
            if (e.notShown() > 0) {
                log(
                        "Error: {} more errors in {} not shown (keeping the running configuration)",
                        e.notShown(),
                        configFile);
            }
            follower.seen();
        } catch (IOException e) {
            log(
                    "Error: cannot read {}: {} (keeping the running configuration)",
                    configFile,
                    IoErrors.reason(e));
        } catch (RuntimeException e) {
            log(
                    "Error: reload ({}) failed: {} (keeping the running configuration)",
                    why,
                    e.toString());
        }
        listener.reloaded(ok);
        listener.daemonState(DaemonState.RUNNING);
    }

    /** Runs a command in the background and logs how it ended; never blocks the caller. */
    private void launch(List<String> argv) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                Process p =
                                        new ProcessBuilder(argv)
                                                .redirectErrorStream(true)
                                                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                                .start();
                                int status = p.waitFor();
                                if (status != 0) {
                                    log(
                                            "system({}) failed: exit status {}",
                                            ShellCommand.display(argv),
                                            status);
                                }
                            } catch (IOException e) {
                                log(
                                        "system({}) failed: {}",
                                        ShellCommand.display(argv),
                                        e.getMessage());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "ldirector-command");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Daemon threads named for thread dumps: nothing ldirector starts may keep the JVM from
     * exiting.
     */
    static ThreadFactory threads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
