package org.ldirector.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rpm/build-rpm.sh on the jar `mvn package` just built (so this runs in the failsafe phase): the
 * package holds what an operator expects where they expect it, and its scriptlets are the systemd
 * ones.
 */
@Tag("package")
class RpmPackageTest {
    @TempDir static Path out;
    static Path rpm;

    static String run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + String.join(" ", argv));
        assertEquals(0, p.exitValue(), String.join(" ", argv) + "\n" + text);
        return text;
    }

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(
                new File("/usr/bin/rpmbuild").canExecute(),
                "rpmbuild missing (test-fixtures/deps/pkg.txt lists rpm)");
        assertTrue(
                Files.isRegularFile(Path.of("target/ldirector.jar")),
                "mvn package has not built the jar");
        run("rpm/build-rpm.sh", out.toString());
        try (var files = Files.list(out)) {
            rpm = files.filter(f -> f.toString().endsWith(".noarch.rpm")).findFirst().orElseThrow();
        }
    }

    @Test
    void holdsTheDaemonTheUnitsTheConfigTheAgentAndLogrotate() throws Exception {
        List<String> files =
                new ArrayList<>(
                        Arrays.asList(run("rpm", "-qlp", rpm.toString()).strip().split("\n")));
        for (String f :
                List.of(
                        "/usr/sbin/ldirector",
                        "/usr/share/ldirector/ldirector.jar",
                        "/usr/lib/systemd/system/ldirector.service",
                        "/usr/lib/systemd/system/ldirector@.service",
                        "/etc/ha.d/ldirectord.cf",
                        "/etc/logrotate.d/ldirector",
                        "/usr/lib/ocf/resource.d/ldirector/ldirector")) {
            assertTrue(files.contains(f), f + " not in\n" + String.join("\n", files));
        }
        // the man pages, compressed or not (Fedora's brp-compress gzips them, Debian's rpm cannot)
        for (String page :
                List.of("/usr/share/man/man8/ldirector.8", "/usr/share/man/man5/ldirector.cf.5")) {
            assertTrue(
                    files.contains(page) || files.contains(page + ".gz"),
                    page + " not in\n" + String.join("\n", files));
        }
        String configs = run("rpm", "-qcp", rpm.toString());
        assertEquals(
                "/etc/ha.d/ldirectord.cf\n/etc/logrotate.d/ldirector\n",
                configs,
                "the %config(noreplace) files");
        String modes =
                run("rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILENAMES}\n]", rpm.toString());
        assertTrue(modes.contains("-rwxr-xr-x /usr/sbin/ldirector\n"), modes);
        assertTrue(
                modes.contains("-rw------- /etc/ha.d/ldirectord.cf\n"),
                "the config may hold passwords:\n" + modes);
        // the packaged jar is the one that was built
        assertTrue(
                run("rpm", "-qp", "--qf", "[%{FILESIZES} %{FILENAMES}\n]", rpm.toString())
                        .contains(
                                Files.size(Path.of("target/ldirector.jar"))
                                        + " /usr/share/ldirector/ldirector.jar\n"));
    }

    @Test
    void requiresAJava17RuntimeButNotIpvsadmAndConflictsWithLdirectord() throws Exception {
        String requires = run("rpm", "-qp", "--requires", rpm.toString());
        assertTrue(
                requires.contains(
                        "(java-17-openjdk-headless or java-21-openjdk-headless or"
                                + " java-latest-openjdk-headless)"),
                requires);
        assertTrue(!requires.contains("ipvsadm"), requires);
        assertTrue(run("rpm", "-qp", "--conflicts", rpm.toString()).contains("ldirectord"));
        assertTrue(run("rpm", "-qp", "--qf", "%{ARCH}", rpm.toString()).equals("noarch"));
    }

    @Test
    void scriptletsPresetEnableAndRestartThroughSystemd() throws Exception {
        String scripts = run("rpm", "-qp", "--scripts", rpm.toString());
        assertTrue(scripts.contains("postinstall scriptlet"), scripts);
        assertTrue(scripts.contains("systemctl --no-reload preset ldirector.service"), scripts);
        assertTrue(scripts.contains("preuninstall scriptlet"), scripts);
        assertTrue(scripts.contains("disable --now ldirector.service"), scripts);
        assertTrue(scripts.contains("postuninstall scriptlet"), scripts);
        // every running unit, instances included; restarted after the daemon's PWR exit, which
        // leaves the table, never through the clean stop that would remove the virtual services
        assertTrue(
                scripts.contains("--state=active 'ldirector.service' 'ldirector@*.service'"),
                scripts);
        assertTrue(
                scripts.contains("systemctl kill --kill-who=main --signal=SIGPWR \"$unit\""),
                scripts);
        assertFalse(scripts.contains("SIGKILL"), scripts);
        assertTrue(scripts.contains("systemctl restart \"$unit\""), scripts);
        assertTrue(
                !scripts.contains("try-restart"), "try-restart runs the clean stop:\n" + scripts);
        // erase stops the instances and disables the ones the operator enabled
        assertTrue(scripts.contains("--state=active 'ldirector@*.service'"), scripts);
        assertTrue(scripts.contains("systemctl --no-reload disable \"${link##*/}\""), scripts);
    }

    @Test
    void hasNoPlaceholderUrl() throws Exception {
        // the project has no public home page: no URL beats an invented one
        assertEquals("(none)", run("rpm", "-qp", "--qf", "%{URL}", rpm.toString()));
    }

    /**
     * The lines from the main pid's lookup to the restart, comments left out: how an upgrade hands
     * the table over.
     */
    static String handover(String script) {
        int from = script.indexOf("pid=$(systemctl show -p MainPID --value \"$unit\"");
        int restart = script.indexOf("systemctl restart \"$unit\"", from);
        assertTrue(from >= 0 && restart > from, "no table handover in\n" + script);
        int end = script.indexOf('\n', restart);
        return script.substring(from, end < 0 ? script.length() : end)
                .lines()
                .map(String::strip)
                .filter(l -> !l.startsWith("#"))
                .map(l -> l.replace("|| :", "|| true"))
                .collect(Collectors.joining("\n"));
    }

    /** The archive build, the command and its fallback line, as one string. */
    static String buildCds(String script) {
        Matcher m =
                Pattern.compile(
                                "\n"
                                        + "\\s*(timeout \\d+ /usr/sbin/ldirector --build-cds [^\n"
                                        + "]*\\\\\n"
                                        + "\\s*\\|\\| echo [^\n"
                                        + "]*)\n")
                        .matcher(script);
        assertTrue(m.find(), "no archive build in\n" + script);
        return m.group(1).replaceAll("\\s+", " ");
    }

    @Test
    void upgradesHandTheTableOverAsTheDebDoesAndBothPackagesHoldTheSameFiles() throws Exception {
        Path debOut = out.resolve("deb");
        Path deb = Path.of(run("rpm/build-deb.sh", debOut.toString()).strip());
        Path control = debOut.resolve("control");
        run("dpkg-deb", "-e", deb.toString(), control.toString());
        String postinst = Files.readString(control.resolve("postinst"));
        String postun = run("rpm", "-qp", "--scripts", rpm.toString());
        postun = postun.substring(postun.indexOf("postuninstall scriptlet"));
        // the same steps (Debian's postinst asks policy-rc.d first, which RPM systems do not have)
        assertEquals(handover(postinst), handover(postun));
        // the class data sharing archive: built by the same bounded step that cannot fail the
        // install,
        // removed when the package goes (the .deb on purge, the RPM on erase)
        String all = run("rpm", "-qp", "--scripts", rpm.toString());
        String post =
                all.substring(
                        all.indexOf("postinstall scriptlet"),
                        all.indexOf("preuninstall scriptlet"));
        assertEquals(buildCds(postinst), buildCds(post));
        assertTrue(
                Pattern.compile("if \\[ \\$1 -eq 0 \\]; then\n\\s*rm -rf /var/cache/ldirector\n")
                        .matcher(postun)
                        .find(),
                postun);

        // file by file with its mode, as installed; Debian adds its copyright file, and gzips man
        // pages
        // where the RPM leaves that to the build host's brp-compress
        Set<String> debFiles = new TreeSet<>();
        for (String line : run("dpkg-deb", "-c", deb.toString()).split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 6 && f[0].startsWith("-")) {
                String path = f[5].substring(1);
                if (!path.equals("/usr/share/doc/ldirector/copyright")) {
                    debFiles.add(f[0] + " " + path.replaceAll("(/man/man\\d/[^/]+)\\.gz$", "$1"));
                }
            }
        }
        Set<String> rpmFiles = new TreeSet<>();
        for (String line :
                run("rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILENAMES}\n]", rpm.toString())
                        .split("\n")) {
            if (line.startsWith("-")) {
                rpmFiles.add(line.replaceAll("(/man/man\\d/[^/]+)\\.gz$", "$1"));
            }
        }
        assertEquals(String.join("\n", rpmFiles), String.join("\n", debFiles));
        assertTrue(rpmFiles.size() >= 11, rpmFiles.toString());
    }
}
