package org.ldirector.check.negotiate;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs setup commands for real servers, failing loudly with their output. */
final class Commands {
    private Commands() {}

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The command run as {@code user} (via runuser) when the tests run as root, else as is. */
    static List<String> as(String user, String... command) {
        List<String> c = new ArrayList<>();
        if (root()) {
            c.addAll(List.of("runuser", "-u", user, "--"));
        }
        c.addAll(List.of(command));
        return c;
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
