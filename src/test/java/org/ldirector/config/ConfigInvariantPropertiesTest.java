package org.ldirector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.ldirector.director.DesiredTable;
import org.ldirector.director.Director;
import org.ldirector.health.Health;
import org.ldirector.ipvs.Destination;
import org.ldirector.ipvs.Family;
import org.ldirector.ipvs.InMemoryIpvsTable;
import org.ldirector.ipvs.IpvsOp;
import org.ldirector.ipvs.IpvsTable;
import org.ldirector.ipvs.ServiceKey;
import org.ldirector.ipvs.VirtualService;
import org.ldirector.reconcile.Reconciler;

/**
 * The invariant of config validation, over configs generated from the directive grammar (valid and
 * invalid values, overflowing numbers, huge ranges, unicode, control characters and bytes that are
 * not UTF-8, every secret directive in every line shape):
 *
 * <ul>
 *   <li>every config {@code -t} accepts runs: the first pass (Director, then the Reconciler on the
 *       in-memory table) throws nothing, and every value handed to the kernel is within its range;
 *   <li>every config it rejects names FILE:LINE in each error;
 *   <li>no diagnostic and no {@code -t} output carries a secret.
 * </ul>
 *
 * Tries are set on each property (jqwik prints them with each run); the whole class runs in a few
 * seconds. The seed is fixed so that a run of the test command is repeatable; to explore, run with
 * another seed (or none), and pin each config it finds as a named test in ConfigValidationTest.
 */
class ConfigInvariantPropertiesTest {
    private static final String SEED = "20261207";
    private static final Path SOURCE = Path.of("gen.cf");

    /** Every generated secret starts with this; no diagnostic or output may contain it. */
    private static final String MARK = "zq7";

    // ---------------------------------------------------------------- the properties

    @Property(tries = 800, seed = SEED)
    void acceptedConfigsRunWithinKernelRangesAndRejectedOnesNameFileAndLine(
            @ForAll("configs") byte[] bytes) {
        Outcome o = checkInvariant(bytes);
        // printed with the tries: how many generated configs were accepted and ran, how many
        // refused
        Statistics.label("outcome")
                .collect(
                        o.config == null
                                ? "rejected"
                                : o.config.virtuals().isEmpty()
                                        ? "accepted, no virtual"
                                        : "accepted and programmed");
    }

    @Property(tries = 500, seed = SEED)
    void noSecretReachesADiagnosticOrTheOutputWhateverTheLinesShape(
            @ForAll("secretConfigs") byte[] bytes) {
        Outcome o = checkInvariant(bytes);
        Statistics.label("outcome").collect(o.config == null ? "rejected" : "accepted");
    }

    /**
     * A number is read exactly as written, or refused on its line: never wrapped, truncated or
     * capped.
     */
    @Property(tries = 500, seed = SEED)
    void everyNumberIsReadExactlyOrRefusedOnItsLine(
            @ForAll("numericDirectives") Tuple.Tuple2<String, String> d) {
        String name = d.get1();
        String number = d.get2();
        String text =
                switch (name) {
                    case "virtual-port" ->
                            "virtual=10.77.0.1:"
                                    + number
                                    + "\n\treal=10.77.1.1 masq\n\tpersistent=60\n";
                    case "fwmark" -> "virtual=" + number + "\n\treal=10.77.1.1 masq\n";
                    case "real-port" ->
                            "virtual=10.77.0.1:80\n\treal=10.77.1.1:" + number + " masq\n";
                    case "weight" -> "virtual=10.77.0.1:80\n\treal=10.77.1.1 masq " + number + "\n";
                    case "l", "u" ->
                            "virtual=10.77.0.1:80\n\treal=10.77.1.1 masq 1 "
                                    + name
                                    + ":"
                                    + number
                                    + "\n";
                    default ->
                            "virtual=10.77.0.1:80\n\treal=10.77.1.1 masq\n\t"
                                    + name
                                    + "="
                                    + number
                                    + "\n";
                };
        int line =
                switch (name) {
                    case "virtual-port", "fwmark" -> 1;
                    case "real-port", "weight", "l", "u" -> 2;
                    default -> 3;
                };
        Outcome o = checkInvariant(text.getBytes(StandardCharsets.UTF_8));
        BigInteger written = new BigInteger(number);
        if (o.config == null) {
            assertTrue(o.errorLines.contains(line), name + "=" + number + ": " + o.errorLines);
            return;
        }
        VirtualConfig v = o.config.virtuals().get(0);
        Real r = v.reals().get(0);
        long read =
                switch (name) {
                    case "virtual-port" -> v.port();
                    case "fwmark" -> Integer.toUnsignedLong(v.fwmark().orElseThrow());
                    case "real-port" -> r.port();
                    case "weight" -> r.weight();
                    case "l" -> r.lowerThreshold().orElseThrow();
                    case "u" -> r.upperThreshold().orElseThrow();
                    case "persistent" -> v.persistent().orElseThrow();
                    case "checkport" -> v.check().checkPort().orElseThrow();
                    case "checkinterval" -> v.checkInterval().toSeconds();
                    case "checktimeout" -> v.check().checkTimeout().toSeconds();
                    case "negotiatetimeout" -> v.check().negotiateTimeout().toSeconds();
                    case "failurecount" -> v.failureCount();
                    case "successcount" -> v.successCount();
                    case "emailalertfreq" -> v.emailAlert().frequencySeconds();
                    default -> throw new IllegalStateException(name);
                };
        assertEquals(
                written, BigInteger.valueOf(read), name + "=" + number + " was read as " + read);
    }

