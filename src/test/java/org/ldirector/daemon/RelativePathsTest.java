package org.ldirector.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.NameResolver;

/** Issue 25: the daemon runs in /, so a relative path in the config means a file under /. */
class RelativePathsTest {
    private static List<String> warnings(String text) throws Exception {
        return RelativePaths.warnings(
                ConfigParser.parse(text, Path.of("/etc/ha.d/web.cf"), NameResolver.system()));
    }

    private static String warning(int line, String directive, String value, String underRoot) {
        return "/etc/ha.d/web.cf"
                + (line > 0 ? ":" + line : "")
                + ": warning: "
                + directive
                + " \""
                + value
                + "\" is a relative path: the daemon runs in / and reads it as "
                + underRoot
                + " (in the foreground, relative to the working directory); write it absolute";
    }

    @Test
    void everyRelativePathIsNamedWithWhereTheDaemonLooks() throws Exception {
        // target/ exists in the build's working directory, where the parser checks monitorfile as
        // ldirectord
        assertEquals(
                List.of(
                        warning(0, "maintenancedir", "maint", "/maint"),
                        warning(2, "monitorfile", "target/monitor.log", "/target/monitor.log"),
                        warning(6, "checkcommand", "check.pl", "/check.pl")),
                warnings(
                        "maintenancedir=maint\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tmonitorfile=\"target/monitor.log\"\n"
                                + "\tchecktype=connect\n"
                                + "virtual=10.77.0.2:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tchecktype=external-perl\n"
                                + "\tcheckcommand=\"check.pl\"\n"));
    }

    @Test
    void absolutePathsAndCommandsFoundInPathAreFine() throws Exception {
        assertEquals(
                List.of(),
                warnings(
                        "logfile=\"/var/log/ldirectord.log\"\n"
                                + "virtual=10.77.0.1:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tchecktype=external\n"
                                + "\tcheckcommand=\"check_http\"\n"
                                + "virtual=10.77.0.2:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tchecktype=external\n"
                                + "\tcheckcommand=\"/usr/lib/check\"\n"
                                + "virtual=10.77.0.3:80\n"
                                + "\treal=10.77.1.1:80 masq\n"
                                + "\tchecktype=connect\n"
                                + "\tcheckcommand=\"rel/ignored\"\n"));
    }
}
