package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The installed Perl ldirectord as the oracle for parsing, without a kernel: its own read_config
 * and ld_setup run on each fixture (a copy of /usr/sbin/ldirectord whose main program is replaced
 * by a dump of @VIRTUAL), and the effective values are compared with ConfigParser's: addresses,
 * ports, protocol, service inference, the timeout chain, counts, scheduler, persistence,
 * request/receive, login and password defaults, effective fallback, quiescent, and every real with
 * weight and thresholds. Invalid fixtures must be rejected by ldirectord too, except the
 * ldirector-only rules. Complements the differential test in UML, which compares only the IPVS
 * table.
 */
class PerlParseOracleTest {
    private static final Path LDIRECTORD = Path.of("/usr/sbin/ldirectord");
    private static final String HOST = "director.example.test";

    /**
     * ldirector rejects these on purpose; ldirectord accepts them (see
     * test-fixtures/configs/README.md).
     */
    private static final Set<String> LDIRECTOR_ONLY =
            Set.of("service-oracle.cf", "oracle-inferred-from-port.cf", "real-bracketed-ipv4.cf");

    @TempDir static Path work;
    private static Path oracle;

    @BeforeAll
    static void buildOracle() throws IOException {
        if (!Files.isRegularFile(LDIRECTORD)) {
            return;
        }
        String src = Files.readString(LDIRECTORD, StandardCharsets.ISO_8859_1);
        String mainStart = "$DAEMON_STATUS = $DAEMON_STATUS_STARTING;\nld_init();";
        int start = src.indexOf(mainStart);
        int end = src.indexOf("# functions", start);
        if (start < 0 || end < 0) {
            return; // another ldirectord version: the test is skipped
        }
        String dump =
                """
                $DAEMON_STATUS = $DAEMON_STATUS_STARTING;
                $opt_d = 1;
                $HOSTNAME = $ENV{HOSTNAME};
                $CONFIG = $ARGV[0];
                read_config();
                ld_setup();
                for my $v (@VIRTUAL) {
                  my $f = fallback_find($v);
                  my $fb = ($f && defined $$f{server}) ? "$$f{server}:" . ($$f{port} || $$v{port}) . " $$f{forward}" : '-';
                  print join("|", "V", $$v{protocol}, $$v{server} // '-', $$v{port}, $$v{fwm} // '-', $$v{service},
                    $$v{checktype}, $$v{num_connects}, $$v{checktimeout}, $$v{negotiatetimeout}, $$v{checkcount},
                    $$v{failurecount}, $$v{scheduler}, $$v{persistent} // '-', $$v{netmask} // '-', $$v{request},
                    $$v{receive}, $$v{login}, $$v{passwd}, $fb, $$v{quiescent} // $QUIESCENT), "\\n";
                  for my $r (@{$$v{real}}) {
                    print join("|", "R", $$r{server}, $$r{port}, $$r{forward}, $$r{weight}, $$r{"l-threshold"} // '-',
                      $$r{"u-threshold"} // '-', $$r{receive}), "\\n";
                  }
                }
                exit 0;
                """;
        String copy = src.substring(0, start) + dump + src.substring(end);
        // ldirectord re-executes itself to set PERLIO; the copy must not.
        copy = copy.replace("unless(defined($ENV{'PERLIO'})) {", "unless(1) {");
        oracle = work.resolve("ldirectord-parse-oracle.pl");
        Files.writeString(oracle, copy, StandardCharsets.ISO_8859_1);
    }

    static Stream<Path> valid() throws IOException {
        return FixtureCorpusTest.valid();
    }

    static Stream<Path> invalid() throws IOException {
        return FixtureCorpusTest.invalid();
    }

    private record Perl(int exit, List<String> out, String err) {}

