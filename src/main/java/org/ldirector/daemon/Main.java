package org.ldirector.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import org.ldirector.alert.EmailAlerts;
import org.ldirector.check.CheckContext;
import org.ldirector.check.Checkers;
import org.ldirector.check.ProbeLoop;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigException;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.ConfigPrinter;
import org.ldirector.config.Diagnostic;
import org.ldirector.engine.EngineListener;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.netlink.NetlinkIpvsTable;
import org.ldirector.metrics.Metrics;
import org.ldirector.metrics.MetricsEndpoint;
import org.ldirector.sys.NativeException;
import org.ldirector.sys.Processes;
import sun.misc.Signal;

/** Entry point: parses the command line and dispatches. */
public final class Main {
    /** LSB: status of a stopped service. */
    static final int EXIT_STOPPED = 3;

    static final int EXIT_USAGE = 2;

    /** LSB: status unknown (the run dir cannot be trusted, so neither can its pid file). */
    static final int EXIT_STATUS_UNKNOWN = 4;

    private Main() {}

    public static void main(String[] args) {
        System.exit(
                run(List.of(args), System.out, System.err, Files::isRegularFile, System.getenv()));
    }

    static int run(List<String> args, PrintStream out, PrintStream err, Predicate<Path> isFile) {
        return run(args, out, err, isFile, System.getenv());
    }

    static int run(
            List<String> args,
            PrintStream out,
            PrintStream err,
            Predicate<Path> isFile,
            Map<String, String> env) {
        if (!args.isEmpty() && CommandLine.TOOLS.contains(args.get(0))) {
            return Tools.run(args, out, err); // no ldirectord.cf, no daemon
        }
        CommandLine cl;
        try {
            cl = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            err.println("ldirector: " + e.getMessage());
            err.print(CommandLine.USAGE);
            return EXIT_USAGE;
        }
        if (cl.help()) {
            out.print(CommandLine.USAGE);
            return 0;
        }
        if (cl.version()) {
            out.println("ldirector " + version());
            return 0;
        }
        Path file = cl.resolveConfig(isFile);
        Optional<String> unusable = configProblem(file);
        if (unusable.isPresent()) {
            err.println(unusable.get());
            return 1;
        }
        RunFiles files = RunFiles.of(file, env);
        if (!cl.test()) {
            try {
                // a verb trusts the pid in there and writes there: an unsafe dir is refused before
                // anything
                files.checkDir(
                        cl.verb().orElseThrow().equals("sync")
                                && !cl.syncRole().orElseThrow().equals("status"));
            } catch (IOException e) {
                err.println("ldirector: " + e.getMessage());
                return cl.verb().orElseThrow().equals("status") ? EXIT_STATUS_UNKNOWN : 1;
            }
            // Unlike ldirectord, these verbs do not need a valid config: a broken file must never
            // lock the operator out of stopping or inspecting the running daemon.
            switch (cl.verb().orElseThrow()) {
                case "status" -> {
                    return Verbs.status(files, file, cl.json(), out);
                }
                case "stop" -> {
                    return Verbs.stop(files, file, out, err);
                }
                case "sync" -> {
                    return Verbs.sync(files, file, cl.syncRole().orElseThrow(), out, err);
                }
                case "reload", "force-reload" -> {
                    return Verbs.reload(files, file, out, err);
                }
                case "try-restart" -> {
                    if (!(files.state() instanceof RunFiles.Running)) {
                        out.println("ldirector is stopped for " + file);
                        return 0;
                    }
                }
                default -> {}
            }
        }
        Config config;
        try {
            config = ConfigParser.parse(file);
        } catch (ConfigException e) {
            for (Diagnostic d : e.shown()) {
                err.println(d);
            }
            if (e.notShown() > 0) {
                err.println("ldirector: " + e.notShown() + " more errors not shown");
            }
            err.println(
                    "ldirector: "
                            + file
                            + ": "
                            + e.errors().size()
                            + (e.errors().size() == 1 ? " error" : " errors")
                            + ", configuration not usable");
            return 1;
        } catch (IOException e) {
            err.println("ldirector: cannot read " + file + ": " + IoErrors.reason(e));
            return 1;
        }
        if (!cl.daemonChild()) { // the starting parent has shown them already
            for (String w : ConfigPrinter.warnings(config)) {
                err.println(w);
            }
            for (String w : RelativePaths.warnings(config)) {
                err.println(w);
            }
        }
        if (cl.test()) {
            out.print(ConfigPrinter.print(config));
            err.println("ldirector: configuration file " + file + " test is successful");
            return 0;
        }
        String verb = cl.verb().orElseThrow();
        if (verb.equals("restart") || verb.equals("try-restart")) {
            int stopped = Verbs.stop(files, file, out, err);
            if (stopped != 0) {
                return stopped;
            }
        }
        if (files.state() instanceof RunFiles.Running r) {
            // as ldirectord: starting what runs succeeds and leaves it alone
            err.println("ldirector for " + file + " is already running with pid: " + r.pid());
            return 0;
        }
        boolean foreground = cl.debug() || cl.foreground() || config.global().supervised();
        if (!foreground) {
            return Verbs.daemonize(files, file, err);
        }
        return start(file, config, cl, files, env, err);
    }

