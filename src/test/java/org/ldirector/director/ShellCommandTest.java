package org.ldirector.director;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellCommandTest {
    @TempDir Path dir;

    private String run(List<String> argv) throws Exception {
        Process p =
                new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** A config path is chosen by whoever names the file: the shell must never read it as code. */
    @Test
    void argumentsReachTheCommandAsWordsAndAreNeverRun() throws Exception {
        List<String> hostile =
                List.of(
                        "/etc/ha.d/a b.cf",
                        "x;touch pwned",
                        "$(touch pwned2)",
                        "`touch pwned3`",
                        "*",
                        "'quoted\"",
                        "");
        String out = run(ShellCommand.argv("printf '<%s>\\n'", hostile));
        assertEquals(
                "</etc/ha.d/a b.cf>\n"
                        + "<x;touch pwned>\n"
                        + "<$(touch pwned2)>\n"
                        + "<`touch pwned3`>\n"
                        + "<*>\n"
                        + "<'quoted\">\n"
                        + "<>\n",
                out);
        assertFalse(Files.exists(dir.resolve("pwned")));
        assertFalse(Files.exists(dir.resolve("pwned2")));
        assertFalse(Files.exists(dir.resolve("pwned3")));
    }

    /**
     * The operator's own command line keeps its words, quoting and redirections, as with system().
     */
    @Test
    void theOperatorsCommandIsStillAShellCommandLine() throws Exception {
        Path log = dir.resolve("fallback.log");
        run(
                ShellCommand.argv(
                        "echo -n called: >" + log + "; echo",
                        List.of("start", "10.0.0.1:80", "tcp")));
        assertEquals("called:", Files.readString(log));
        assertEquals(
                "start 10.0.0.1:80 tcp\n",
                run(ShellCommand.argv("echo", List.of("start", "10.0.0.1:80", "tcp"))));
    }

    @Test
    void displayIsTheCommandLineLdirectordWouldHaveRun() {
        assertEquals(
                "/usr/local/bin/cb /etc/ha.d/ldirectord.cf",
                ShellCommand.display(
                        ShellCommand.argv(
                                "/usr/local/bin/cb", List.of("/etc/ha.d/ldirectord.cf"))));
    }
}
