package org.ldirector.director;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.NameResolver;

class FallbackCommandTest {
    private final List<List<String>> launched = new ArrayList<>();
    private final FallbackCommand command = new FallbackCommand(launched::add);

    static Config parse(String text) throws Exception {
        return ConfigParser.parse(text, Path.of("t.cf"), NameResolver.system());
    }

    @Test
    void runsOncePerStateWithLdirectordsArguments() throws Exception {
        Config c =
                parse(
                        "fallbackcommand=\"/usr/local/sbin/sorry -v\"\n"
                                + "virtual6=[2001:db8::100]:80\n"
                                + "\treal6=[2001:db8::11]:80 masq\n"
                                + "\tchecktype=on\n"
                                + "virtual=7\n"
                                + "\treal=10.77.1.11:80 masq\n"
                                + "\tchecktype=on\n");
        command.update(c.virtuals().get(0), false);
        command.update(c.virtuals().get(0), false);
        command.update(c.virtuals().get(1), true);
        command.update(c.virtuals().get(0), true);
        // ldirectord: system("$fallbackcommand start|stop $server:$port $protocol"); the three
        // arguments are the shell's positional parameters, so it parses only the operator's command
        String sorry = "/usr/local/sbin/sorry -v \"$@\"";
        assertEquals(
                List.of(
                        List.of("/bin/sh", "-c", sorry, "sh", "start", "[2001:db8::100]:80", "tcp"),
                        List.of("/bin/sh", "-c", sorry, "sh", "stop", ":0", "fwm"),
                        List.of("/bin/sh", "-c", sorry, "sh", "stop", "[2001:db8::100]:80", "tcp")),
                launched);
        assertEquals(
                "/usr/local/sbin/sorry -v start [2001:db8::100]:80 tcp",
                ShellCommand.display(launched.get(0)));
    }

    /**
     * DNS: tcp and udp on one VIP:port are two virtuals. With one up and the other down, three
     * unchanged passes run the command once per virtual; sharing one state made it alternate start
     * and stop on every pass (six runs).
     */
    @Test
    void tcpAndUdpOnOneAddressAndPortKeepTheirOwnState() throws Exception {
        Config c =
                parse(
                        "fallbackcommand=/usr/local/sbin/sorry\n"
                                + "virtual=10.77.0.53:53\n"
                                + "\treal=10.77.1.11:53 masq\n"
                                + "\tprotocol=tcp\n"
                                + "\tchecktype=on\n"
                                + "virtual=10.77.0.53:53\n"
                                + "\treal=10.77.1.12:53 masq\n"
                                + "\tprotocol=udp\n"
                                + "\tchecktype=on\n");
        for (int pass = 0; pass < 3; pass++) {
            command.update(c.virtuals().get(0), true);
            command.update(c.virtuals().get(1), false);
        }
        assertEquals(
                List.of(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "stop",
                                "10.77.0.53:53",
                                "tcp"),
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "start",
                                "10.77.0.53:53",
                                "udp")),
                launched);
        command.update(c.virtuals().get(0), false);
        assertEquals(
                List.of(
                        "/bin/sh",
                        "-c",
                        "/usr/local/sbin/sorry \"$@\"",
                        "sh",
                        "start",
                        "10.77.0.53:53",
                        "tcp"),
                launched.get(2));
    }

    @Test
    void aVirtualGoneAfterAReloadIsForgottenAndAnotherKeepsItsState() throws Exception {
        Config c =
                parse(
                        "fallbackcommand=/usr/local/sbin/sorry\n"
                                + "virtual=10.77.0.53:53\n"
                                + "\treal=10.77.1.11:53 masq\n"
                                + "\tprotocol=tcp\n"
                                + "\tchecktype=on\n"
                                + "virtual=3000000000\n"
                                + "\treal=10.77.1.12:53 masq\n"
                                + "\tchecktype=on\n");
        command.update(c.virtuals().get(0), false);
        command.update(c.virtuals().get(1), false);
        command.retain(Set.of(c.virtuals().get(1).id()));
        command.update(c.virtuals().get(0), false);
        command.update(c.virtuals().get(1), false);
        assertEquals(
                List.of(
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "start",
                                "10.77.0.53:53",
                                "tcp"),
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "start",
                                ":0",
                                "fwm"),
                        List.of(
                                "/bin/sh",
                                "-c",
                                "/usr/local/sbin/sorry \"$@\"",
                                "sh",
                                "start",
                                "10.77.0.53:53",
                                "tcp")),
                launched);
    }

    @Test
    void noCommandConfiguredRunsNothing() throws Exception {
        Config c = parse("virtual=10.77.0.100:80\n\treal=10.77.1.11:80 masq\n\tchecktype=on\n");
        assertEquals(Optional.empty(), command.update(c.virtuals().get(0), false));
        assertEquals(List.of(), launched);
    }
}
