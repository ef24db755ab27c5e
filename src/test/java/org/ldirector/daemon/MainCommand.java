package org.ldirector.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line that runs ldirector's Main in a child JVM on this test run's class path. */
final class MainCommand {
    private MainCommand() {}

    /** {@code java ... Main CONFIG ARGS...}: the config, then the verb and its options. */
    static List<String> of(Path config, String... args) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-Xmx128m",
                                "-XX:+UseSerialGC",
                                "-cp",
                                System.getProperty("java.class.path"),
                                Main.class.getName(),
                                config.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
