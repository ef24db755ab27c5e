package org.ldirector.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigException;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.ConfigPrinter;
import org.ldirector.config.Diagnostic;
import org.ldirector.check.CheckContext;
import org.ldirector.check.Checkers;
import org.ldirector.ipvs.IpvsException;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.netlink.NetlinkIpvsTable;
import org.ldirector.engine.EngineListener;
import org.ldirector.metrics.Metrics;
import org.ldirector.metrics.MetricsEndpoint;

/** Entry point: parses the command line and dispatches. */
public final class Main {
    /** LSB: status of a stopped service. */
    static final int EXIT_STOPPED = 3;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err, Files::isRegularFile));
    }

    static int run(List<String> args, PrintStream out, PrintStream err, Predicate<Path> isFile) {
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
        Optional<Path> file = cl.resolveConfig(isFile);
        if (file.isEmpty()) {
            err.println("Config file " + cl.config() + " not found");
            return 1;
        }
        if (!cl.test() && cl.verb().orElseThrow().equals("status")) {
            // Unlike ldirectord, status does not need a valid config: a broken file must not hide the state.
            out.println("ldirector is stopped for " + file.get());
            return EXIT_STOPPED;
        }
        Config config;
        try {
            config = ConfigParser.parse(file.get());
        } catch (ConfigException e) {
            for (Diagnostic d : e.errors()) {
                err.println(d);
            }
            err.println("ldirector: " + file.get() + ": " + e.errors().size()
                    + (e.errors().size() == 1 ? " error" : " errors") + ", configuration not usable");
            return 1;
        } catch (IOException e) {
            err.println("ldirector: cannot read " + file.get() + ": " + e.getMessage());
            return 1;
        }
        for (String w : ConfigPrinter.warnings(config)) {
            err.println(w);
        }
        if (cl.test()) {
            out.print(ConfigPrinter.print(config));
            err.println("ldirector: configuration file " + file.get() + " test is successful");
            return 0;
        }
        String verb = cl.verb().orElseThrow();
        if (verb.equals("start")) {
            return start(file.get(), config, cl.debug(), err);
        }
        err.println("ldirector: '" + verb + "' is not implemented yet; stop the daemon with SIGTERM, reload it with SIGHUP");
        return 1;
    }

    /**
     * Runs the director in the foreground until TERM/INT. Daemonizing (start without -d or
     * supervised) and the pid file are not built yet: the daemon stays in the foreground, which is
     * what systemd and Pacemaker want anyway.
     */
    static int start(Path file, Config config, boolean debug, PrintStream err) {
        Logging.configure(file.getFileName().toString(), config.global().logTarget(),
                debug || config.global().supervised(), debug);
        Metrics metrics = new Metrics(version());
        try (IpvsTable table = NetlinkIpvsTable.open(); CheckContext ctx = CheckContext.create();
                MetricsEndpoint endpoint = new MetricsEndpoint(metrics, Logging.events()::info)) {
            Checkers checkers = new Checkers(ctx);
            EngineListener listeners = EngineListener.all(List.of(metrics, endpoint));
            return new Daemon(file, listeners).run(config, table, checkers);
        } catch (IpvsException e) {
            err.println("ldirector: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("ldirector: " + e);
            return 1;
        }
    }

    /** Implementation-Version from the jar manifest; "dev" when run from classes. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
