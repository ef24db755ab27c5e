package org.ldirector.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rpm/build-deb.sh on the jar `mvn package` just built (so this runs in the failsafe phase, as
 * {@link RpmPackageTest}): the control fields, the conffiles, the same files in the same places as
 * the RPM spec's %files, maintainer scripts that parse, man pages that render, and dpkg itself
 * installing, switching from ldirectord, removing and purging it in a scratch root (no systemd).
 */
@Tag("package")
class DebPackageTest {
    /** The one file Debian requires that the RPM has no place for (its %license is LICENSE). */
    static final String DEBIAN_ONLY = "/usr/share/doc/ldirector/copyright";

    @TempDir static Path out;
    static Path deb;

    static String run(String... argv) throws Exception {
        return run(Map.of(), argv);
    }

    static String run(Map<String, String> env, String... argv) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(argv)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + String.join(" ", argv));
        assertEquals(0, p.exitValue(), String.join(" ", argv) + "\n" + text);
        return text;
    }

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(
                new File("/usr/bin/dpkg-deb").canExecute(),
                "dpkg-deb missing (test-fixtures/deps/pkg.txt lists dpkg)");
        assertTrue(
                Files.isRegularFile(Path.of("target/ldirector.jar")),
                "mvn package has not built the jar");
        deb = Path.of(run("rpm/build-deb.sh", out.resolve("deb").toString()).strip());
        assertTrue(Files.isRegularFile(deb), deb.toString());
    }

    static String field(String name) throws Exception {
        return run("dpkg-deb", "-f", deb.toString(), name).strip();
    }

    @Test
    void controlFieldsDependOnJava17NotIpvsadmAndReplaceLdirectord() throws Exception {
        assertEquals("ldirector", field("Package"));
        assertEquals("all", field("Architecture"));
        assertTrue(
                field("Version").matches("\\d+\\.\\d+\\.\\d+(~[A-Za-z0-9.]+)?-\\d+"),
                field("Version"));
        // Debian 12's default JRE is 17; elsewhere (Ubuntu 22.04) any JRE that provides Java 17
        assertEquals(
                "default-jre-headless (>= 2:1.17) | java17-runtime-headless", field("Depends"));
        for (String relation : List.of("Pre-Depends", "Depends", "Recommends")) {
            assertFalse(
                    field(relation).contains("ipvsadm"),
                    "ldirector programs IPVS over netlink itself: " + relation);
        }
        // a switch is one `apt install`: Conflicts removes ldirectord, Replaces takes over its
        // conffile
        assertEquals("ldirectord", field("Conflicts"));
        assertEquals("ldirectord", field("Replaces"));
        assertTrue(
                Integer.parseInt(field("Installed-Size"))
                        > Files.size(Path.of("target/ldirector.jar")) / 1024);
    }

    @Test
    void conffilesAreTheSpecsConfigFiles() throws Exception {
        assertEquals(specFiles().config(), run("dpkg-deb", "-I", deb.toString(), "conffiles"));
        assertEquals(
                "/etc/ha.d/ldirectord.cf\n/etc/logrotate.d/ldirector\n",
                run("dpkg-deb", "-I", deb.toString(), "conffiles"));
    }

    /**
     * The spec's %files with Debian's values of its macros: files (globs allowed) and %dir entries.
     */
    record Spec(List<String> files, List<String> dirs, String config) {}

    static Spec specFiles() throws IOException {
        Map<String, String> macros =
                Map.of(
                        "_sbindir",
                        "/usr/sbin",
                        "_datadir",
                        "/usr/share",
                        "_unitdir",
                        "/usr/lib/systemd/system",
                        "_sysconfdir",
                        "/etc",
                        "_docdir",
                        "/usr/share/doc",
                        "_mandir",
                        "/usr/share/man");
        String spec = Files.readString(Path.of("rpm/ldirector.spec"));
        int start = spec.indexOf("\n%files\n");
        int end = spec.indexOf("\n%changelog", start);
        assertTrue(start > 0 && end > start, "no %files section in the spec");
        List<String> files = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        StringBuilder config = new StringBuilder();
        for (String raw : spec.substring(start + 8, end).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = Pattern.compile("%\\{(\\w+)}").matcher(line);
            StringBuilder expanded = new StringBuilder();
            while (m.find()) {
                assertTrue(macros.containsKey(m.group(1)), "unknown macro in %files: " + line);
                m.appendReplacement(expanded, Matcher.quoteReplacement(macros.get(m.group(1))));
            }
            m.appendTail(expanded);
            String[] words = expanded.toString().split("\\s+");
            String path = words[words.length - 1];
            if (line.startsWith("%dir ")) {
                dirs.add(path);
            } else {
                files.add(path);
                if (line.startsWith("%config")) {
                    config.append(path).append('\n');
                }
            }
        }
        return new Spec(files, dirs, config.toString());
    }

    /** dpkg-deb -c as path -> "mode owner" (directories end in /). */
    static Map<String, String> contents() throws Exception {
        Map<String, String> entries = new TreeMap<>();
        for (String line : run("dpkg-deb", "-c", deb.toString()).split("\n")) {
            String[] f = line.trim().split("\\s+");
            String path = f[f.length - 1].substring(1); // "./usr/..." -> "/usr/..."
            entries.put(path, f[0] + " " + f[1]);
        }
        return entries;
    }

    @Test
    void holdsTheSpecsFilesInTheSamePlacesWithTheSameModes() throws Exception {
        Map<String, String> entries = contents();
        TreeSet<String> debFiles = new TreeSet<>();
        entries.forEach(
                (path, mode) -> {
                    assertTrue(mode.endsWith(" root/root"), path + " " + mode);
                    if (!path.endsWith("/")) {
                        debFiles.add(path);
                    }
                });
        Spec spec = specFiles();
        TreeSet<String> unmatched = new TreeSet<>(debFiles);
        unmatched.remove(DEBIAN_ONLY);
        for (String entry : spec.files()) {
            Pattern glob = Pattern.compile(Pattern.quote(entry).replace("*", "\\E[^/]*\\Q"));
            List<String> hits = debFiles.stream().filter(f -> glob.matcher(f).matches()).toList();
            assertEquals(
                    1,
                    hits.size(),
                    "%files "
                            + entry
                            + " matches "
                            + hits
                            + " in the .deb:\n"
                            + String.join("\n", debFiles));
            unmatched.removeAll(hits);
        }
        assertEquals(new TreeSet<>(), unmatched, "in the .deb but not in the spec's %files");
        for (String dir : spec.dirs()) {
            assertTrue(
                    entries.containsKey(dir + "/"),
                    "%dir " + dir + " is not a directory in the .deb");
        }
        assertTrue(debFiles.contains(DEBIAN_ONLY));
        assertTrue(entries.get("/usr/sbin/ldirector").startsWith("-rwxr-xr-x "));
        assertTrue(
                entries.get("/usr/lib/ocf/resource.d/ldirector/ldirector")
                        .startsWith("-rwxr-xr-x "));
        assertTrue(
                entries.get("/etc/ha.d/ldirectord.cf").startsWith("-rw------- "),
                "the config may hold passwords");
        // the packaged jar is the one that was built
        Path x = out.resolve("x");
        run("dpkg-deb", "-x", deb.toString(), x.toString());
        assertEquals(
                -1L,
                Files.mismatch(
                        Path.of("target/ldirector.jar"),
                        x.resolve("usr/share/ldirector/ldirector.jar")));
        for (String unit : List.of("ldirector.service", "ldirector@.service")) {
            assertEquals(
                    -1L,
                    Files.mismatch(
                            Path.of("systemd", unit), x.resolve("usr/lib/systemd/system/" + unit)));
        }
    }

    @Test
    void theManPagesAreTheSourcesCompressedAndRenderWithoutWarnings() throws Exception {
        Path x = out.resolve("man");
        run("dpkg-deb", "-x", deb.toString(), x.toString());
        for (String page : List.of("man8/ldirector.8", "man5/ldirector.cf.5")) {
            Path gz = x.resolve("usr/share/man/" + page + ".gz");
            byte[] text;
            try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                text = in.readAllBytes();
            }
            String source = page.substring(page.indexOf('/') + 1);
            assertEquals(
                    Files.readString(Path.of("src/main/man", source)),
                    new String(text, StandardCharsets.UTF_8),
                    page);
            if (new File("/usr/bin/groff").canExecute()) {
                Path plain = out.resolve(source);
                Files.write(plain, text);
                assertEquals(
                        "",
                        run("groff", "-ww", "-z", "-man", plain.toString()),
                        page + " renders with warnings");
            }
        }
    }

    @Test
    void maintainerScriptsParseAndHandleEveryInstance() throws Exception {
        Path control = out.resolve("control");
        run("dpkg-deb", "-e", deb.toString(), control.toString());
        for (String script : List.of("preinst", "postinst", "prerm", "postrm")) {
            Path s = control.resolve(script);
            assertEquals(
                    "rwxr-xr-x",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(s)),
                    script);
            run("sh", "-n", s.toString());
            String text = Files.readString(s);
            assertTrue(text.startsWith("#!/bin/sh\n"), script);
            assertFalse(text.contains("@SAMPLE_MD5@"), script + " has an unfilled placeholder");
            assertFalse(text.contains("ipvsadm"), script + " must not touch the table");
        }
        String postinst = Files.readString(control.resolve("postinst"));
        String prerm = Files.readString(control.resolve("prerm"));
        // both the default unit and every running ldirector@NAME
        assertTrue(postinst.contains("'ldirector.service' 'ldirector@*.service'"), postinst);
        assertTrue(prerm.contains("'ldirector.service' 'ldirector@*.service'"), prerm);
        // Debian's tools, as dh_installsystemd uses them
        assertTrue(postinst.contains("deb-systemd-helper enable 'ldirector.service'"), postinst);
        // the upgrade's restart of a unit whose daemon just exited: deb-systemd-invoke would not
        // start it again when it is not enabled (started by hand), so systemctl, after policy-rc.d
        assertTrue(postinst.contains("systemctl restart \"$unit\""), postinst);
        assertFalse(postinst.contains("deb-systemd-invoke restart"), postinst);
        assertTrue(postinst.contains("/usr/sbin/policy-rc.d \"$unit\" restart"), postinst);
        assertTrue(prerm.contains("deb-systemd-invoke stop \"$unit\""), prerm);
        // an upgrade never runs the clean stop: the old daemon exits on PWR leaving the table, the
        // new one adopts it
        assertTrue(
                postinst.contains("systemctl kill --kill-who=main --signal=SIGPWR \"$unit\""),
                postinst);
        assertFalse(postinst.contains("SIGKILL"), postinst);
        assertFalse(postinst.contains("deb-systemd-invoke stop"), postinst);
        assertTrue(
                prerm.contains("[ \"$1\" = remove ]"),
                "prerm stops on remove only, not on upgrade:\n" + prerm);
        assertTrue(postinst.matches("(?s).*SAMPLE_MD5=[0-9a-f]{32}\n.*"), postinst);
        // the class data sharing archive for the installed jar: bounded, and a failure is one line,
        // never a failed install
        assertTrue(
                postinst.contains(
                        "timeout 300 /usr/sbin/ldirector --build-cds >/dev/null 2>&1 \\\n"
                                + "        || echo \"ldirector: no class data sharing archive built"
                                + " now; the first start builds one\" >&2\n"),
                postinst);
        assertTrue(
                Pattern.compile(
                                "if \\[ \"\\$1\" = configure \\]; then\n"
                                        + "[^f]*if \\[ -z \"\\$root\" \\]; then\n"
                                        + "\\s*build_cds_archive\n")
                        .matcher(postinst)
                        .find(),
                "built on configure, never into a DPKG_ROOT:\n" + postinst);
        String postrm = Files.readString(control.resolve("postrm"));
        assertTrue(postrm.contains("rm -rf \"$root/var/cache/ldirector\""), postrm);
    }

    // ---- dpkg itself, in a scratch root: scripts run chrootless with DPKG_ROOT set, as dpkg does
    // ----

    static Path scratchRoot(String name) throws IOException {
        Path root = out.resolve(name);
        for (String d :
                List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(root.resolve("var/lib/dpkg/available"), "");
        return root;
    }

    static String dpkg(Path root, String... args) throws Exception {
        List<String> argv =
                new ArrayList<>(
                        List.of(
                                "dpkg",
                                "--root=" + root,
                                "--force-script-chrootless",
                                "--force-depends",
                                "--no-triggers",
                                "--force-confdef",
                                "--force-confold"));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    /**
     * dpkg's word for the package's state; a package dpkg has forgotten (purged) is not-installed.
     */
    static String status(Path root, String pkg) throws Exception {
        Process p =
                new ProcessBuilder(
                                "dpkg-query", "--root=" + root, "-W", "-f=${db:Status-Status}", pkg)
                        .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue() == 0 && !text.isEmpty() ? text : "not-installed";
    }

    static boolean canInstall() throws Exception {
        return new File("/usr/bin/dpkg").canExecute()
                && run("id", "-u").strip().equals("0")
                && new File("/usr/bin/deb-systemd-helper").canExecute();
    }

    /** A stand-in for Debian's ldirectord with its two conffiles that matter here. */
    static Path fakeLdirectord() throws Exception {
        Path pkg = out.resolve("fake-ldirectord");
        Files.createDirectories(pkg.resolve("DEBIAN"));
        Files.createDirectories(pkg.resolve("etc/logrotate.d"));
        Files.createDirectories(pkg.resolve("etc/ha.d"));
        Files.writeString(
                pkg.resolve("DEBIAN/control"),
                "Package: ldirectord\n"
                        + "Version: 1:4.12.0-2\n"
                        + "Architecture: all\n"
                        + "Maintainer: test <test@localhost>\n"
                        + "Description: stand-in for Debian's ldirectord\n");
        Files.writeString(
                pkg.resolve("DEBIAN/conffiles"),
                "/etc/ha.d/ldirectord.cf\n/etc/logrotate.d/ldirectord\n");
        // Debian's ldirectord ships these two, word for word
        Files.writeString(
                pkg.resolve("etc/logrotate.d/ldirectord"),
                "/var/log/ldirectord.log {\n    missingok\n}\n");
        Files.writeString(pkg.resolve("etc/ha.d/ldirectord.cf"), "# Dummy configuration file.\n");
        Path built = out.resolve("ldirectord_all.deb");
        run("dpkg-deb", "--root-owner-group", "--build", pkg.toString(), built.toString());
        return built;
    }

    /**
     * logrotate's own verdict on the root's /etc/logrotate.d (-d: read and plan, rotate nothing).
     */
    static void logrotateAccepts(Path root) throws Exception {
        if (!new File("/usr/sbin/logrotate").canExecute()) {
            return;
        }
        Path conf = out.resolve(root.getFileName() + "-logrotate.conf");
        Files.writeString(conf, "include " + root.resolve("etc/logrotate.d") + "\n");
        run(
                "/usr/sbin/logrotate",
                "-d",
                "-s",
                out.resolve(root.getFileName() + "-logrotate.state").toString(),
                conf.toString());
    }

    static boolean enabled(Path root, String unit) {
        return Files.isSymbolicLink(
                root.resolve("etc/systemd/system/multi-user.target.wants/" + unit));
    }

    @Test
    void aFreshInstallWithTheSampleConfigLeavesTheUnitDisabled() throws Exception {
        assumeTrue(
                canInstall(),
                "installing into a scratch root needs root, dpkg and deb-systemd-helper");
        Path root = scratchRoot("fresh");
        dpkg(root, "-i", deb.toString());
        assertEquals("installed", status(root, "ldirector"));
        assertEquals(
                -1L,
                Files.mismatch(
                        Path.of("etc/ha.d/ldirectord.cf"), root.resolve("etc/ha.d/ldirectord.cf")));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(root.resolve("etc/ha.d/ldirectord.cf"))));
        // the sample would program 10.77.0.100: not enabled, but recorded so upgrades keep it off
        assertFalse(enabled(root, "ldirector.service"));
        assertTrue(
                Files.exists(
                        root.resolve(
                                "var/lib/systemd/deb-systemd-helper-enabled/ldirector.service.dsh-also")));
        dpkg(root, "-i", deb.toString()); // an upgrade (reinstall) keeps it so
        assertFalse(enabled(root, "ldirector.service"));
        logrotateAccepts(root);
    }

    @Test
    void purgingLdirectordAfterTheSwitchLeavesNoLogrotateEntryBehind() throws Exception {
        assumeTrue(
                canInstall(),
                "installing into a scratch root needs root, dpkg and deb-systemd-helper");
        Path root = scratchRoot("purge-ldirectord");
        dpkg(root, "-i", fakeLdirectord().toString());
        dpkg(root, "-i", deb.toString());
        Path logrotate = root.resolve("etc/logrotate.d");
        assertTrue(Files.exists(logrotate.resolve("ldirectord.dpkg-old")));
        // the name it was set aside under is one dpkg deletes with the package's conffiles
        dpkg(root, "-P", "ldirectord");
        assertEquals("not-installed", status(root, "ldirectord"));
        dpkg(root, "-r", "ldirector");
        try (var left = Files.list(logrotate)) {
            assertEquals(
                    List.of("ldirector.dpkg-bak"),
                    left.map(f -> f.getFileName().toString()).toList());
        }
        logrotateAccepts(root);
    }

    @Test
    void switchingFromLdirectordIsOneInstallAndLogrotateKeepsWorking() throws Exception {
        assumeTrue(
                canInstall(),
                "installing into a scratch root needs root, dpkg and deb-systemd-helper");
        Path root = scratchRoot("switch");
        dpkg(root, "-i", fakeLdirectord().toString());
        Files.writeString(
                root.resolve("etc/ha.d/ldirectord.cf"),
                "virtual=192.0.2.1:80\n\treal=192.0.2.11:80 gate\n");

        // dpkg removes ldirectord in favour of ldirector (Conflicts + Replaces), as apt does
        dpkg(root, "-i", deb.toString());
        assertEquals("installed", status(root, "ldirector"));
        assertEquals("config-files", status(root, "ldirectord"));
        assertEquals(
                "virtual=192.0.2.1:80\n\treal=192.0.2.11:80 gate\n",
                Files.readString(root.resolve("etc/ha.d/ldirectord.cf")),
                "the operator's config is kept");
        assertTrue(enabled(root, "ldirector.service"), "an operator's config runs at boot");
        // ldirectord's leftover logrotate conffile would make logrotate fail with "duplicate log
        // entry"
        Path logrotate = root.resolve("etc/logrotate.d");
        assertFalse(Files.exists(logrotate.resolve("ldirectord")));
        assertTrue(Files.exists(logrotate.resolve("ldirectord.dpkg-old")));
        assertTrue(Files.exists(logrotate.resolve("ldirector")));
        logrotateAccepts(root);

        // an instance the operator enabled; removal leaves no entry that clashes with ldirectord's
        Files.createSymbolicLink(
                root.resolve("etc/systemd/system/multi-user.target.wants/ldirector@web.cf.service"),
                Path.of("/usr/lib/systemd/system/ldirector@.service"));
        dpkg(root, "-r", "ldirector");
        assertEquals("config-files", status(root, "ldirector"));
        assertTrue(
                Files.exists(logrotate.resolve("ldirectord")),
                "ldirectord's conffile is back for its reinstall");
        assertFalse(Files.exists(logrotate.resolve("ldirector")));
        logrotateAccepts(root);

        // reinstalled: our entry is back, ldirectord's set aside again
        dpkg(root, "-i", deb.toString());
        assertTrue(Files.exists(logrotate.resolve("ldirector")));
        assertFalse(Files.exists(logrotate.resolve("ldirectord")));
        logrotateAccepts(root);

        // a class data sharing archive a start built (CacheDirectory=ldirector): kept on remove,
        // gone on purge
        Path cache = root.resolve("var/cache/ldirector");
        Files.createDirectories(cache);
        Files.writeString(cache.resolve("ldirector-1-2-3-4.jsa"), "archive");
        dpkg(root, "-r", "ldirector");
        assertTrue(
                Files.exists(cache.resolve("ldirector-1-2-3-4.jsa")),
                "remove keeps the cache, as it keeps conffiles");
        dpkg(root, "-P", "ldirector");
        assertEquals("not-installed", status(root, "ldirector"));
        assertFalse(Files.exists(cache), "purge removes /var/cache/ldirector");
        assertFalse(Files.exists(logrotate.resolve("ldirector.dpkg-bak")));
        assertTrue(Files.exists(logrotate.resolve("ldirectord")));
        assertFalse(enabled(root, "ldirector.service"));
        assertFalse(
                Files.exists(
                        root.resolve(
                                "etc/systemd/system/multi-user.target.wants/ldirector@web.cf.service"),
                        LinkOption.NOFOLLOW_LINKS),
                "a purged template leaves no dangling instance link");
        logrotateAccepts(root);
    }
}
