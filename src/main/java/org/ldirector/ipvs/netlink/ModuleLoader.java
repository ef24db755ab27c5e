package org.ldirector.ipvs.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Loads a kernel module, as ipvsadm does with {@code modprobe ip_vs} when the family is missing.
 */
@FunctionalInterface
public interface ModuleLoader {
    /**
     * Returns null on success, else what went wrong in words ("exit 1: FATAL: Module ip_vs not
     * found...").
     */
    String load(String module);

    /** Runs {@code modprobe <module>} from PATH, waiting up to {@code timeout}. */
    static ModuleLoader modprobe(Duration timeout) {
        return module -> {
            try {
                Process p =
                        new ProcessBuilder("modprobe", module).redirectErrorStream(true).start();
                p.getOutputStream().close();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return "timed out after " + timeout.toSeconds() + " s";
                }
                String output =
                        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                                .strip();
                if (p.exitValue() == 0) {
                    return null;
                }
                return "exit " + p.exitValue() + (output.isEmpty() ? "" : ": " + output);
            } catch (IOException e) {
                return e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        };
    }
}
