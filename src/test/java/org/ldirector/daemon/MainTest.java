package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Files::isRegularFile,
                java.util.Map.of("LDIRECTOR_RUNDIR", dir.toString(), "LDIRECTOR_IPVS", "memory"));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void testModePrintsTheEffectiveConfigAndWarnings() throws Exception {
        Path cf = write("ok.cf", "virtual=10.77.0.1:80\n\treal=10.77.1.1:80 masq 2\n\tcheckinterval=4\n");
        Run r = run("-t", cf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("virtual=10.77.0.1:80\n"));
        assertTrue(r.out().contains("\treal=10.77.1.1:80 masq 2\t# line 2, checked on port 80\n"));
        assertTrue(r.out().contains("checkinterval=4\t# this virtual's own: ldirector honours it"));
        assertTrue(r.err().startsWith(cf + ":3: warning: checkinterval of virtual 10.77.0.1:80 is honoured"), r.err());
    }

    @Test
    void testModeListsEveryErrorAndFails() throws Exception {
        Path cf = write("bad.cf", "fork=maybe\nvirtual=10.77.0.1:80\n\treal=10.77.1.1:80 nat\n");
        Run r = run("--test", cf.toString());
        assertEquals(1, r.code());
        assertEquals(cf + ":1: fork must be 'yes' or 'no', found 'maybe'\n"
                + cf + ":3: forwarding method of a real server must be gate, masq or ipip, found 'nat'\n"
                + "ldirector: " + cf + ": 2 errors, configuration not usable\n", r.err());
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
        assertEquals("ldirector: " + cf + ": 5000 errors, configuration not usable", lines.get(101));
    }

    @Test
    void testModePrintsUtf8TextAsUtf8AndPasswordsMasked() throws Exception {
        Path cf = write("u.cf", "virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n\tservicename=café\n"
                + "\tservice=ftp\n\tpasswd=\"HUNTER2\"\n");
        Run r = run("-t", cf.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\tservicename=café\n"), r.out());
        assertTrue(r.out().contains("\tpasswd=\"********\"\n"), r.out());
        Path bad = write("p.cf", "virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n\n\tpasswd=\"HUNTER2\"\n");
        Run rejected = run("-t", bad.toString());
        assertEquals(1, rejected.code());
        assertTrue(rejected.err().contains(bad + ":4: indented line 'passwd=********'"), rejected.err());
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
        assertEquals("ldirector stale pid file " + dir.resolve("ldirector.s.cf.pid") + " for " + cf + "\n"
                + "ldirector is stopped for " + cf + "\n", r.out());
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
        assertTrue(help.out().startsWith("Usage: ldirector [-d|--debug] [--foreground] [-t|--test] [--] [configfile]"), help.out());
        Run v = run("-v");
        assertEquals(0, v.code());
        assertEquals("ldirector dev\n", v.out(), "no manifest when run from target/classes");
    }
}
