package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.check.CheckContext;
import org.ldirector.check.kinds.Kinds;
import org.ldirector.config.ConfigParser;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.testing.Await;

/**
 * The daemon's own duties, against the in-memory table: autoreload, a broken file, callback, clean
 * stop.
 */
class DaemonTest {
    @TempDir Path dir;

    private final InMemoryIpvsTable table = new InMemoryIpvsTable();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    /**
     * The log so far: a copy taken under the list's lock, as the daemon's threads append while a
     * test reads.
     */
    private List<String> lines() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    private static void await(String what, Await.Condition condition) throws Exception {
        Await.until(what, Duration.ofSeconds(30), Duration.ofMillis(20), condition);
    }

    private String save() {
        try {
            return table.saveText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** Replaces the file the way editors do: write aside, rename over. */
    private void replace(Path cf, String text) throws Exception {
        Path tmp = Files.writeString(dir.resolve("new.cf"), text);
        Files.move(tmp, cf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void autoreloadAppliesAnEditKeepsRunningOnABrokenFileRunsTheCallbackAndStopsCleanly()
            throws Exception {
        Path out = dir.resolve("callback.out");
        Path cb =
                Files.writeString(
                        dir.resolve("callback.sh"), "#!/bin/sh\necho \"$@\" >> " + out + "\n");
        Files.setPosixFilePermissions(cb, PosixFilePermissions.fromString("rwxr-xr-x"));
        String text =
                """
                autoreload=yes
                callback="%s"
                virtual=10.77.0.100:80
                \treal=10.77.1.11:80 masq 1
                \tchecktype=on
                """
                        .formatted(cb);
        Path cf = Files.writeString(dir.resolve("ldirectord.cf"), text);
        AtomicInteger exit = new AtomicInteger(-1);
        Daemon daemon = new Daemon(cf, log::add, false);
        try (CheckContext ctx = CheckContext.create()) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    exit.set(
                                            daemon.run(
                                                    ConfigParser.parse(cf),
                                                    table,
                                                    Kinds.checkers(ctx)));
                                } catch (Exception e) {
                                    log.add("run failed: " + e);
                                }
                            });
            t.start();
            await("the real in the table", () -> save().contains("-r 10.77.1.11:80 -m -w 1"));

            replace(cf, text.replace("masq 1", "masq 4"));
            await("the edited weight", () -> save().contains("-r 10.77.1.11:80 -m -w 4"));
            await("the callback", () -> Files.exists(out));
            assertEquals(cf + "\n", Files.readString(out));
            assertTrue(
                    log.contains("Configuration file '" + cf + "' has changed on disk"),
                    log.toString());
            assertTrue(log.contains(" - reread new configuration"), log.toString());

            replace(cf, text.replace("real=10.77.1.11:80 masq 1", "real=10.77.1.11:80 bridge 1"));
            await(
                    "the broken file reported",
                    () ->
                            lines().stream()
                                    .anyMatch(
                                            l -> l.contains("keeping the running configuration")));
            assertTrue(
                    lines().stream()
                            .anyMatch(
                                    l -> l.startsWith("Error: ") && l.contains("ldirectord.cf:4:")),
                    log.toString());
            assertTrue(
                    save().contains("-r 10.77.1.11:80 -m -w 4"),
                    "the running config stays in force");
            // as ldirectord, the callback runs on every change of the file, a broken one too;
            // waiting for it
            // also keeps its shell from writing into the temp dir while JUnit deletes it
            await(
                    "the callback for the broken file",
                    () -> read(out).equals(cf + "\n" + cf + "\n"));

            // Written in place, as `cat new > ldirectord.cf` does: empty first, for longer than the
            // settle time on a loaded machine. Applying the empty file would purge every virtual.
            Files.writeString(cf, "");
            await(
                    "the empty file reported",
                    () ->
                            lines().stream()
                                    .anyMatch(
                                            l ->
                                                    l.contains(
                                                            cf
                                                                    + " is empty (keeping the"
                                                                    + " running configuration)")));
            assertTrue(
                    save().contains("-r 10.77.1.11:80 -m -w 4"),
                    "the running config stays in force");
            Files.writeString(cf, text.replace("masq 1", "masq 6"));
            await("the whole file applied", () -> save().contains("-r 10.77.1.11:80 -m -w 6"));

            daemon.requestStop();
            t.join(30_000);
            assertEquals(0, exit.get());
            assertEquals("", save(), "cleanstop=yes removes the owned virtual");
            assertTrue(
                    log.contains("Purged virtual server (stop): 10.77.0.100:80"), log.toString());
        }
    }

    @Test
    void exitKeepingTheTableLeavesEveryEntryAndAStopAfterItDoesNotPurge() throws Exception {
        Path cf =
                Files.writeString(
                        dir.resolve("ldirectord.cf"),
                        """
                        cleanstop=yes
                        virtual=10.77.0.100:80
                        \treal=10.77.1.11:80 masq 3
                        \tchecktype=on
                        """);
        AtomicInteger exit = new AtomicInteger(-1);
        Daemon daemon = new Daemon(cf, log::add, false);
        try (CheckContext ctx = CheckContext.create()) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    exit.set(
                                            daemon.run(
                                                    ConfigParser.parse(cf),
                                                    table,
                                                    Kinds.checkers(ctx)));
                                } catch (Exception e) {
                                    log.add("run failed: " + e);
                                }
                            });
            t.start();
            await("the real in the table", () -> save().contains("-r 10.77.1.11:80 -m -w 3"));
            String before = save();
            daemon.requestExitKeepingTable();
            daemon.requestStop(); // systemctl restart's TERM after the scriptlet's PWR
            t.join(30_000);
            assertEquals(0, exit.get());
            assertEquals(before, save(), "the table is left exactly as it was");
            assertTrue(
                    log.contains(
                            "Stopping ldirector, leaving the IPVS table and the sync daemons as"
                                    + " they are (SIGPWR)"),
                    log.toString());
            assertTrue(log.stream().noneMatch(l -> l.contains("Purged")), log.toString());
        }
    }

    @Test
    void theReloadCommandOfTheControlSocketRereadsTheFileAsSighupDoes() throws Exception {
        String text =
                """
                autoreload=no
                virtual=10.77.0.100:80
                \treal=10.77.1.11:80 masq 1
                \tchecktype=on
                """;
        Path cf = Files.writeString(dir.resolve("ldirectord.cf"), text);
        AtomicInteger exit = new AtomicInteger(-1);
        Daemon daemon = new Daemon(cf, log::add, false);
        try (CheckContext ctx = CheckContext.create()) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    exit.set(
                                            daemon.run(
                                                    ConfigParser.parse(cf),
                                                    table,
                                                    Kinds.checkers(ctx)));
                                } catch (Exception e) {
                                    log.add("run failed: " + e);
                                }
                            });
            t.start();
            await("the real in the table", () -> save().contains("-r 10.77.1.11:80 -m -w 1"));
            replace(cf, text.replace("masq 1", "masq 3"));
            await(
                    "the change seen and ignored (autoreload=no)",
                    () -> lines().contains(" - ignore new configuration"));
            assertTrue(save().contains("-r 10.77.1.11:80 -m -w 1"), save());
            assertTrue(daemon.command("reload").startsWith("ok: reloading " + cf), "heard at once");
            await("the file re-read", () -> save().contains("-r 10.77.1.11:80 -m -w 3"));
            daemon.requestStop();
            t.join(30_000);
            assertEquals(0, exit.get());
        }
    }
}