    // ---------------------------------------------------------------- the invariant

    record Outcome(Config config, List<Integer> errorLines) {}

    /** Read-only after construction; one per test instance, so /etc/services is read once. */
    private final FixedResolver resolver = new FixedResolver();

    private Outcome checkInvariant(byte[] bytes) {
        String shown = new String(bytes, StandardCharsets.UTF_8);
        int lines = shown.split("\n", -1).length;
        Config config;
        try {
            config = ConfigParser.parse(bytes, SOURCE, resolver);
        } catch (ConfigException e) {
            List<Integer> at = new ArrayList<>();
            for (Diagnostic d : e.errors()) {
                assertEquals(SOURCE, d.file(), d.toString());
                assertTrue(
                        d.line() >= 1 && d.line() <= lines,
                        () -> "error without its line: " + d + "\nin:\n" + shown);
                noSecret(d.toString(), shown);
                noControl(d.toString());
                at.add(d.line());
            }
            noSecret(e.getMessage(), shown);
            return new Outcome(null, at);
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("the parser threw on:\n" + shown, e);
        }
        for (Diagnostic w : config.warnings()) {
            assertTrue(w.line() >= 0 && w.line() <= lines, w::toString);
            noSecret(w.toString(), shown);
            noControl(w.toString());
        }
        String printed = ConfigPrinter.print(config);
        noSecret(printed, shown);
        for (char c : printed.toCharArray()) {
            if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                fail("-t output holds a raw control character " + (int) c + ":\n" + printed);
            }
        }
        firstPass(config, shown);
        return new Outcome(config, List.of());
    }

    /**
     * The daemon's first pass on the in-memory table, every operation checked against the kernel's
     * ranges.
     */
    private static void firstPass(Config config, String shown) {
        InMemoryIpvsTable memory = new InMemoryIpvsTable();
        List<String> problems = new ArrayList<>();
        IpvsTable checked =
                (IpvsTable)
                        Proxy.newProxyInstance(
                                IpvsTable.class.getClassLoader(),
                                new Class<?>[] {IpvsTable.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("apply")) {
                                        for (Object op : (List<?>) args[0]) {
                                            kernelRanges((IpvsOp) op, problems);
                                        }
                                    }
                                    try {
                                        return method.invoke(memory, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
        try {
            int reals = config.virtuals().stream().mapToInt(v -> v.reals().size()).sum();
            // a second pass with every real down (deleted or quiesced) where it stays cheap
            for (Health h : reals > 2000 ? List.of(Health.UP) : List.of(Health.UP, Health.DOWN)) {
                DesiredTable desired = Director.desired(config, Director.Verdicts.all(h), true);
                new Reconciler(checked, line -> {}).reconcile(desired, "start");
            }
        } catch (Exception | StackOverflowError e) {
            throw new AssertionError("the first pass threw on an accepted config:\n" + shown, e);
        }
        assertEquals(
                List.of(),
                problems,
                () -> "values out of the kernel's range from an accepted config:\n" + shown);
    }

    /** ip_vs.h and ip_vs_ctl.c's limits, and ipvsadm's where ldirectord goes through it. */
    private static void kernelRanges(IpvsOp op, List<String> problems) {
        ServiceKey key = op.service();
        if (key.isFwmark()) {
            check(
                    key.port() == 0 && key.address() == null,
                    "fwmark service with an address",
                    problems);
        } else {
            check(key.port() >= 0 && key.port() <= 65535, "service port " + key.port(), problems);
        }
        VirtualService vs =
                op instanceof IpvsOp.AddService a
                        ? a.virtualService()
                        : op instanceof IpvsOp.UpdateService u ? u.virtualService() : null;
        if (vs != null) {
            check(
                    !vs.scheduler().isEmpty() && vs.scheduler().length() <= 15,
                    "scheduler " + vs.scheduler(),
                    problems);
            check((vs.flags() & ~VirtualService.SETTABLE) == 0, "flags " + vs.flags(), problems);
            if (!key.isFwmark()) {
                check(key.port() != 0 || vs.isPersistent(), "port 0 without persistence", problems);
            }
            if (vs.isPersistent()) {
                check(
                        vs.timeout() >= 1 && vs.timeout() <= 86400 * 31,
                        "persistence timeout " + vs.timeout(),
                        problems);
                if (key.family() == Family.INET6) {
                    check(
                            vs.netmask() >= 1 && vs.netmask() <= 128,
                            "IPv6 prefix " + vs.netmask(),
                            problems);
                } else {
                    int ones = Integer.bitCount(vs.netmask());
                    check(
                            ones > 0 && vs.netmask() == (int) (0xffffffffL << (32 - ones)),
                            "IPv4 netmask " + Integer.toHexString(vs.netmask()),
                            problems);
                }
            }
        }
        Destination d =
                op instanceof IpvsOp.AddDestination a
                        ? a.destination()
                        : op instanceof IpvsOp.UpdateDestination u ? u.destination() : null;
        if (d != null) {
            check(d.port() >= 0 && d.port() <= 65535, "real port " + d.port(), problems);
            check(d.weight() >= 0 && d.weight() <= 65535, "weight " + d.weight(), problems);
            check(
                    d.upperThreshold() >= 0 && d.lowerThreshold() >= 0,
                    "thresholds " + d.lowerThreshold() + "/" + d.upperThreshold(),
                    problems);
        }
    }

    private static void check(boolean ok, String what, List<String> problems) {
        if (!ok) {
            problems.add(what);
        }
    }

    private static void noControl(String message) {
        for (char c : message.toCharArray()) {
            if (Character.isISOControl(c)) {
                fail("a message holds a raw control character " + (int) c + ": " + message);
            }
        }
    }

    private static void noSecret(String text, String input) {
        if (text.toLowerCase(Locale.ROOT).contains(MARK)) {
            fail("a secret reached a message or the output:\n" + text + "\n--- from:\n" + input);
        }
    }

    // ---------------------------------------------------------------- the grammar

    private static final List<String> EDGE_NUMBERS =
            List.of(
                    "0",
                    "1",
                    "2",
                    "7",
                    "60",
                    "255",
                    "256",
                    "1024",
                    "65535",
                    "65536",
                    "86400",
                    "1000000",
                    "1000001",
                    "2678400",
                    "2678401",
                    "2147483647",
                    "2147483648",
                    "4294967295",
                    "4294967296",
                    "9223372036854775807",
                    "9223372036854775808",
                    "99999999999999999999",
                    "007");

    private static Arbitrary<String> number() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(EDGE_NUMBERS)),
                Tuple.of(3, Arbitraries.integers().between(0, 3_000_000).map(String::valueOf)),
                Tuple.of(
                        1,
                        Arbitraries.longs()
                                .between(0, Long.MAX_VALUE)
                                .map(Long::toUnsignedString)));
    }

    private static Arbitrary<String> numberOrJunk() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, number()),
                Tuple.of(1, Arbitraries.of("", "-1", "5s", "abc", " 3", "1e3", "0x10", "１２")));
    }

    private static Arbitrary<String> text() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        4,
                        Arbitraries.strings()
                                .alpha()
                                .numeric()
                                .withChars(" .-_@")
                                .ofMinLength(1)
                                .ofMaxLength(16)),
                Tuple.of(
                        2,
                        Arbitraries.of(
                                "café", "naïve ☃", "Ünïcödé 日本", "emoji 😀", "rtl \u202eevil")),
                Tuple.of(
                        2,
                        Arbitraries.strings()
                                .withChars("ab é☃\r\u0007\u001b\u0085\u00a0\u2028\"'#\\")
                                .ofMinLength(1)
                                .ofMaxLength(10)));
    }

    private static Arbitrary<String> ipv4() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0, 255).map(n -> "10.77.1." + n)),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                "10.77.1.256",
                                "999.1.1.1",
                                "localhost",
                                "no.such.host",
                                "10.77.1")));
    }

    private static Arbitrary<String> ipv6() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        8,
                        Arbitraries.integers()
                                .between(1, 0xffff)
                                .map(n -> "2001:db8::" + Integer.toHexString(n))),
                Tuple.of(1, Arbitraries.of("2001:db8:::1", "::g", "10.77.1.1")));
    }

    private static Arbitrary<String> method() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.of("gate", "masq", "ipip")),
                Tuple.of(1, Arbitraries.of("nat", "", "GATE")));
    }

    private static Arbitrary<String> real(boolean six) {
        Arbitrary<String> port =
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.just("")),
                        Tuple.of(3, number().map(n -> ":" + n)),
                        Tuple.of(1, Arbitraries.of(":http", ":nosuchservice")));
        Arbitrary<String> weight =
                Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.just("")),
                        Tuple.of(3, numberOrJunk().map(n -> " " + n)));
        Arbitrary<String> thresholds =
                Arbitraries.frequencyOf(
                        Tuple.of(6, Arbitraries.just("")),
                        Tuple.of(1, number().map(n -> " l:" + n)),
                        Tuple.of(1, number().map(n -> " u:" + n)),
                        Tuple.of(
                                1,
                                Combinators.combine(number(), number())
                                        .as((l, u) -> " l:" + l + " u:" + u)));
        Arbitrary<String> address =
                six
                        ? ipv6().map(a -> "[" + a + "]")
                        : Arbitraries.frequencyOf(Tuple.of(10, ipv4()), Tuple.of(2, range()));
        return Combinators.combine(address, port, method(), weight, thresholds)
                .as((a, p, m, w, t) -> (six ? "real6=" : "real=") + a + p + " " + m + w + t);
    }

    /**
     * Small ranges mostly; now and then a whole /16 (accepted: 65,536 reals, the costly case, so
     * rare) or more (refused before expansion).
     */
    private static Arbitrary<String> range() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        200,
                        Arbitraries.integers()
                                .between(0, 250)
                                .map(n -> "10.77.2." + n + "->10.77.2." + (n + 5))),
                Tuple.of(
                        1,
                        Arbitraries.integers()
                                .between(0, 200)
                                .map(n -> "10." + n + ".0.0->10." + n + ".255.255")),
                Tuple.of(
                        10,
                        Arbitraries.of(
                                "10.0.0.0->10.1.0.0",
                                "0.0.0.0->255.255.255.255",
                                "10.77.2.9->10.77.2.1")));
    }

    private static Arbitrary<String> secretValue() {
        return Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars(" #\"=:")
                .ofMaxLength(8)
                .map(s -> MARK + s);
    }

    /** A secret directive in one of the shapes an operator may write it. */
    private static Arbitrary<String> secretLine() {
        Arbitrary<String> name =
                Arbitraries.of(
                        "passwd", "secret", "PASSWD", "Secret", "password", "passwrd", "secrets");
        Arbitrary<String> sep = Arbitraries.of("=", " = ", ":", " ", ": ", "\t", "=\"", " =  \"");
        Arbitrary<String> end = Arbitraries.of("", "\"", "\" # note", " trailing");
        return Combinators.combine(name, sep, secretValue(), end).as((n, s, v, e) -> n + s + v + e);
    }

    private static Arbitrary<String> virtualLine(boolean six) {
        List<Tuple.Tuple2<Integer, Arbitrary<String>>> choices = new ArrayList<>();
        choices.add(Tuple.of(10, real(six)));
        choices.add(Tuple.of(2, numberOrJunk().map(n -> "persistent=" + n)));
        choices.add(
                Tuple.of(
                        2,
                        Arbitraries.of(
                                        "255.255.255.0",
                                        "255.255.255.256",
                                        "99999999999.1.1.1",
                                        "255.0.255.0",
                                        "0.0.0.0",
                                        "128.0.0.0",
                                        "64",
                                        "129",
                                        "0",
                                        "24")
                                .map(n -> "netmask=" + n)));
        choices.add(
                Tuple.of(
                        2,
                        Arbitraries.of(
                                        "sh-port",
                                        "sh-fallback,sh-port",
                                        "mh-port",
                                        "flag-1,flag-3",
                                        "bogus",
                                        "flag-1,",
                                        "")
                                .map(f -> "schedflags=" + f)));
        choices.add(
                Tuple.of(
                        2,
                        Arbitraries.of(
                                        "rr",
                                        "wrr",
                                        "sh",
                                        "mh",
                                        "lc",
                                        "nosuchsched",
                                        "abcdefghijklmnop",
                                        "WRR",
                                        "")
                                .map(s -> "scheduler=" + s)));
        choices.add(
                Tuple.of(
                        2,
                        Arbitraries.of(
                                        "on",
                                        "off",
                                        "connect",
                                        "negotiate",
                                        "ping",
                                        "external",
                                        "3",
                                        "bogus")
                                .map(c -> "checktype=" + c)));
        choices.add(
                Tuple.of(
                        1,
                        Arbitraries.of("http", "https", "ftp", "dns", "none", "oracle", "bogus")
                                .map(s -> "service=" + s)));
        choices.add(
                Tuple.of(1, Arbitraries.of("tcp", "udp", "fwm", "sctp").map(p -> "protocol=" + p)));
        choices.add(Tuple.of(1, Arbitraries.of("yes", "no", "maybe").map(y -> "ops=" + y)));
        choices.add(Tuple.of(1, Arbitraries.of("yes", "no").map(y -> "quiescent=" + y)));
        choices.add(
                Tuple.of(
                        2,
                        Arbitraries.of(
                                        "checkport",
                                        "checkinterval",
                                        "checktimeout",
                                        "negotiatetimeout",
                                        "failurecount",
                                        "successcount",
                                        "emailalertfreq")
                                .flatMap(n -> numberOrJunk().map(v -> n + "=" + v))));
        choices.add(
                Tuple.of(
                        1,
                        Arbitraries.of("/bin/true", "/no/such/check", "")
                                .map(c -> "checkcommand=" + c)));
        choices.add(Tuple.of(2, text().map(t -> "servicename=" + t)));
        choices.add(Tuple.of(2, text().map(t -> "comment=" + t)));
        choices.add(Tuple.of(1, text().map(t -> "request=\"" + t + "\"")));
        choices.add(Tuple.of(1, text().map(t -> "receive=\"" + t + "\"")));
        choices.add(Tuple.of(1, text().map(t -> "emailalert=\"" + t + "\"")));
        choices.add(Tuple.of(1, text().map(t -> "login=\"" + t + "\"")));
        choices.add(
                Tuple.of(
                        1,
                        Arbitraries.of("www.example.test", "").map(h -> "httpsservername=" + h)));
        choices.add(
                Tuple.of(
                        1,
                        (six
                                ? ipv6().map(a -> "fallback6=[" + a + "]:80")
                                : ipv4().map(a -> "fallback=" + a + ":80"))));
        choices.add(Tuple.of(2, secretLine()));
        choices.add(
                Tuple.of(
                        1,
                        Arbitraries.of(
                                "bogus=1",
                                "virtual=10.77.0.9:80",
                                "fork=yes",
                                "real",
                                "# a comment")));
        Arbitrary<String> directive = Arbitraries.frequencyOf(choices.toArray(Tuple.Tuple2[]::new));
        Arbitrary<String> indent =
                Arbitraries.frequencyOf(
                        Tuple.of(12, Arbitraries.just("\t")),
                        Tuple.of(3, Arbitraries.just("    ")),
                        Tuple.of(1, Arbitraries.just("   ")),
                        Tuple.of(1, Arbitraries.just("\n\t")),
                        Tuple.of(1, Arbitraries.just("")));
        return Combinators.combine(indent, directive).as((i, d) -> i + d);
    }

    private static Arbitrary<String> block() {
        return Arbitraries.of(false, true)
                .flatMap(
                        six -> {
                            Arbitrary<String> head =
                                    six
                                            ? Combinators.combine(ipv6(), number())
                                                    .as((a, p) -> "virtual6=[" + a + "]:" + p)
                                            : Arbitraries.frequencyOf(
                                                    Tuple.of(
                                                            6,
                                                            Combinators.combine(ipv4(), number())
                                                                    .as(
                                                                            (a, p) ->
                                                                                    "virtual=10.77.0."
                                                                                            + a
                                                                                                    .substring(
                                                                                                            a
                                                                                                                            .lastIndexOf(
                                                                                                                                    '.')
                                                                                                                    + 1)
                                                                                            + ":"
                                                                                            + p)),
                                                    Tuple.of(
                                                            3,
                                                            Arbitraries.of(
                                                                            "80", "443", "53",
                                                                            "http", "0")
                                                                    .map(
                                                                            p ->
                                                                                    "virtual=10.77.0.1:"
                                                                                            + p)),
                                                    Tuple.of(2, number().map(m -> "virtual=" + m)),
                                                    Tuple.of(
                                                            1,
                                                            Arbitraries.of(
                                                                    "virtual=",
                                                                    "virtual=[2001:db8::1]:80",
                                                                    "virtual=bogus")));
                            return Combinators.combine(head, virtualLine(six).list().ofMaxSize(7))
                                    .as((h, lines) -> h + "\n" + String.join("\n", lines));
                        });
    }

    private static Arbitrary<String> globalLine() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        3,
                        Arbitraries.of(
                                        "checktimeout",
                                        "negotiatetimeout",
                                        "checkinterval",
                                        "failurecount",
                                        "successcount",
                                        "emailalertfreq")
                                .flatMap(n -> numberOrJunk().map(v -> n + "=" + v))),
                Tuple.of(
                        2,
                        Arbitraries.of(
                                        "quiescent",
                                        "fork",
                                        "autoreload",
                                        "cleanstop",
                                        "readdquiescent")
                                .flatMap(
                                        n ->
                                                Arbitraries.of("yes", "no", "perhaps")
                                                        .map(v -> n + "=" + v))),
                Tuple.of(1, ipv4().map(a -> "fallback=" + a + ":80 masq")),
                Tuple.of(1, text().map(t -> "emailalertfrom=" + t)),
                Tuple.of(1, text().map(t -> "emailalert=\"" + t + "\"")),
                Tuple.of(
                        1,
                        Arbitraries.of("\"/bin/true\"", "\"/no/such/callback\"")
                                .map(c -> "callback=" + c)),
                Tuple.of(
                        1,
                        Arbitraries.of("/bin/true", "/no/such/sorry arg")
                                .map(c -> "fallbackcommand=" + c)),
                Tuple.of(1, Arbitraries.of("\"local0\"", "\"daemon\"").map(l -> "logfile=" + l)),
                Tuple.of(1, secretLine()),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                "bogus",
                                "supervised",
                                "",
                                "# comment",
                                "metrics=9469",
                                "syncdaemon=none")));
    }

    /**
     * Half hostile (any value, most configs refused), half well-formed with edge values (most
     * accepted).
     */
    @Provide
    Arbitrary<byte[]> configs() {
        Arbitrary<String> hostile =
                Combinators.combine(
                                globalLine().list().ofMaxSize(4),
                                block().list().ofMaxSize(3),
                                globalLine().list().ofMaxSize(2))
                        .as(
                                (before, blocks, after) -> {
                                    List<String> all = new ArrayList<>(before);
                                    all.addAll(blocks);
                                    all.addAll(after);
                                    return String.join("\n", all) + "\n";
                                });
        Arbitrary<String> wellFormed =
                Combinators.combine(
                                goodGlobalLine().list().ofMaxSize(4),
                                goodBlock().list().ofMinSize(1).ofMaxSize(4))
                        .as(
                                (globals, blocks) ->
                                        String.join("\n", globals)
                                                + "\n"
                                                + String.join("\n", blocks)
                                                + "\n");
        return Arbitraries.frequencyOf(
                Tuple.of(1, withRawBytes(hostile)),
                Tuple.of(1, wellFormed.map(t -> t.getBytes(StandardCharsets.UTF_8))));
    }

    // ---------------------------------------------------------------- the well-formed part of the
    // grammar

    private static Arbitrary<String> inRange(int min, long max, String... edges) {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of(edges)),
                Tuple.of(3, Arbitraries.longs().between(min, max).map(String::valueOf)));
    }

    private static Arbitrary<String> printableText() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        3,
                        Arbitraries.strings()
                                .alpha()
                                .numeric()
                                .withChars(" .-_@")
                                .ofMinLength(1)
                                .ofMaxLength(16)),
                Tuple.of(1, Arbitraries.of("café", "naïve ☃", "Ünïcödé 日本", "emoji 😀")));
    }

    private static Arbitrary<String> goodGlobalLine() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                                "checktimeout",
                                "negotiatetimeout",
                                "checkinterval",
                                "failurecount",
                                "successcount")
                        .flatMap(n -> inRange(1, 1_000_000, "1", "1000000").map(v -> n + "=" + v)),
                Arbitraries.of("quiescent", "cleanstop", "readdquiescent")
                        .flatMap(n -> Arbitraries.of("yes", "no").map(v -> n + "=" + v)),
                Arbitraries.integers()
                        .between(1, 254)
                        .map(n -> "fallback=10.77.3." + n + ":80 masq"),
                printableText().map(t -> "emailalertfrom=" + t),
                inRange(0, 999_999_999, "0", "999999999").map(v -> "emailalertfreq=" + v),
                Arbitraries.just("callback=\"/bin/true\""),
                Arbitraries.just("fallbackcommand=/bin/true"));
    }

    private static Arbitrary<String> goodBlock() {
        Arbitrary<String> v4 =
                Combinators.combine(
                                Arbitraries.integers().between(1, 254),
                                inRange(1, 65535, "1", "53", "80", "65535"))
                        .as((a, p) -> "virtual=10.77.0." + a + ":" + p);
        Arbitrary<String> mark =
                inRange(1, 4294967295L, "1", "2147483647", "2147483648", "4294967295")
                        .map(m -> "virtual=" + m);
        Arbitrary<String> v6 =
                Combinators.combine(
                                Arbitraries.integers().between(1, 0xffff), inRange(1, 65535, "80"))
                        .as((a, p) -> "virtual6=[2001:db8::" + Integer.toHexString(a) + "]:" + p);
        return Arbitraries.oneOf(
                        v4.map(h -> Tuple.of(h, false)),
                        mark.map(h -> Tuple.of(h, false)),
                        v6.map(h -> Tuple.of(h, true)))
                .flatMap(
                        head -> {
                            boolean six = head.get2();
                            Arbitrary<List<String>> reals =
                                    goodReal(six).list().ofMinSize(1).ofMaxSize(4);
                            Arbitrary<List<String>> settings = goodSetting(six).list().ofMaxSize(8);
                            return Combinators.combine(reals, settings)
                                    .as(
                                            (r, s) -> {
                                                List<String> lines = new ArrayList<>(r);
                                                lines.addAll(s);
                                                return head.get1()
                                                        + "\n\t"
                                                        + String.join("\n\t", lines);
                                            });
                        });
    }

    private static Arbitrary<String> goodReal(boolean six) {
        Arbitrary<String> address =
                six
                        ? Arbitraries.integers()
                                .between(1, 0xffff)
                                .map(n -> "[2001:db8::" + Integer.toHexString(n) + "]")
                        : Arbitraries.frequencyOf(
                                Tuple.of(
                                        640,
                                        Arbitraries.integers()
                                                .between(0, 255)
                                                .map(n -> "10.77.1." + n)),
                                Tuple.of(
                                        160,
                                        Arbitraries.integers()
                                                .between(0, 250)
                                                .map(n -> "10.77.2." + n + "->10.77.2." + (n + 5))),
                                Tuple.of(
                                        1,
                                        Arbitraries.integers()
                                                .between(0, 255)
                                                .map(
                                                        n ->
                                                                "10."
                                                                        + n
                                                                        + ".0.0->10."
                                                                        + n
                                                                        + ".255.255")));
        Arbitrary<String> port =
                Arbitraries.oneOf(
                        Arbitraries.just(""), inRange(0, 65535, "0", "65535").map(p -> ":" + p));
        Arbitrary<String> weight =
                Arbitraries.oneOf(
                        Arbitraries.just(""), inRange(0, 65535, "0", "65535").map(w -> " " + w));
        Arbitrary<String> thresholds =
                Arbitraries.oneOf(
                        Arbitraries.just(""),
                        Combinators.combine(
                                        Arbitraries.integers().between(0, 1000),
                                        Arbitraries.integers().between(0, 1000))
                                .as((a, b) -> " l:" + Math.min(a, b) + " u:" + Math.max(a, b)));
        return Combinators.combine(
                        address, port, Arbitraries.of("gate", "masq", "ipip"), weight, thresholds)
                .as((a, p, m, w, t) -> (six ? "real6=" : "real=") + a + p + " " + m + w + t);
    }

    private static Arbitrary<String> goodSetting(boolean six) {
        Arbitrary<String> netmask =
                six
                        ? Arbitraries.integers().between(1, 128).map(String::valueOf)
                        : Arbitraries.integers()
                                .between(1, 32)
                                .map(
                                        n -> {
                                            long m = 0xffffffffL << (32 - n) & 0xffffffffL;
                                            return (m >> 24)
                                                    + "."
                                                    + (m >> 16 & 255)
                                                    + "."
                                                    + (m >> 8 & 255)
                                                    + "."
                                                    + (m & 255);
                                        });
        return Arbitraries.oneOf(
                inRange(1, 86400 * 31, "1", "2678400").map(p -> "persistent=" + p),
                netmask.map(n -> "netmask=" + n),
                Arbitraries.of(
                        "scheduler=sh\n\tschedflags=sh-fallback,sh-port",
                        "scheduler=mh\n\tschedflags=mh-port",
                        "schedflags=flag-1,flag-2,flag-3",
                        "scheduler=rr",
                        "scheduler=wlc",
                        "scheduler=abcdefghijklmno"),
                Arbitraries.of("on", "off", "connect", "negotiate", "ping", "external", "3")
                        .map(c -> "checktype=" + c),
                Arbitraries.of("http", "none", "dns", "ftp").map(c -> "service=" + c),
                Arbitraries.of(
                        "ops=yes",
                        "protocol=udp",
                        "protocol=tcp",
                        "quiescent=yes",
                        "checkcommand=/bin/true"),
                inRange(1, 65535, "65535").map(p -> "checkport=" + p),
                Arbitraries.of(
                                "checkinterval",
                                "checktimeout",
                                "negotiatetimeout",
                                "failurecount",
                                "successcount")
                        .flatMap(n -> inRange(1, 1_000_000, "1000000").map(v -> n + "=" + v)),
                printableText().map(t -> "servicename=" + t),
                printableText().map(t -> "comment=" + t),
                printableText().map(t -> "request=\"" + t + "\""),
                secretValue().map(v -> "passwd=\"" + v.replace("\"", "") + "\""),
                secretValue().map(v -> "secret=\"" + v.replace("\"", "") + "\""),
                Arbitraries.integers()
                        .between(1, 254)
                        .map(
                                n ->
                                        six
                                                ? "fallback6=[2001:db8::ff"
                                                        + Integer.toHexString(n)
                                                        + "]:80"
                                                : "fallback=10.77.4." + n + ":80 masq"));
    }

    @Provide
    Arbitrary<byte[]> secretConfigs() {
        Arbitrary<String> place =
                Arbitraries.of("in-block", "after-blank", "global", "after-virtual", "in-real");
        Arbitrary<String> indent = Arbitraries.of("\t", "    ", "   ", " ", "");
        return Combinators.combine(
                        place, indent, secretLine(), Arbitraries.of("", "\tservice=ftp\n"))
                .as(
                        (p, i, s, svc) -> {
                            String head = "virtual=10.77.0.1:21\n\treal=10.77.1.1:21 gate\n" + svc;
                            return switch (p) {
                                case "in-block" -> head + i + s + "\n";
                                case "after-blank" -> head + "\n" + i + s + "\n";
                                case "global" -> i + s + "\n" + head;
                                case "after-virtual" ->
                                        "virtual=10.77.0.1:21 "
                                                + s
                                                + "\n\treal=10.77.1.1:21 gate\n";
                                default -> head + "\treal=10.77.1.2:21 gate 1 " + s + "\n";
                            };
                        })
                .map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<Tuple.Tuple2<String, String>> numericDirectives() {
        Arbitrary<String> name =
                Arbitraries.of(
                        "virtual-port",
                        "fwmark",
                        "real-port",
                        "weight",
                        "l",
                        "u",
                        "persistent",
                        "checkport",
                        "checkinterval",
                        "checktimeout",
                        "negotiatetimeout",
                        "failurecount",
                        "successcount",
                        "emailalertfreq");
        return Combinators.combine(name, number()).as(Tuple::of);
    }

    /** Now and then a byte that is not UTF-8, or a raw control byte, somewhere in the file. */
    private static Arbitrary<byte[]> withRawBytes(Arbitrary<String> text) {
        Arbitrary<Integer> noise =
                Arbitraries.frequencyOf(
                        Tuple.of(10, Arbitraries.just(-1)),
                        Tuple.of(
                                1, Arbitraries.of(0x00, 0x07, 0x0d, 0x1b, 0x7f, 0x80, 0xc3, 0xff)));
        return Combinators.combine(text, noise, Arbitraries.integers().between(0, 10_000))
                .as(
                        (t, b, at) -> {
                            byte[] utf8 = t.getBytes(StandardCharsets.UTF_8);
                            if (b < 0) {
                                return utf8;
                            }
                            int i = at % (utf8.length + 1);
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            out.write(utf8, 0, i);
                            out.write(b);
                            out.write(utf8, i, utf8.length - i);
                            return out.toByteArray();
                        });
    }
}
