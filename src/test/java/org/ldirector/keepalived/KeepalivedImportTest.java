package org.ldirector.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ldirector.config.Config;
import org.ldirector.config.ConfigParser;
import org.ldirector.config.NameResolver;

/**
 * {@code import-keepalived} over the corpus in test-fixtures/keepalived (each file passes {@code
 * keepalived -t}): the ldirectord.cf it prints and the warnings it gives are the reviewed golden
 * files beside it (NAME.cf, NAME.warnings), the output parses with ldirector's own parser, and
 * every warning names a FILE:LINE whose line holds the keyword it names.
 */
class KeepalivedImportTest {
    static final Path CORPUS = Path.of("test-fixtures/keepalived");

    @TempDir Path dir;

    static Stream<Path> corpus() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(CORPUS)) {
            s.filter(p -> p.toString().endsWith(".conf")).sorted().forEach(out::add);
        }
        out.add(CORPUS.resolve("12-include/keepalived.conf"));
        return out.stream();
    }

    private static Path golden(Path conf, String ext) {
        String name = conf.getFileName().toString();
        return conf.resolveSibling(name.substring(0, name.length() - ".conf".length()) + ext);
    }

    private static List<String> messages(KeepalivedImport.Result r) {
        List<String> all = new ArrayList<>(r.warnings());
        all.addAll(r.notes());
        return all;
    }

    @Test
    void theCorpusCoversWhatTheIssueAsksFor() throws IOException {
        List<Path> files = corpus().toList();
        assertTrue(files.size() >= 12, files.toString());
        StringBuilder all = new StringBuilder();
        for (Path p : files) {
            all.append(Files.readString(p));
        }
        try (Stream<Path> s = Files.walk(CORPUS.resolve("12-include"))) {
            for (Path p :
                    s.filter(Files::isRegularFile)
                            .filter(p -> p.toString().endsWith(".conf"))
                            .toList()) {
                all.append(Files.readString(p));
            }
        }
        for (String k :
                List.of(
                        "lvs_method DR",
                        "lb_kind NAT",
                        "lvs_method TUN",
                        "virtual_server fwmark",
                        "persistence_timeout",
                        "sorry_server",
                        "digest",
                        "status_code",
                        "SSL_GET",
                        "MISC_CHECK",
                        "connect_port",
                        "virtual_server 2001:db8",
                        "include",
                        "DNS_CHECK",
                        "SMTP_CHECK",
                        "misc_dynamic")) {
            assertTrue(all.indexOf(k) >= 0, "the corpus has no " + k);
        }
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void printsTheReviewedConfigAndWarnings(Path conf) throws Exception {
        KeepalivedImport.Result r = KeepalivedImport.run(conf);
        assertEquals(Files.readString(golden(conf, ".cf")), r.config(), conf + ": output");
        assertEquals(
                Files.readAllLines(golden(conf, ".warnings")),
                messages(r),
                conf + ": warnings and notes");
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void theOutputParsesWithLdirectorsParser(Path conf) throws Exception {
        KeepalivedImport.Result r = KeepalivedImport.run(conf);
        Config c = ConfigParser.parse(r.config(), Path.of("imported.cf"), NameResolver.system());
        int virtuals = (int) r.config().lines().filter(l -> l.startsWith("virtual")).count();
        assertEquals(virtuals, c.virtuals().size());
        assertTrue(virtuals > 0, conf.toString());
        // the check extensions arrive in the parsed checks, not only in the text
        if (r.config().contains("\thttpdigest=") || r.config().contains("\tcheckurl=")) {
            assertTrue(
                    c.virtuals().stream().anyMatch(v -> !v.check().http().isNone()),
                    conf.toString());
        }
        if (r.config().contains("\texternalweight=yes")) {
            assertTrue(
                    c.virtuals().stream().allMatch(v -> v.check().externalWeight()),
                    conf.toString());
        }
    }

    /** "FILE:LINE: keyword: why": the line exists and begins with that keyword. */
    static final Pattern WARNING = Pattern.compile("^(.+?):(\\d+): ([A-Za-z0-9_-]+): (.+)$");

    @ParameterizedTest
    @MethodSource("corpus")
    void everyWarningNamesTheLineOfItsKeyword(Path conf) throws Exception {
        KeepalivedImport.Result r = KeepalivedImport.run(conf);
        for (String w : r.warnings()) {
            Matcher m = WARNING.matcher(w);
            assertTrue(m.matches(), w);
            List<String> lines = Files.readAllLines(Path.of(m.group(1)));
            String line = lines.get(Integer.parseInt(m.group(2)) - 1).strip();
            assertTrue(line.startsWith(m.group(3)), w + " but that line is: " + line);
        }
        assertEquals(r.warnings().isEmpty(), r.complete());
    }

    @Test
    void theReadmesWorkedExampleIsWhatTheImportPrints() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("\n## Coming from keepalived\n");
        assertTrue(at >= 0, "README has no Coming from keepalived section");
        String section = readme.substring(at, readme.indexOf("\n## ", at + 1));
        Path conf = CORPUS.resolve("14-readme-example.conf");
        KeepalivedImport.Result r = KeepalivedImport.run(conf);
        String asEtc = "/etc/keepalived/keepalived.conf";
        assertTrue(
                section.contains("```\n" + Files.readString(conf) + "```\n"),
                "the keepalived file");
        assertTrue(
                section.contains("```\n" + r.config().replace(conf.toString(), asEtc) + "```\n"),
                "the output");
        assertTrue(
                section.contains(
                        "```\n"
                                + String.join("\n", messages(r)).replace(conf.toString(), asEtc)
                                + "\n"),
                "the warnings");
        assertTrue(
                section.contains("ldirector: " + r.warnings().size() + " keywords of " + asEtc),
                "the summary");
    }

    private KeepalivedImport.Result text(String conf) throws IOException {
        Path p = dir.resolve("keepalived.conf");
        Files.writeString(p, conf);
        return KeepalivedImport.run(p);
    }

    @Test
    void keepalivedsDefaultsAreWrittenOut() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 80 {
                            protocol TCP
                            real_server 10.0.1.1 80 {
                                TCP_CHECK {
                                }
                            }
                        }
                        """);
        assertTrue(r.complete(), r.warnings().toString());
        // NAT, wlc, delay_loop 60, connect_timeout 5, retry 1: none of them ldirectord's defaults
        assertTrue(
                r.config()
                        .contains(
                                """
                                virtual=10.0.0.1:80
                                	real=10.0.1.1:80 masq
                                	scheduler=wlc
                                	protocol=tcp
                                	quiescent=no
                                	checktype=connect
                                	checktimeout=5
                                	checkinterval=60
                                	failurecount=2
                                """),
                r.config());
    }

    @Test
    void noProtocolIsUdpAsKeepalivedSetsItWithAWarning() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 53 {
                            ops
                            real_server 10.0.1.1 53 {
                            }
                        }
                        """);
        assertTrue(r.config().contains("\tprotocol=udp\n\tops=yes\n"), r.config());
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(
                r.warnings()
                        .get(0)
                        .contains(":1: virtual_server: no protocol: keepalived defaults to UDP"));
        // and a real without a checker stays up in keepalived: checktype=on
        assertTrue(r.config().contains("\tchecktype=on\n"));
    }

    @Test
    void oldKeywordNamesMapAsTheNewOnes() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 80 {
                            protocol TCP
                            lb_algo sh
                            lb_kind TUN
                            delay_loop 7
                            real_server 10.0.1.1 80 {
                                HTTP_GET {
                                    url {
                                        path /
                                        regex "up and running"
                                    }
                                    nb_get_retry 4
                                    delay_before_retry 7
                                }
                            }
                        }
                        """);
        assertTrue(r.complete(), r.warnings().toString());
        assertTrue(r.config().contains("real=10.0.1.1:80 ipip\n\tscheduler=sh\n"), r.config());
        assertTrue(r.config().contains("\treceive=\"up and running\"\n"), r.config());
        assertTrue(r.config().contains("\tcheckinterval=7\n\tfailurecount=5\n"), r.config());
    }

    @Test
    void whatCannotBeCarriedIsWarnedNeverDropped() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 80 {
                            protocol SCTP
                            delay_loop 10
                            lvs_method TUN type gue port 6080
                            real_server 10.0.1.1 80 {
                                MISC_CHECK {
                                    misc_path "/usr/bin/check --deep"
                                    user nobody
                                }
                            }
                            real_server 10.0.1.2 80 {
                                MISC_CHECK {
                                    misc_path "/usr/bin/check --deep"
                                    user nobody
                                    retry 2
                                    delay_before_retry 1
                                }
                            }
                            frobnicate
                        }
                        vrrp_script chk { script /bin/true }
                        made_up_block {
                        }
                        """);
        List<String> w = r.warnings();
        String f = dir.resolve("keepalived.conf").toString();
        assertTrue(
                w.contains(
                        f
                                + ":2: protocol: ldirector has no sctp virtual services (tcp, udp"
                                + " or a firewall mark): tcp written instead"),
                w.toString());
        assertTrue(
                w.stream()
                        .anyMatch(
                                x ->
                                        x.startsWith(
                                                f
                                                        + ":4: lvs_method: ldirector's ipip"
                                                        + " forwarding has no tunnel type options"
                                                        + " (type gue port 6080)")),
                w.toString());
        assertTrue(
                w.stream()
                        .anyMatch(x -> x.startsWith(f + ":6: MISC_CHECK: misc_path has arguments")),
                w.toString());
        assertTrue(w.stream().anyMatch(x -> x.startsWith(f + ":8: user: ")), w.toString());
        assertTrue(
                w.stream()
                        .anyMatch(
                                x ->
                                        x.startsWith(
                                                f
                                                        + ":12: MISC_CHECK: ldirectord checks every"
                                                        + " real of a virtual alike")),
                w.toString());
        assertTrue(w.stream().anyMatch(x -> x.startsWith(f + ":19: frobnicate: ")), w.toString());
        assertTrue(
                w.stream().anyMatch(x -> x.startsWith(f + ":22: made_up_block: ")), w.toString());
        assertTrue(r.config().contains("\tcheckcommand=\"/usr/bin/check\"\n"), r.config());
        assertEquals(
                List.of(
                        "note: left to keepalived, which keeps running VRRP and the addresses: "
                                + f
                                + ":21 vrrp_script chk"),
                r.notes());
        // the second real's own delay_before_retry is only in the check that is not used: still not
        // silent
        assertFalse(r.complete());
    }

    @Test
    void dnsChecksThatAreNotAnAQueryAreWarned() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 53 {
                            protocol UDP
                            real_server 10.0.1.1 53 {
                                DNS_CHECK {
                                }
                            }
                        }
                        """);
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(
                r.warnings()
                        .get(0)
                        .contains(":4: DNS_CHECK: ldirector's dns check asks an A query"),
                r.warnings().get(0));
        // DNS_CHECK's retry default is 3
        assertTrue(r.config().contains("\tfailurecount=4\n"), r.config());
    }

    @Test
    void bracesMayOpenOnTheNextLineOrCloseOnTheSame() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 80
                        {
                            protocol TCP   # a comment
                            real_server 10.0.1.1 80 { weight 3 } ! another
                            real_server 10.0.1.2 80{
                                HTTP_GET { url { path /a status_code 200 } url { path /b } }
                            }
                        }
                        """);
        // the first real has no checker: the only warning, on its line
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(
                r.warnings()
                        .get(0)
                        .contains("keepalived.conf:4: real_server: this real has no checker"),
                r.warnings().get(0));
        assertTrue(
                r.config().contains("real=10.0.1.1:80 masq 3\n\treal=10.0.1.2:80 masq\n"),
                r.config());
        assertTrue(r.config().contains("\tcheckurl=/b httpstatus=200-299\n"), r.config());
    }

    @Test
    void fractionalTimersAreRoundedUpToWholeSecondsWithAWarning() throws Exception {
        KeepalivedImport.Result r =
                text(
                        """
                        virtual_server 10.0.0.1 80 {
                            protocol TCP
                            delay_loop 2.5
                            real_server 10.0.1.1 80 {
                                TCP_CHECK {
                                    connect_timeout 0.2
                                }
                            }
                        }
                        """);
        String f = dir.resolve("keepalived.conf").toString();
        assertEquals(
                List.of(
                        f
                                + ":3: delay_loop: ldirector counts whole seconds (at least 1): 3"
                                + " written for 2.5",
                        f
                                + ":6: connect_timeout: ldirector counts whole seconds (at least"
                                + " 1): 1 written for 0.2"),
                r.warnings());
        assertTrue(r.config().contains("\tchecktimeout=1\n\tcheckinterval=3\n"), r.config());
    }

    @Test
    void aCommentMayStartInsideAWord() throws Exception {
        KeepalivedImport.Result r =
                text("virtual_server 10.0.0.1 80 {\n protocol TCP#tcp\n lvs_sched rr!robin\n}\n");
        assertTrue(r.complete(), r.warnings().toString());
        assertTrue(r.config().contains("\tscheduler=rr\n\tprotocol=tcp\n"), r.config());
    }

    /**
     * keepalived itself accepts every file of the corpus (skipped where keepalived is not
     * installed).
     */
    @ParameterizedTest
    @MethodSource("corpus")
    void keepalivedAcceptsTheCorpus(Path conf) throws Exception {
        Path keepalived = Path.of("/usr/sbin/keepalived");
        Assumptions.assumeTrue(Files.isExecutable(keepalived), "keepalived is not installed");
        Process p =
                new ProcessBuilder(
                                keepalived.toString(), "-t", "-f", conf.toAbsolutePath().toString())
                        .redirectErrorStream(true)
                        .start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), conf + ": keepalived -t says: " + said);
    }

    @Test
    void includeFollowsGlobsRelativeToTheIncludingFile() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc/conf.d"));
        Files.writeString(
                dir.resolve("etc/keepalived.conf"),
                "include conf.d/*.conf\ninclude missing/*.conf\n");
        Files.writeString(
                sub.resolve("b.conf"), "virtual_server 10.0.0.2 80 {\n protocol TCP\n}\n");
        Files.writeString(
                sub.resolve("a.conf"),
                "include ../more/x.conf\nvirtual_server 10.0.0.1 80 {\n protocol TCP\n}\n");
        Files.createDirectories(dir.resolve("etc/more"));
        Files.writeString(
                dir.resolve("etc/more/x.conf"), "virtual_server 10.0.0.3 80 {\n protocol TCP\n}\n");
        Files.writeString(sub.resolve(".hidden.conf"), "virtual_server 10.0.0.9 80 {\n}\n");
        KeepalivedImport.Result r = KeepalivedImport.run(dir.resolve("etc/keepalived.conf"));
        List<String> virtuals = r.config().lines().filter(l -> l.startsWith("virtual=")).toList();
        assertEquals(
                List.of("virtual=10.0.0.3:80", "virtual=10.0.0.1:80", "virtual=10.0.0.2:80"),
                virtuals);
        assertTrue(
                r.config()
                        .contains(
                                "# "
                                        + dir.resolve("etc/more/x.conf")
                                        + ":1 virtual_server 10.0.0.3 80\n"),
                r.config());
        assertEquals(
                List.of(
                        dir.resolve("etc/keepalived.conf")
                                + ":2: include missing/*.conf: no file matches"),
                r.warnings());
    }

    @Test
    void aFileThatIncludesItselfEnds() throws Exception {
        Files.writeString(dir.resolve("loop.conf"), "include loop.conf\n");
        KeepalivedImport.Result r = KeepalivedImport.run(dir.resolve("loop.conf"));
        assertTrue(
                r.warnings().stream().anyMatch(w -> w.contains("include nested deeper than")),
                r.warnings().toString());
    }

    @Test
    void unbalancedBracesAreReportedWithTheirLine() throws Exception {
        KeepalivedImport.Result r =
                text(
                        "virtual_server 10.0.0.1 80 {\n"
                                + " protocol TCP\n"
                                + "}\n"
                                + "}\n"
                                + "virtual_server 10.0.0.2 80 {\n");
        String f = dir.resolve("keepalived.conf").toString();
        assertTrue(r.warnings().contains(f + ":4: '}' closes no block"), r.warnings().toString());
        assertTrue(r.warnings().contains(f + ":5: '{' is never closed"), r.warnings().toString());
    }
}
