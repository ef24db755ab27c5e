package org.ldirector.uml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 26's side-by-side run: the Perl ldirectord and ldirector, one after the other in the same
 * kernel, on one config whose {@code receive=} regexes depend on Perl's semantics and whose
 * quiescent virtual has a real that is down from the start. Both IPVS tables, read back with {@code
 * ipvsadm -Sn}, must be equal and must hold what Perl decides:
 *
 * <ul>
 *   <li>{@code receive="ok.*done"} against the body {@code ok\rdone}: up (Perl's {@code .} matches
 *       {@code \r}; java.util.regex's does not without translation);
 *   <li>{@code receive="^test$"} against {@code test\r\n}: down (Perl's {@code $} matches only at
 *       the end or before a final {@code \n}, so not before the {@code \r});
 *   <li>{@code receive="^[[:digit:]]+ items"} against {@code 12 items}: up (a POSIX class, which
 *       java.util.regex would read as a plain character class);
 *   <li>{@code quiescent=yes}: the real whose first check fails is listed at weight 0.
 * </ul>
 *
 * The expected table is written out, so the test fails when either implementation changes.
 */
@Tag("uml")
class PerlSemanticsSideBySideTest {

    @BeforeAll
    static void needsUmlJarAndLdirectord() {
        assumeTrue(UmlHarness.available(), "User-Mode Linux is not installed");
        assumeTrue(
                Files.exists(UmlHarness.projectRoot().resolve("target/ldirector.jar")),
                "run mvn package first");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/ldirectord")),
                "the Perl ldirectord is not installed");
    }

    /**
     * One virtual per case on its own VIP port (LVS-NAT maps each to the real's port 80). Nothing
     * listens on 10.77.1.12:8080: that real is stopped from the start. No fallback: ldirectord adds
     * and removes it around the first checks, which says nothing about these cases.
     */
    static final String CONFIG =
            """
            checktimeout=3
            checkinterval=1
            autoreload=no
            quiescent=no
            logfile="@OUT@/ld26.log"
            virtual=10.77.0.100:80
            \treal=10.77.1.11:80 masq 1
            \tservice=http
            \tchecktype=negotiate
            \trequest="/raw/ok%0Ddone"
            \treceive="ok.*done"
            \tscheduler=wrr
            virtual=10.77.0.100:81
            \treal=10.77.1.12:80 masq 1
            \tservice=http
            \tchecktype=negotiate
            \trequest="/raw/test%0D%0A"
            \treceive="^test$"
            \tscheduler=wrr
            virtual=10.77.0.100:82
            \treal=10.77.1.13:80 masq 1
            \tservice=http
            \tchecktype=negotiate
            \trequest="/raw/12%20items"
            \treceive="^[[:digit:]]+ items"
            \tscheduler=wrr
            virtual=10.77.0.100:83
            \treal=10.77.1.11:80 masq 1
            \treal=10.77.1.12:8080 masq 1
            \tservice=http
            \tchecktype=negotiate
            \trequest="/health"
            \treceive="OK"
            \tscheduler=wrr
            \tquiescent=yes
            """;

    /** What Perl decides for CONFIG, as {@code ipvsadm -Sn | LC_ALL=C sort} prints it. */
    static final List<String> EXPECTED =
            List.of(
                    "-A -t 10.77.0.100:80 -s wrr",
                    "-A -t 10.77.0.100:81 -s wrr",
                    "-A -t 10.77.0.100:82 -s wrr",
                    "-A -t 10.77.0.100:83 -s wrr",
                    "-a -t 10.77.0.100:80 -r 10.77.1.11:80 -m -w 1",
                    "-a -t 10.77.0.100:82 -r 10.77.1.13:80 -m -w 1",
                    "-a -t 10.77.0.100:83 -r 10.77.1.11:80 -m -w 1",
                    "-a -t 10.77.0.100:83 -r 10.77.1.12:8080 -m -w 0");

    private static String script() {
        String root = UmlHarness.projectRoot().toString();
        return "ROOT="
                + UmlHarness.shellQuote(root)
                + "\n"
                + "cat > \"$UML_OUT/ld26.cf\" <<'EOF'\n"
                + CONFIG
                + "EOF\n"
                + """
                set -u
                . "$ROOT/test-fixtures/uml/topology.sh"
                CF=$UML_OUT/ld26.cf
                sed -i "s|@OUT@|$UML_OUT|" "$CF"
                trap 'echo "--- log"; cat "$UML_OUT/ld26.log" 2>/dev/null; echo "--- ldirectord output"; cat "$UML_OUT/perl.out" 2>/dev/null; echo "--- ldirector output"; cat "$UML_OUT/ldirector.out" 2>/dev/null' EXIT
                topo_nat_up || exit 1
                modprobe ip_vs_wrr || exit 1
                # What the checks will see, byte for byte (for the reader of a failure).
                for u in 10.77.1.11/raw/ok%0Ddone 10.77.1.12/raw/test%0D%0A 10.77.1.13/raw/12%20items; do
                  echo "body of http://$u: $(curl -s --max-time 5 "http://$u" | od -An -c | tr -s ' \\n' ' ')"
                done

                # Waits (at most 180 s) until the table has the four virtuals and neither it nor the log
                # changed for 8 s (several check rounds at checkinterval=1, checktimeout=3) while daemon
                # PID lives. Short plateaus are not enough: at start ldirectord adds, deletes and
                # re-adds reals a second or two apart (soft failure counts being reset).
                stable_table() {
                  local pid=$1 prev="" cur same=0 end=$(( $(date +%s) + 180 ))
                  while [ "$(date +%s)" -lt "$end" ]; do
                    kill -0 "$pid" 2>/dev/null || { echo "daemon $pid exited"; return 1; }
                    sleep 0.5
                    cur="$(ipvsadm -Sn 2>&1) log lines: $(wc -l < "$UML_OUT/ld26.log" 2>/dev/null)"
                    if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; prev=$cur; fi
                    if [ "$same" -ge 16 ] && [ "$(grep -c '^-A' <<<"$cur")" -ge 4 ]; then return 0; fi
                  done
                  echo "table not stable after 180 s:"; ipvsadm -Sn
                  return 1
                }
                wait_gone() { topo_wait_until "process $1 to exit" 60 sh -c "! kill -0 $1" || kill -KILL "$1" 2>/dev/null; }

                # The Perl ldirectord: `start` detaches; the daemon's pid is in its pid file.
                ipvsadm -C
                pidfile=/var/run/ldirectord.ld26.cf.pid
                /usr/sbin/ldirectord "$CF" start > "$UML_OUT/perl.out" 2>&1 || { echo "ldirectord start failed"; exit 1; }
                topo_wait_until "ldirectord's pid file" 120 test -s "$pidfile" || exit 1
                perl_pid=$(cat "$pidfile")
                stable_table "$perl_pid" || exit 1
                ipvsadm -Sn | LC_ALL=C sort > "$UML_OUT/perl.sn"
                echo "--- ldirectord table"; cat "$UML_OUT/perl.sn"
                echo "=== ldirector start" >> "$UML_OUT/ld26.log"
                /usr/sbin/ldirectord "$CF" stop >> "$UML_OUT/perl.out" 2>&1
                wait_gone "$perl_pid"
                ipvsadm -C

                # ldirector in the foreground, in the background of this script. Its run dir must not
                # be group- or world-writable, which the guest's /run (1777 tmpfs) is.
                mkdir -m 0755 /run/ldirector26
                LDIRECTOR_RUNDIR=/run/ldirector26 "$ROOT/bin/ldirector" --foreground "$CF" start > "$UML_OUT/ldirector.out" 2>&1 &
                ld_pid=$!
                stable_table "$ld_pid" || exit 1
                ipvsadm -Sn | LC_ALL=C sort > "$UML_OUT/ldirector.sn"
                echo "--- ldirector table"; cat "$UML_OUT/ldirector.sn"
                kill -TERM "$ld_pid"
                wait_gone "$ld_pid"
                ipvsadm -C
                echo "side by side: done"
                """;
    }

    @Test
    void receiveRegexesAndQuiescentStartGiveLdirectordsTable() {
        Path out = UmlHarness.newScratchDir();
        UmlResult r = UmlHarness.runScript(script(), Duration.ofSeconds(900), out);
        assertEquals(0, r.exitCode(), r::describe);
        List<String> perl = lines(out.resolve("perl.sn"));
        List<String> ldirector = lines(out.resolve("ldirector.sn"));
        assertEquals(
                EXPECTED, perl, () -> "the Perl ldirectord's verdicts changed\n" + r.describe());
        assertEquals(
                perl,
                ldirector,
                () -> "ldirector's table differs from ldirectord's\n" + r.describe());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
