package org.ldirector.director;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.ldirector.config.VirtualConfig;
import org.ldirector.net.VirtualId;

/**
 * ldirectord's {@code fallbackcommand}: run {@code COMMAND start|stop VIP:PORT PROTOCOL} when a
 * virtual loses its last real (start) or gets one back (stop), never twice in a row for the same
 * state of the same virtual. The state is kept per {@link VirtualId}: tcp and udp on one VIP:port
 * (DNS) are two virtuals; one entry shared by both would have their verdicts overwrite each other
 * and run the command on every pass. As in ldirectord the first verdict after start runs whichever
 * it is, so the command's world is put in line with the table even after a crash.
 *
 * <p>The command line goes through {@code /bin/sh -c}, as ldirectord's {@code system()} does, so
 * operators' existing commands with arguments and redirections keep working; the three arguments
 * are the shell's positional parameters ({@link ShellCommand}), never parsed by it. Running it is
 * left to the injected launcher so the director thread never waits for a script.
 */
public final class FallbackCommand {
    private final Consumer<List<String>> launcher;
    private final Map<VirtualId, Boolean> lastStarted = new HashMap<>();

    public FallbackCommand(Consumer<List<String>> launcher) {
        this.launcher = launcher;
    }

    /**
     * Tells it whether the virtual has a real up now; runs the command if that changed.
     *
     * @return the argv launched, if any
     */
    public synchronized Optional<List<String>> update(VirtualConfig v, boolean anyRealUp) {
        boolean start = !anyRealUp;
        Boolean before = lastStarted.put(v.id(), start);
        if (before != null && before == start) {
            return Optional.empty();
        }
        if (v.fallbackCommand().isEmpty()) {
            return Optional.empty();
        }
        List<String> argv =
                ShellCommand.argv(
                        v.fallbackCommand().get(),
                        List.of(start ? "start" : "stop", address(v), v.protocol().keyword()));
        launcher.accept(argv);
        return Optional.of(argv);
    }

    /** Forgets virtuals that are gone after a reload. */
    public synchronized void retain(Set<VirtualId> virtualIds) {
        lastStarted.keySet().retainAll(virtualIds);
    }

    /**
     * ldirectord passes {@code server:port}; a firewall-mark virtual has no server there, so it
     * passes {@code :0}. Kept as is: operators' scripts parse this. IPv6 is written as ldirectord's
     * getnameinfo writes it ("[2001:db8::1]:80"), not in Java's uncompressed form.
     */
    static String address(VirtualConfig v) {
        return v.isFwmark() ? ":0" : v.id().vip();
    }
}
