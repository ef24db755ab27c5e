package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        List.of(args),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Files::isRegularFile,
                        Map.of("LDIRECTOR_RUNDIR", dir.toString(), "LDIRECTOR_IPVS", "memory"));
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void testModePrintsTheEffectiveConfigAndWarnings() throws Exception {
        Path cf =
                write(
                        "ok.cf",
                        "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq 2\n\tcheckinterval=4\n");
        Run r = run("-t", cf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("virtual=10.77.0.1:80\n"));
        assertTrue(r.out().contains("\treal=10.77.1.1:80 masq 2\t# line 2, checked on port 80\n"));
        assertTrue(r.out().contains("checkinterval=4\t# this virtual's own: ldirector honours it"));
        assertTrue(
                r.err()
                        .startsWith(
                                cf
                                        + ":3: warning: checkinterval of virtual 10.77.0.1:80 is"
                                        + " honoured"),
                r.err());
    }

    @Test
    void testModeListsEveryErrorAndFails() throws Exception {
        Path cf = write("bad.cf", "fork=maybe\nvirtual=10.77.0.1:80\n\treal=10.77.1.1:80 nat\n");
        Run r = run("--test", cf.toString());
        assertEquals(1, r.code());
        assertEquals(
                cf
                        + ":1: fork must be 'yes' or 'no', found 'maybe'\n"
                        + cf
                        + ":3: forwarding method of a real server must be gate, masq or ipip, found"
                        + " 'nat'\n"
                        + "ldirector: "
                        + cf
                        + ": 2 errors, configuration not usable\n",
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void testModePrintsTheFirstHundredErrorsThenACount() throws Exception {
        StringBuilder b = new StringBuilder("virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        for (int i = 0; i < 5000; i++) {
            b.append("bogus\n");
        }
        Path cf = write("many.cf", b.toString());
        Run r = run("-t", cf.toString());
        assertEquals(1, r.code());
        List<String> lines = r.err().lines().toList();
        assertEquals(102, lines.size(), r.err().substring(0, 300));
        assertTrue(lines.get(0).startsWith(cf + ":3: "), lines.get(0));
        assertEquals("ldirector: 4900 more errors not shown", lines.get(100));
        assertEquals(
                "ldirector: " + cf + ": 5000 errors, configuration not usable", lines.get(101));
    }

    @Test
    void testModePrintsUtf8TextAsUtf8AndPasswordsMasked() throws Exception {
        Path cf =
                write(
                        "u.cf",
                        "virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n\tservicename=café\n"
                                + "\tservice=ftp\n\tpasswd=\"HUNTER2\"\n");
        Run r = run("-t", cf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\tservicename=café\n"), r.out());
        assertTrue(r.out().contains("\tpasswd=\"********\"\n"), r.out());
        Path bad =
                write(
                        "p.cf",
                        "virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n\n\tpasswd=\"HUNTER2\"\n");
        Run rejected = run("-t", bad.toString());
        assertEquals(1, rejected.code());
        assertTrue(
                rejected.err().contains(bad + ":4: indented line 'passwd=********'"),
                rejected.err());
        assertTrue(!rejected.err().contains("HUNTER2"), rejected.err());
    }

    @Test
    void missingConfigIsReportedAsLdirectordDoes() {
        Run r = run(dir.resolve("none.cf").toString(), "start");
        assertEquals(1, r.code());
        assertEquals("Config file " + dir.resolve("none.cf") + " not found\n", r.err());
    }

    @Test
    void statusIsStoppedWithExit3() throws Exception {
        Path cf = write("s.cf", "this is not even valid\n");
        Run r = run(cf.toString(), "status");
        assertEquals(3, r.code());
        assertEquals("ldirector is stopped for " + cf + "\n", r.out());
    }

    @Test
    void verbsOnAStoppedDaemonAnswerAsLdirectordAndStartValidatesFirst() throws Exception {
        Path cf = write("v.cf", "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        Run r = run(cf.toString(), "reload");
        assertEquals(1, r.code());
        assertEquals("ldirector is stopped for " + cf + "\n", r.out());
        assertEquals(0, run(cf.toString(), "stop").code());
        assertEquals(0, run(cf.toString(), "try-restart").code());
        Path bad = write("b.cf", "quiescent=perhaps\n");
        Run start = run(bad.toString(), "start");
        assertEquals(1, start.code());
        assertTrue(start.err().contains("quiescent must be 'yes' or 'no'"));
        assertTrue(!Files.exists(dir.resolve("ldirector.b.cf.pid")));
    }

    @Test
    void aStalePidFileIsStatusOneAndStopClearsIt() throws Exception {
        Path cf = write("s.cf", "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        // no process has this pid (above the kernel's largest pid_max)
        Files.writeString(dir.resolve("ldirector.s.cf.pid"), "4194305\n");
        Run r = run(cf.toString(), "status");
        assertEquals(1, r.code());
        assertEquals(
                "ldirector stale pid file "
                        + dir.resolve("ldirector.s.cf.pid")
                        + " for "
                        + cf
                        + "\n"
                        + "ldirector is stopped for "
                        + cf
                        + "\n",
                r.out());
        assertEquals(0, run(cf.toString(), "stop").code());
        assertEquals(3, run(cf.toString(), "status").code());
    }

    @Test
    void jsonGoesWithStatusOnly() {
        Run r = run("x.cf", "stop", "--json");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("ldirector: --json goes with status only"), r.err());
    }

    @Test
    void usageVersionAndHelp() {
        Run bad = run("frobnicate");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("ldirector: unknown command 'frobnicate'"));
        assertTrue(bad.err().contains("Usage: ldirector"));
        Run help = run("-h");
        assertEquals(0, help.code());
        assertTrue(
                help.out()
                        .startsWith(
                                "Usage: ldirector [-d|--debug] [--foreground] [--] [configfile]"
                                        + " start|"),
                help.out());
        Run v = run("-v");
        assertEquals(0, v.code());
        assertEquals("ldirector dev\n", v.out(), "no manifest when run from target/classes");
    }

    /** Issue 24: a directory, a FIFO, /dev/zero and a symlink loop all said "not found". */
    @Test
    void aConfigThatIsNoReadableFileSaysWhatItIs() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d.cf"));
        assertEquals(
                "Config file " + d + ": Is a directory (EISDIR)\n", run("-t", d.toString()).err());
        Path fifo = dir.resolve("fifo.cf");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Run f = run(fifo.toString(), "start");
        assertEquals(1, f.code());
        assertEquals("Config file " + fifo + ": not a regular file but a FIFO\n", f.err());
        assertEquals(
                "Config file /dev/zero: not a regular file but a character device\n",
                run("-t", "/dev/zero").err());
        Path a = dir.resolve("a.cf");
        Files.createSymbolicLink(a, dir.resolve("b.cf"));
        Files.createSymbolicLink(dir.resolve("b.cf"), a);
        assertEquals(
                "Config file " + a + ": Too many levels of symbolic links (ELOOP)\n",
                run("-t", a.toString()).err());
        assertEquals(
                "Config file " + dir.resolve("none.cf") + " not found\n",
                run("-t", dir.resolve("none.cf").toString()).err());
    }

    /**
     * Issue 24: an unreadable config said "cannot read F: F". Root reads anything, so this runs
     * unprivileged only.
     */
    @Test
    void anUnreadableConfigSaysPermissionDenied() throws Exception {
        Assumptions.assumeTrue(RunFiles.currentUid() != 0, "root reads a mode 000 file");
        Path cf = write("secret.cf", "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        Files.setPosixFilePermissions(cf, PosixFilePermissions.fromString("---------"));
        assertEquals(
                "ldirector: cannot read " + cf + ": Permission denied (EACCES)\n",
                run("-t", cf.toString()).err());
    }

    /** Issue 24: an unwritable run dir said only "cannot start the daemon: /proc/nope". */
    @Test
    void anUnusableRunDirSaysWhyAndStartsNothing() throws Exception {
        Path cf = write("v.cf", "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        List.of(cf.toString(), "start"),
                        new PrintStream(new ByteArrayOutputStream(), true),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Files::isRegularFile,
                        Map.of("LDIRECTOR_RUNDIR", "/proc/nope", "LDIRECTOR_IPVS", "memory"));
        assertEquals(1, code);
        assertEquals(
                "ldirector: cannot start the daemon: cannot create the run dir /proc/nope: No such"
                        + " file or directory (ENOENT)\n",
                err.toString(StandardCharsets.UTF_8));
    }

    /** Issue 25: a run dir others can write is refused before a verb trusts a pid found there. */
    @Test
    void aVerbRefusesAnUnsafeRunDir() throws Exception {
        Path cf = write("v.cf", "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq\n");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("ldirector.v.cf.pid"), "1\n");
        Run r = run(cf.toString(), "stop");
        assertEquals(1, r.code());
        assertTrue(
                r.err()
                        .startsWith(
                                "ldirector: unsafe run dir "
                                        + dir
                                        + " is writable by its group (mode 0777)"),
                r.err());
        assertEquals(4, run(cf.toString(), "status").code(), "LSB: status unknown");
        assertEquals(
                "1\n", Files.readString(dir.resolve("ldirector.v.cf.pid")), "nothing was touched");
    }

    /** Issue 25: the daemon runs in /, so -t says which paths would not mean what they seem. */
    @Test
    void testModeWarnsAboutRelativePaths() throws Exception {
        Path cf =
                write(
                        "rel.cf",
                        "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tchecktype=external\n"
                                + "\tcheckcommand=\"scripts/check.sh\"\n"
                                + "virtual=10.77.0.2:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tchecktype=external\n"
                                + "\tcheckcommand=\"true\"\n");
        Run r = run("-t", cf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains(
                                cf
                                        + ":1: warning: checkcommand \"scripts/check.sh\" is a"
                                        + " relative path: the daemon runs in / and reads it as"
                                        + " /scripts/check.sh (in the foreground, relative to the"
                                        + " working directory); write it absolute\n"),
                r.err());
        assertTrue(
                !r.err().contains("\"true\""),
                "a bare command name is looked up in PATH: " + r.err());
    }
}
