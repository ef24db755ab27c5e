package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldirector.keepalived.KeepalivedImport;
import org.ldirector.keepalived.KeepalivedParser;

/** The host-side pieces of the keepalived differential test, without a kernel. */
class KeepalivedDifferentialSupportTest {

    private static final String CONF =
            """
            ! a comment with digest 00 and delay_loop 60
            virtual_server 10.0.0.1 80 {
                delay_loop 60
                lvs_method DR
                protocol TCP
                real_server 10.0.0.11 80 {
                    HTTP_GET {
                        url {
                            path /index.html
                            digest 9B3A0C85A887A256D6939DA88AABD8CD
                            status_code 200
                        }
                        url {
                            path /ready/
                            digest 00112233445566778899aabbccddeeff
                        }
                        delay_before_retry 60
                        connect_port 8080
                    }
                }
                real_server 10.0.0.12 80 {
                    TCP_CHECK {
                        bindto 10.0.0.250
                        delay_before_retry 5
                    }
                }
            }
            virtual_server 10.0.0.1 53 {
                delay_loop 1
                protocol UDP
                real_server 10.0.0.12 53 {
                    DNS_CHECK {
                        name example.com
                    }
                }
                real_server 10.0.0.13 0 {
                    TCP_CHECK {
                    }
                }
                real_server 10.0.0.14 3306 {
                    MISC_CHECK {
                        misc_path "/usr/local/bin/check-mysql --quick"
                        misc_dynamic
                    }
                }
            }
            """;

    @Test
    void substitutesDigestsScriptAndDelaysOnlyAndKeepsEveryOtherLine() {
        String out = KeepalivedCorpusCopy.substitute(CONF, "/run/t/misc-check");
        String index = KeepalivedCorpusCopy.md5("keepalived differential /index.html\n");
        String slash = KeepalivedCorpusCopy.md5("keepalived differential /ready/\n");
        String expected =
                CONF.replace("    delay_loop 60", "    delay_loop 2")
                        .replace("digest 9B3A0C85A887A256D6939DA88AABD8CD", "digest " + index)
                        .replace("digest 00112233445566778899aabbccddeeff", "digest " + slash)
                        // as long as the virtual's delay_loop, so as long as the new one
                        .replace("delay_before_retry 60", "delay_before_retry 2")
                        // shorter than the delay_loop: shorter than the new one
                        .replace("delay_before_retry 5", "delay_before_retry 1")
                        .replace(
                                "misc_path \"/usr/local/bin/check-mysql --quick\"",
                                "misc_path /run/t/misc-check");
        assertEquals(expected, out);
        // the known MD5 of "hello", so md5() is the digest keepalived's genhash prints
        assertEquals("5d41402abc4b2a76b9719d911017c592", KeepalivedCorpusCopy.md5("hello"));
    }

    @Test
    void aDigestWithoutAPathIsAnError() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KeepalivedCorpusCopy.substitute("url {\n digest 00\n}\n", "/x"));
    }

    @Test
    void realsComeFromTheCheckersOfKeepalivedsSide(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("k.conf"), CONF);
        KeepalivedCorpusCopy.Reals reals =
                KeepalivedCorpusCopy.reals(KeepalivedParser.parse(conf, p -> {}));
        assertEquals(
                List.of(
                        "http 10.0.0.11 8080", // connect_port
                        "dns 10.0.0.12 53",
                        "tcp 10.0.0.12 80",
                        // 10.0.0.13 checks port 0 and 10.0.0.14 runs a script: their addresses only
                        "addr 10.0.0.11",
                        "addr 10.0.0.12",
                        "addr 10.0.0.13",
                        "addr 10.0.0.14",
                        // the virtuals' address and the bindto address are the director's
                        "local 10.0.0.1",
                        "local 10.0.0.250"),
                reals.lines());
        // a path ending in / is served from its index.html (httpd.py)
        assertEquals(
                Map.of(
                        "10.0.0.11",
                        Map.of(
                                "/index.html", "keepalived differential /index.html\n",
                                "/ready/index.html", "keepalived differential /ready/\n")),
                reals.docroots());
    }

    @Test
    void twoPathsServedFromOneFileAreRefused(@TempDir Path dir) throws Exception {
        Path conf =
                Files.writeString(dir.resolve("k.conf"), CONF.replace("path /ready/", "path /"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> KeepalivedCorpusCopy.reals(KeepalivedParser.parse(conf, p -> {})));
        assertEquals(
                "10.0.0.11 serves /index.html for two url paths with different bodies",
                e.getMessage());
    }

    @Test
    void theWholeCorpusSubstitutesAndImportsCompletely(@TempDir Path dir) throws Exception {
        Path corpus = UmlHarness.projectRoot().resolve("test-fixtures/keepalived");
        for (String name : KeepalivedDifferentialTest.PHASES.keySet()) {
            Path source = corpus.resolve(name + ".conf");
            if (!Files.exists(source)) {
                continue; // 12-include: its includes are relative; KeepalivedDifferentialTest
                // copies the tree
            }
            Path copy =
                    Files.writeString(
                            dir.resolve(name + ".conf"),
                            KeepalivedCorpusCopy.substitute(
                                    Files.readString(source), "/run/t/misc-check"));
            KeepalivedImport.Result original = KeepalivedImport.run(source);
            KeepalivedImport.Result imported = KeepalivedImport.run(copy);
            // the substitutions change no mapping: a warning for the same keyword on the same line
            assertEquals(
                    lineAndKeyword(original.warnings()), lineAndKeyword(imported.warnings()), name);
            assertEquals(
                    original.config()
                            .lines()
                            .filter(l -> l.startsWith("virtual") || l.startsWith("\treal"))
                            .toList(),
                    imported.config()
                            .lines()
                            .filter(l -> l.startsWith("virtual") || l.startsWith("\treal"))
                            .toList(),
                    name);
        }
    }

    private static List<String> lineAndKeyword(List<String> warnings) {
        return warnings.stream()
                .map(w -> w.replaceAll("^.*?\\.conf:(\\d+): (\\S+):.*$", "$1 $2"))
                .toList();
    }
}
