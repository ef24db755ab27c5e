# The demo's part inside User-Mode Linux (run by test-fixtures/demo.sh through uml/run.sh).
# Each narrated stage is one function; the director under test is started by start_director.
#   DEMO_ROOT      checkout root          DEMO_CONFIG   ldirectord.cf to run
#   DEMO_DIRECTOR  ldirector (default) | perl  (the Perl ldirectord, as a reference run)
set -uo pipefail
. "$DEMO_ROOT/test-fixtures/uml/topology.sh"
VIP=10.77.0.100
DIRECTOR=${DEMO_DIRECTOR:-ldirector}
FAILED=0

say()   { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note()  { printf '   %s\n' "$*"; }
fail()  { printf '   FAILED: %s\n' "$*"; FAILED=1; }
table() { ipvsadm -Ln | sed 's/^/   | /'; }
table_has()   { ipvsadm -Ln | grep -q -- "-> $1 "; }
table_lacks() { ! ipvsadm -Ln | grep -q -- "-> $1 "; }
vip_present() { ipvsadm -Ln | grep -q "TCP  $VIP:80"; }
# Seconds since $1 (an epoch with fractions), one decimal.
since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

bring_up() {
  say "Sandbox: a client, a director and three real servers in network namespaces"
  local t; t=$(date +%s.%N)
  topo_nat_up 2>&1 | sed 's/^/   /' || { fail "topology"; return 1; }
  sorry_start || { fail "sorry server"; return 1; }
  note "up in $(since "$t")s. The sorry server (fallback) runs on the director at 0.0.0.0:80."
}

show_reals_directly() {
  say "Each real server answers on its own (asked from the director, not through the VIP)"
  local n
  for n in 1 2 3; do note "http://$(real_ip $n)/  ->  $(curl -s --max-time 3 "http://$(real_ip $n)/")"; done
  note "Through the VIP before any director runs: $(client_curl "http://$VIP/" || echo "(no answer)")"
  note "(no IPVS service exists yet, so the director's own sorry server answers on the VIP)"
}

# bin/ldirector is the launcher; until it is in the checkout, the jar is run directly.
ldirector() {
  if [ -x "$DEMO_ROOT/bin/ldirector" ]; then "$DEMO_ROOT/bin/ldirector" "$@"; else java -jar "$DEMO_ROOT/target/ldirector.jar" "$@"; fi
}

DIRECTOR_PID=
start_director() {
  say "Starting the director ($DIRECTOR) with $DEMO_CONFIG"
  local t; t=$(date +%s.%N)
  case "$DIRECTOR" in
    perl)
      note "Reference run with the Perl ldirectord (the program ldirector replaces)."
      /usr/sbin/ldirectord "$DEMO_CONFIG" start || { fail "ldirectord start"; return 1; } ;;
    ldirector)
      ldirector -d "$DEMO_CONFIG" start >"$UML_OUT/ldirector.log" 2>&1 &
      DIRECTOR_PID=$! ;;
  esac
  note "waiting until the director has programmed IPVS with a healthy real..."
  local end=$(( $(date +%s) + 90 ))
  until vip_present && { table_has 10.77.1.11:80 || table_has 10.77.1.12:80 || table_has 10.77.1.13:80; }; do
    if [ -n "$DIRECTOR_PID" ] && ! kill -0 "$DIRECTOR_PID" 2>/dev/null; then
      fail "ldirector exited without programming IPVS. Its output:"
      sed 's/^/   > /' "$UML_OUT/ldirector.log" | head -20
      return 1
    fi
    if [ "$(date +%s)" -ge "$end" ]; then fail "no IPVS entries after 90s"; table; return 1; fi
    sleep 0.3
  done
  note "IPVS programmed $(since "$t")s after start."
}

wait_for() { # DESCRIPTION SECONDS CMD...: prints how long it took
  local what=$1 secs=$2; shift 2
  local t; t=$(date +%s.%N)
  if topo_wait_until "$what" "$secs" "$@"; then note "$what: after $(since "$t")s"; else fail "$what"; return 1; fi
}

show_table() {
  say "The IPVS table the director programmed (ipvsadm -Ln)"
  wait_for "all three reals in the table" 60 bash -c "ipvsadm -Ln | grep -c -- '-> 10.77.1.1[123]:80 ' | grep -qx 3"
  table
}

# spread_by_weight N: N requests from the client through the VIP, a count per answer.
spread_by_weight() {
  local n=${1:-30}
  say "$n requests from the client through the VIP (wrr, weights 1:2:3)"
  local answers; answers=$(for _ in $(seq 1 "$n"); do client_curl "http://$VIP/" || echo "(failed)"; done)
  echo "$answers" | sort | uniq -c | sed 's/^ */   /'
  if echo "$answers" | grep -q failed; then fail "some requests failed"; fi
}

stop_one() {
  say "Stopping real2 (10.77.1.12): the director should notice and take it out"
  real_stop 2
  wait_for "real2 removed from the table" 60 table_lacks 10.77.1.12:80 || return 1
  table
  spread_by_weight 12
}

stop_all_fallback() {
  say "Stopping real1 and real3 too: the fallback (sorry server) should take over"
  real_stop 1; real_stop 3
  wait_for "fallback 127.0.0.1:80 in the table" 60 table_has 127.0.0.1:80 || return 1
  table
  note "The client now gets: $(client_curl "http://$VIP/" || echo "(failed)")"
}

restore() {
  say "Starting all reals again: they come back and the fallback goes"
  local n; for n in 1 2 3; do real_start "$n"; done
  wait_for "all three reals back" 60 bash -c "ipvsadm -Ln | grep -c -- '-> 10.77.1.1[123]:80 ' | grep -qx 3" || return 1
  wait_for "fallback removed" 60 table_lacks 127.0.0.1:80 || return 1
  table
  spread_by_weight 30
}

stop_director() {
  say "Stopping the director"
  case "$DIRECTOR" in
    perl) /usr/sbin/ldirectord "$DEMO_CONFIG" stop >/dev/null ;;
    ldirector) ldirector "$DEMO_CONFIG" stop >/dev/null 2>&1 || { [ -n "$DIRECTOR_PID" ] && kill "$DIRECTOR_PID"; } ;;
  esac
  # Both remove the virtual services they own on stop (cleanstop=yes, the default).
  wait_for "virtual service removed" 60 bash -c "! ipvsadm -Ln | grep -q 'TCP  $VIP:80'"
  table
}

bring_up || exit 1
show_reals_directly
start_director || exit 1
show_table
spread_by_weight 30
stop_one
stop_all_fallback
restore
stop_director
exit "$FAILED"