    /**
     * Runs the director in this process until TERM/INT: the foreground start and the daemon child.
     */
    static int start(
            Path file,
            Config config,
            CommandLine cl,
            RunFiles files,
            Map<String, String> env,
            PrintStream err) {
        long pid = ProcessHandle.current().pid();
        if (cl.daemonChild()) {
            try {
                Processes.setsid();
            } catch (NativeException e) {
                err.println("ldirector: setsid: " + e.getMessage());
            }
        }
        // stdout is the journal under systemd (--foreground) and the console with -d; a daemon has
        // neither
        boolean console =
                !cl.daemonChild()
                        && (cl.debug() || cl.foreground() || config.global().supervised());
        Logging.configure(
                        file.getFileName().toString(),
                        config.global().logTarget(),
                        console,
                        cl.debug())
                .ifPresent(
                        problem -> {
                            err.println("ldirector: " + problem);
                            Logging.events().info(problem);
                        });
        RunFiles.Claim claim;
        try {
            claim = files.claim(pid);
        } catch (IOException e) {
            err.println("ldirector: " + e.getMessage());
            return 1;
        }
        if (claim instanceof RunFiles.Taken other) {
            err.println(
                    "ldirector for "
                            + file
                            + " is already running"
                            + (other.pid() > 0
                                    ? " with pid: " + other.pid()
                                    : " (" + files.pidFile() + " is locked)"));
            return 0;
        }
        RunFiles.PidFile pidFile = ((RunFiles.Held) claim).pidFile();
        // From the lock on, `status` says running: a TERM or INT must be a clean stop from here,
        // not
        // the JVM's default exit, though the daemon's own handlers come only once its engine
        // exists.
        CountDownLatch earlyStop = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> earlyStop.countDown());
        }
        Metrics metrics = new Metrics(version());
        // mail goes out on a thread of its own: a slow relay never holds the loop
        ScheduledExecutorService alertExecutor =
                Executors.newSingleThreadScheduledExecutor(Daemon.threads("ldirector-emailalert"));
        try (IpvsTable table = openTable(env);
                CheckContext ctx = CheckContext.create();
                MetricsEndpoint endpoint = new MetricsEndpoint(metrics, Logging.events()::info);
                MonitorFiles monitorFiles =
                        new MonitorFiles(
                                ProbeLoop.turnClock(Clock.systemDefaultZone()),
                                pid,
                                Logging.events()::info);
                EmailAlerts alerts =
                        new EmailAlerts(
                                alertExecutor,
                                Clock.systemUTC(),
                                Logging.events()::info,
                                hostname(),
                                System.getProperty("user.name", "root"))) {
            Checkers checkers = Kinds.checkers(ctx);
            metrics.probesWaiting(ctx::probesWaiting);
            EngineListener listeners =
                    EngineListener.all(
                            List.of(
                                    new LogReopener(
                                            file.getFileName().toString(), console, cl.debug()),
                                    metrics,
                                    endpoint,
                                    monitorFiles,
                                    alerts));
            return new Daemon(file, listeners)
                    .withControlSocket(files.socket())
                    .withSyncRoleFile(files.syncRole())
                    .withEarlyStop(earlyStop)
                    .run(config, table, checkers);
        } catch (IpvsException e) {
            err.println("ldirector: " + e.getMessage());
            Logging.events().info("Error: {}", e.getMessage());
            return 1;
        } catch (Exception e) {
            String why = e instanceof IOException io ? IoErrors.describe(io) : e.toString();
            err.println("ldirector: " + why);
            Logging.events().info("Error: {}", why);
            return 1;
        } finally {
            alertExecutor.shutdownNow();
            pidFile.release();
        }
    }

    /**
     * Why the config file cannot be read, in the system's words; empty when it can. A missing file
     * keeps ldirectord's message; anything else that is not a readable regular file (a directory, a
     * FIFO, a device, a symlink loop, no permission) says what it is instead.
     */
    static Optional<String> configProblem(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.of("Config file " + file + " not found");
        } catch (IOException e) {
            return Optional.of("Config file " + file + ": " + IoErrors.reason(e));
        }
        if (a.isDirectory()) {
            return Optional.of("Config file " + file + ": Is a directory (EISDIR)");
        }
        if (!a.isRegularFile()) {
            return Optional.of("Config file " + file + ": not a regular file but " + kind(file));
        }
        try {
            Files.newByteChannel(file).close();
        } catch (IOException e) {
            return Optional.of("ldirector: cannot read " + file + ": " + IoErrors.reason(e));
        }
        return Optional.empty();
    }

    private static String kind(Path file) {
        try {
            int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException e) {
            return "a special file";
        }
    }

    /** The kernel's host name (no DNS lookup), for alert mails as ldirectord's Sys::Hostname. */
    static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * The kernel's table, or with {@code LDIRECTOR_IPVS=memory} an in-memory one: a test seam, and
     * a dry run for an operator who wants to see what ldirector would do without touching IPVS.
     */
    static IpvsTable openTable(Map<String, String> env) throws IpvsException {
        String ipvs = env.getOrDefault("LDIRECTOR_IPVS", "");
        if (!ipvs.isEmpty() && !ipvs.equals("memory")) {
            throw new IllegalArgumentException(
                    "LDIRECTOR_IPVS=" + ipvs + ": expected 'memory' or nothing");
        }
        if (ipvs.equals("memory")) {
            Logging.events()
                    .info(
                            "Using an in-memory IPVS table (LDIRECTOR_IPVS=memory): the kernel is"
                                    + " not touched");
            return InMemoryIpvsTable.withHostInterfaces();
        }
        return NetlinkIpvsTable.open();
    }

    /** Implementation-Version from the jar manifest; "dev" when run from classes. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