    private static Perl perl(Path fixture) throws Exception {
        assumeTrue(oracle != null, "no ldirectord 4.x at " + LDIRECTORD);
        ProcessBuilder pb =
                new ProcessBuilder("perl", oracle.toString(), fixture.toAbsolutePath().toString());
        pb.environment().put("HOSTNAME", HOST);
        pb.redirectError(work.resolve("err.txt").toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "perl did not finish");
        return new Perl(
                p.exitValue(), out.lines().toList(), Files.readString(work.resolve("err.txt")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void ldirectordReadsEveryValidFixtureAsLdirectorDoes(Path fixture) throws Exception {
        Perl p = perl(fixture);
        assertEquals(0, p.exit(), () -> "ldirectord rejected " + fixture + ":\n" + p.err());
        NameResolver system = NameResolver.system();
        NameResolver resolver =
                new NameResolver() {
                    @Override
                    public Optional<InetAddress> host(String name, AddressFamily family) {
                        return system.host(name, family);
                    }

                    @Override
                    public Optional<Integer> service(String name, String protocol) {
                        return system.service(name, protocol);
                    }

                    @Override
                    public String localHostName() {
                        return HOST;
                    }
                };
        Config c =
                ConfigParser.parse(
                        Files.readString(fixture, StandardCharsets.ISO_8859_1), fixture, resolver);
        assertEquals(String.join("\n", canonical(p.out())), String.join("\n", dump(c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void ldirectordRejectsTheInvalidFixturesToo(Path fixture) throws Exception {
        Perl p = perl(fixture);
        if (LDIRECTOR_ONLY.contains(fixture.getFileName().toString())) {
            assertEquals(0, p.exit(), "listed as accepted by ldirectord: " + p.err());
        } else {
            assertTrue(
                    p.err().contains("Error ["),
                    () -> "ldirectord accepted " + fixture + "\n" + p.out());
        }
    }

    /** Perl prints IPv6 addresses in brackets and compressed; use Java's form on both sides. */
    private static List<String> canonical(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.split("\\|", -1);
            int[] addressFields = f[0].equals("V") ? new int[] {2} : new int[] {1};
            for (int i : addressFields) {
                f[i] = address(f[i]);
            }
            if (f[0].equals("V") && !f[19].equals("-")) {
                int colon = f[19].lastIndexOf(':');
                f[19] = address(f[19].substring(0, colon)) + f[19].substring(colon);
            }
            out.add(String.join("|", f));
        }
        return out;
    }

    private static String address(String s) {
        if (s.equals("-")) {
            return s;
        }
        try {
            return InetAddress.getByName(s.replaceAll("^\\[(.*)\\]$", "$1")).getHostAddress();
        } catch (IOException e) {
            return s;
        }
    }

    private static List<String> dump(Config c) {
        List<String> out = new ArrayList<>();
        for (VirtualConfig v : c.virtuals()) {
            CheckSpec k = v.check();
            String fb =
                    v.fallback()
                            .map(
                                    f ->
                                            f.address().getHostAddress()
                                                    + ":"
                                                    + v.fallbackPort().orElseThrow()
                                                    + " "
                                                    + f.forward().keyword())
                            .orElse("-");
            out.add(
                    String.join(
                            "|",
                            "V",
                            v.protocol().keyword(),
                            v.address().map(InetAddress::getHostAddress).orElse("-"),
                            Integer.toString(v.port()),
                            v.fwmark().map(Object::toString).orElse("-"),
                            k.service().keyword(),
                            k.type().keyword(),
                            Integer.toString(k.numConnects()),
                            Long.toString(k.checkTimeout().toSeconds()),
                            Long.toString(k.negotiateTimeout().toSeconds()),
                            Integer.toString(k.checkCount()),
                            Integer.toString(v.failureCount()),
                            v.scheduler(),
                            v.persistent().map(Object::toString).orElse("-"),
                            v.netmask().orElse("-"),
                            k.request(),
                            k.receive(),
                            k.login(),
                            k.passwd().reveal(),
                            fb,
                            v.quiescent() ? "yes" : "no"));
            for (Real r : v.reals()) {
                out.add(
                        String.join(
                                "|",
                                "R",
                                r.address().getHostAddress(),
                                Integer.toString(r.port()),
                                r.forward().keyword(),
                                Integer.toString(r.weight()),
                                r.lowerThreshold().map(Object::toString).orElse("-"),
                                r.upperThreshold().map(Object::toString).orElse("-"),
                                r.receive().orElse(k.receive())));
            }
        }
        return out;
    }
}
