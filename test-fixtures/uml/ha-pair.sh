# A pair of LVS-DR directors inside User-Mode Linux (source this file in a script run by run.sh; needs
# root and a kernel of its own — never source it on the host). IPVS tables, addresses and the IPVS
# connection sync daemon are per network namespace, so one kernel holds both directors.
#
#                       bridge "lan" (root namespace, no address), 10.77.5.0/24
#     ┌──────────┬──────────────┬──────────────┬──────────┬──────────┬──────────┐
#   client      d1            d2             real1      real2      real3
#   .2          .11           .12            .21        .22        .23     + VIP/32 on lo
#               ldirector     ldirector      httpd.py :80, echo :9000
#               keepalived -P keepalived -P
#               VIP 10.77.5.100 floats between d1 and d2 (VRRP, virtual_router_id 77)
#
# Every namespace has one interface, eth0, on the bridge. LVS-DR on one LAN: the client's requests
# reach the director holding the VIP (ARP), IPVS rewrites the destination MAC to a real's, the real
# (VIP on lo, arp_ignore=1, arp_announce=2) answers the client directly. Both directors run the same
# ldirectord.cf, so both IPVS tables are programmed and identical; keepalived runs VRRP only (no
# virtual_server blocks) and its notify_* lines switch the kernel's sync role through the running
# ldirector (`ldirector CONFIG sync master|backup`, syncdaemon= in ldirectord.cf): the director
# holding the VIP is the sync master, the other the backup, which keeps the connections the master
# sends it (multicast 224.0.0.81:8848 on eth0, syncid 77) and so carries established connections on.
# keepalived has nopreempt (as README's example): a director coming back does not take the VIP back;
# ha_restore_d1 hands it back by restarting d2's keepalived.
#
# Functions (N is 1 or 2, the director):
#   ha_up                      bridge, namespaces, addresses, reals' servers (httpd.py and echo.py)
#   ha_ld_start N [CF]         ldirector (daemonized, returns once its table is programmed) in dN
#   ha_ld_kill N               kill -9 dN's ldirector
#   ha_ld N ARGS...            bin/ldirector ARGS inside dN with dN's run dir
#   ha_ka_start N [PRIO]       keepalived -P in dN (config from ha/keepalived-vrrp.conf.in)
#   ha_ka_stop N               graceful stop (the master sends priority 0: fast takeover)
#   ha_cut N / ha_uncut N      all of dN's traffic down/up (its eth0)
#   ha_holder                  prints which director holds the VIP (d1, d2, none or both)
#   ha_sync_role N             the kernel's sync daemons in dN ("master", "backup", "master backup", "none")
#   ha_sync N ROLE             `ldirector CONFIG sync ROLE` in dN (master, backup, none)
#   ha_table N                 ipvsadm -Sn inside dN
#   ha_probe_start F / ha_probe_stop   the client's probe loop (probe.py) writing to F
#   ha_gap F T                 failover gap (ms) in probe log F around time T (epoch seconds, float)
#   ha_wait_until WHAT SECS CMD...     poll CMD until it succeeds (topology.sh's topo_wait_until)
#
# Settings (environment, before sourcing): HA_DIR (run files, default /run/ha), HA_OUT (logs kept
# for the host, default $UML_OUT or HA_DIR). HA_NOTIFY=0 when calling ha_ka_start: a keepalived whose
# notify lines do nothing (the sync-off runs).

HA_VIP=10.77.5.100
HA_NET=10.77.5
HA_SYNCID=${HA_SYNCID:-77}
HA_DIR=${HA_DIR:-/run/ha}
HA_OUT=${HA_OUT:-${UML_OUT:-$HA_DIR}}
HA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HA_ROOT=$(cd "$HA_HOME/../.." && pwd)
HA_LD=${HA_LD:-$HA_ROOT/bin/ldirector}
HA_CF=${HA_CF:-$HA_DIR/ldirectord.cf}

ha_log() { echo "ha: $*" >&2; }

# The sandbox's poll-with-deadline (topology.sh defines only functions and TOPO_* settings).
. "$HA_HOME/topology.sh"
ha_wait_until() { topo_wait_until "$@"; }

ha_now() { date +%s.%N | cut -c1-14; }

_ha_veth() { # NS ADDR
  local ns=$1 addr=$2
  ip netns add "$ns"
  ip link add "lan-$ns" type veth peer name eth0 netns "$ns"
  ip link set "lan-$ns" master lan up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
}

ha_up() {
  mkdir -p "$HA_DIR" "$HA_OUT"
  modprobe ip_vs || return 1
  modprobe ip_vs_wrr; modprobe ip_vs_rr
  modprobe veth || return 1
  modprobe bridge || return 1
  # No STP (ports forward at once); no multicast snooping (VRRP's 224.0.0.18 and the sync daemon's
  # 224.0.0.81 are link-local and flooded anyway; this rules the snooping code out).
  ip link add lan type bridge stp_state 0 mcast_snooping 0
  ip link set lan up
  _ha_veth client "$HA_NET.2"
  # The client's own connections (the probe loop) never take a download's port (40001 on): a probe
  # that once went through d2 from the same port leaves an entry there for minutes, which carried a
  # later download through d2 with sync off (seen in CI).
  ip netns exec client sysctl -qw net.ipv4.ip_local_port_range="50000 60999"
  local n
  for n in 1 2; do
    _ha_veth "d$n" "$HA_NET.1$n"
    mkdir -p "$HA_DIR/d$n"
  done
  for n in 1 2 3; do
    _ha_veth "real$n" "$HA_NET.2$n"
    # A DR real owns the VIP but must neither answer ARP for it nor use it as an ARP source: the
    # shipped etc/lvs-realserver does it, as on a real server.
    ip netns exec "real$n" env LVS_REALSERVER_DEFAULTS=/dev/null "$HA_ROOT/etc/lvs-realserver" start "$HA_VIP" >/dev/null || return 1
    # -S: no site import, noticeably faster start on UML's slow syscalls.
    ip netns exec "real$n" setsid python3 -S "$HA_ROOT/test-fixtures/uml/httpd.py" "real$n" 80 0.0.0.0 \
      >"$HA_OUT/real$n.http.log" 2>&1 </dev/null &
    echo $! > "$HA_DIR/real$n.http.pid"
    ip netns exec "real$n" setsid python3 -S "$HA_HOME/ha/echo.py" server 9000 \
      >"$HA_OUT/real$n.echo.log" 2>&1 </dev/null &
    echo $! > "$HA_DIR/real$n.echo.pid"
  done
  for n in 1 2 3; do
    ha_wait_until "real$n to answer" 60 _ha_real_up "$n" || return 1
  done
  sed -e "s|@HA_OUT@|$HA_OUT|g" -e "s|@SYNCID@|$HA_SYNCID|g" "$HA_HOME/ha/ldirectord.cf.in" > "$HA_CF"
  ha_log "pair up: client $HA_NET.2, d1 $HA_NET.11, d2 $HA_NET.12, reals $HA_NET.21-23, VIP $HA_VIP"
}

# Asked from d1's address, not through the VIP.
_ha_real_up() { [ "$(ip netns exec d1 curl -s --max-time 3 "http://$HA_NET.2$1/")" = "real$1" ]; }

ha_ld() { local n=$1; shift; ip netns exec "d$n" env LDIRECTOR_RUNDIR="$HA_DIR/d$n" "$HA_LD" "$@"; }

ha_ld_start() {
  local n=$1 cf=${2:-$HA_CF}
  ha_ld "$n" "$cf" start >>"$HA_OUT/d$n.ldirector.out" 2>&1
}

ha_ld_pid() { cat "$HA_DIR/d$1/ldirector.$(basename "$HA_CF").pid"; }

ha_ld_kill() { kill -KILL "$(ha_ld_pid "$1")"; }

ha_ld_stop() { ha_ld "$1" "$HA_CF" stop >>"$HA_OUT/d$1.ldirector.out" 2>&1; }

ha_ka_start() {
  local n=$1 prio=${2:-}
  [ -n "$prio" ] || prio=$(( n == 1 ? 150 : 100 ))
  # The notify command: ldirector in dN's run dir (the pid file and control socket of dN's daemon).
  local sync="/usr/bin/env LDIRECTOR_RUNDIR=$HA_DIR/d$n $HA_LD $HA_CF sync"
  # HA_NOTIFY=0: a keepalived that does not touch the sync daemon (the sync-off runs).
  [ "${HA_NOTIFY:-1}" = 1 ] || sync=/bin/true
  sed -e "s|@NAME@|ldirector-d$n|g" -e "s|@PRIORITY@|$prio|g" -e "s|@IFACE@|eth0|g" -e "s|@VIP@|$HA_VIP/24|g" \
      -e "s|@SYNC@|$sync|g" "$HA_HOME/ha/keepalived-vrrp.conf.in" > "$HA_DIR/d$n/keepalived.conf"
  # -l -G: the log to stderr (a file of its own), not to syslog (which, with no syslog daemon in UML,
  # falls back to the console).
  ip netns exec "d$n" setsid keepalived -P -n -l -G -D -f "$HA_DIR/d$n/keepalived.conf" \
    -p "$HA_DIR/d$n/keepalived.pid" -r "$HA_DIR/d$n/keepalived_vrrp.pid" \
    >>"$HA_OUT/d$n.keepalived.log" 2>&1 </dev/null &
  echo $! > "$HA_DIR/d$n/keepalived.main"
}

ha_ka_stop() {
  local n=$1 pid
  pid=$(cat "$HA_DIR/d$n/keepalived.main")
  kill -TERM "$pid" 2>/dev/null
  ha_wait_until "keepalived in d$n to exit" 60 bash -c "! kill -0 $pid"
}

ha_cut() { ip -n "d$1" link set eth0 down; }
ha_uncut() { ip -n "d$1" link set eth0 up; }

_ha_has_vip() { ip -n "d$1" -4 addr show dev eth0 2>/dev/null | grep -q " $HA_VIP/"; }

ha_holder() {
  local one=0 two=0
  _ha_has_vip 1 && one=1
  _ha_has_vip 2 && two=1
  case $one$two in 10) echo d1;; 01) echo d2;; 11) echo both;; *) echo none;; esac
}

ha_holder_is() { [ "$(ha_holder)" = "$1" ]; }

# "master", "backup", "master backup" or "none", from the kernel (ipvsadm -L --daemon in the namespace).
ha_sync_role() {
  local r
  r=$(ip netns exec "d$1" ipvsadm -L --daemon 2>/dev/null | awk '{print $1}' | sort | xargs)
  echo "${r:-none}"
}

ha_sync_role_is() { [ "$(ha_sync_role "$1")" = "$2" ]; }

ha_table() { ip netns exec "d$1" ipvsadm -Sn; }

# Connections of the client in dN's IPVS connection table (synced ones included), ESTABLISHED only;
# a second argument narrows to one client port.
ha_conns() { ip netns exec "d$1" ipvsadm -Lnc | grep -c "ESTABLISHED *$HA_NET.2:${2:-}" || true; }
ha_conns_ge() { [ "$(ha_conns "$1" "${3:-}")" -ge "$2" ]; }

ha_probe_start() {
  ip netns exec client setsid python3 -S "$HA_HOME/ha/probe.py" "$HA_VIP" 80 0.1 0.3 >"$1" 2>&1 </dev/null &
  echo $! > "$HA_DIR/probe.pid"
}
ha_probe_stop() { kill "$(cat "$HA_DIR/probe.pid")" 2>/dev/null; wait "$(cat "$HA_DIR/probe.pid")" 2>/dev/null || true; }

# ha_gap LOG T: the client-observed failover gap around time T (epoch seconds): the longest time
# between two consecutive successful probes, among those from 1 s before T on (the failing action
# takes a moment to bite, so the first probe after T may still pass), in ms; and how many probes
# failed from T on. Prints "gap_ms=N failed=M"; the probe log has lines "EPOCH ok|fail [why]".
ha_gap() {
  awk -v t="$2" '
    $1 >= t - 1 && $2 == "ok" { if (prev && $1 - prev > gap) gap = $1 - prev; prev = $1 }
    $1 >= t && $2 != "ok" { failed++ }
    END { printf "gap_ms=%d failed=%d\n", gap * 1000, failed }' "$1"
}

# ha_sync N master|backup|none: the sync role of dN now, through its running ldirector (what
# keepalived's notify lines do); ldirector keeps it across restarts (its run dir).
ha_sync() { ha_ld "$1" "$HA_CF" sync "$2" >>"$HA_OUT/d$1.ldirector.out" 2>&1; }

# Both directors ready, d1 holding the VIP and syncing to d2 (or, with HA_NOTIFY=0, no sync at all).
ha_pair_ready() {
  ha_holder_is d1 || return 1
  if [ "${HA_NOTIFY:-1}" = 1 ]; then
    ha_sync_role_is 1 master && ha_sync_role_is 2 backup || return 1
  else
    ha_sync_role_is 1 none && ha_sync_role_is 2 none || return 1
  fi
  [ "$(ha_table 1 | grep -c -- ' -r ')" = 6 ] && [ "$(ha_table 2 | grep -c -- ' -r ')" = 6 ]
}

HA_DL_BYTES=${HA_DL_BYTES:-30000000}
HA_DL_RATE=${HA_DL_RATE:-2M}
# The download's client port: a new one each time, since an old entry for the same 4-tuple (from an
# earlier download, synced or not) would carry a new connection through the other director too;
# outside the client's ephemeral range (ha_up), so no probe takes it first.
HA_DL_PORT=40000

_ha_expected_sha() {
  [ -s "$HA_DIR/expected.sha" ] || python3 -S -c "import hashlib,sys; print(hashlib.sha256(b'x'*int(sys.argv[1])).hexdigest())" \
    "$HA_DL_BYTES" > "$HA_DIR/expected.sha"
  cat "$HA_DIR/expected.sha"
}

# ha_failover_download HOW: a long download through the VIP (via d1), then d1 fails:
#   HOW=stop  keepalived on d1 stops (graceful: priority 0, d2 takes over at once)
#   HOW=cut   ldirector on d1 is killed (-9) and d1's eth0 goes down (d2 notices after 3 adverts)
# With sync on (d2 is a sync backup) it first waits until d2's kernel holds the download's
# connection. Prints one line: "failover how=.. sync=on|off curl_rc=.. bytes=.. intact=yes|no
# gap_ms=.. failed_probes=.. takeover_ms=..", the gap from the client's probe loop.
ha_failover_download() {
  local how=$1 sync=off tag="$1-$(date +%s)" dl rc=0 t t_vip
  ha_sync_role_is 2 backup && sync=on
  _ha_expected_sha >/dev/null
  rm -f "$HA_DIR/dl"
  HA_DL_PORT=$(( HA_DL_PORT + 1 ))
  ha_probe_start "$HA_OUT/probe-$tag.log"
  ip netns exec client curl -s --local-port "$HA_DL_PORT" --limit-rate "$HA_DL_RATE" -o "$HA_DIR/dl" \
    "http://$HA_VIP/bytes/$HA_DL_BYTES" 2>"$HA_OUT/curl-$tag.err" &
  dl=$!
  ha_wait_until "the download to be under way" 30 bash -c "[ \$(stat -c %s $HA_DIR/dl 2>/dev/null || echo 0) -gt 2000000 ]" || return 1
  if [ "$sync" = on ]; then
    ha_wait_until "d2's kernel to hold the synced download" 30 ha_conns_ge 2 1 "$HA_DL_PORT" || return 1
  fi
  t=$(ha_now)
  case $how in
    stop) ha_ka_stop 1 ;;
    cut) ha_ld_kill 1; ha_cut 1 ;;
  esac
  ha_wait_until "d2 to take the VIP" 30 ha_holder_is d2 || return 1
  t_vip=$(ha_now)
  wait "$dl" || rc=$?
  # New requests after the failover (one probe interval past the download's end is plenty).
  sleep 1
  ha_probe_stop
  local bytes sha intact=no
  bytes=$(stat -c %s "$HA_DIR/dl" 2>/dev/null || echo 0)
  sha=$(sha256sum < "$HA_DIR/dl" | cut -d' ' -f1)
  [ "$rc" = 0 ] && [ "$sha" = "$(_ha_expected_sha)" ] && intact=yes
  echo "failover how=$how sync=$sync curl_rc=$rc bytes=$bytes intact=$intact $(ha_gap "$HA_OUT/probe-$tag.log" "$t")" \
    "takeover_ms=$(awk -v a="$t" -v b="$t_vip" 'BEGIN { printf "%d", (b-a)*1000 }')" \
    "probes_after=$(awk -v t="$t_vip" '$1 > t+1 && $2 == "ok" { ok++ } $1 > t+1 && $2 != "ok" { bad++ } END { printf "%d/%d", ok, ok+bad }' "$HA_OUT/probe-$tag.log")"
}

# Brings d1 back as the master after a failover to d2: link up, ldirector and keepalived running
# (d1 comes back as the backup: nopreempt), then d2's keepalived restarts (a graceful stop hands the
# VIP to d1 at once), so d1 holds the VIP and the roles are master/backup again (none with HA_NOTIFY=0).
ha_restore_d1() {
  local from
  from=$(( $(wc -l < "$HA_OUT/d1.keepalived.log") + 1 ))
  ha_uncut 1
  if ! kill -0 "$(ha_ld_pid 1)" 2>/dev/null; then ha_ld_start 1 || return 1; fi
  if ! kill -0 "$(cat "$HA_DIR/d1/keepalived.main")" 2>/dev/null; then ha_ka_start 1; fi
  # The running keepalived of a cut d1 went to FAULT; back on the link it enters BACKUP too.
  ha_wait_until "d1's keepalived in BACKUP state" 60 bash -c "tail -n +$from '$HA_OUT/d1.keepalived.log' | grep -q 'Entering BACKUP STATE'" || return 1
  if [ "${HA_NOTIFY:-1}" = 1 ]; then
    ha_wait_until "d1 back as the sync backup" 60 ha_sync_role_is 1 backup || return 1
  fi
  # nopreempt: d1 does not take the VIP back by itself.
  ha_holder_is d2 || { ha_log "d1 took the VIP back (nopreempt?): $(ha_holder)"; return 1; }
  ha_ka_stop 2
  ha_wait_until "d1 to take the VIP" 30 ha_holder_is d1 || return 1
  ha_ka_start 2
  ha_wait_until "d1 back as the master" 60 ha_pair_ready
}

# Connections through the VIP to port 9000 (the reals' echo servers) in dN's IPVS table, ESTABLISHED.
ha_echo_conns() { ip netns exec "d$1" ipvsadm -Lnc | grep -c "ESTABLISHED $HA_NET.2:[0-9]* *$HA_VIP:9000 " || true; }
ha_echo_conns_ge() { [ "$(ha_echo_conns "$1")" -ge "$2" ]; }
_ha_echo_answered() { tail -1 "$1" | grep -q " answered=$2\$"; }

# ha_failover_conns HOW N [SETTLE]: N long-lived connections from the client to VIP:9000 (echo.py client: a
# ping a second on each), then d1 fails as in ha_failover_download (HOW stop or cut); SETTLE seconds
# (default 15) after d2 took the VIP the client reports. Prints "conns how=.. sync=on|off n=N
# established=.. synced=.. survived=.. broken=.. stalled=.. stall_ms_p50=.. stall_ms_p99=..
# stall_ms_max=.. reasons=.. gap_ms=.. failed=.. takeover_ms=.." (synced: ESTABLISHED entries for
# VIP:9000 in d2's kernel just before the failover; gap: the HTTP probe loop's, as for a download).
HA_CONNS_RUN=0
ha_failover_conns() {
  local how=$1 n=$2 settle=${3:-15} sync=off tag="conns-$1-$(date +%s)" pid t t_vip synced
  ha_sync_role_is 2 backup && sync=on
  # Client ports of their own for each run: both kernels keep entries of earlier runs' connections
  # (closing, or synced) for minutes, and one for the same 4-tuple would carry a connection through
  # d2 without any sync. 4,000 ports a run, from 10000.
  HA_CONNS_RUN=$(( HA_CONNS_RUN + 1 ))
  local lo=$(( 10000 + (HA_CONNS_RUN - 1) * 4000 ))
  ip netns exec client sysctl -qw net.ipv4.ip_local_port_range="$lo $(( lo + 3999 ))"
  ha_probe_start "$HA_OUT/probe-$tag.log"
  rm -f "$HA_DIR/failover.t"
  ip netns exec client python3 -S "$HA_HOME/ha/echo.py" client "$HA_VIP" 9000 "$n" "$HA_DIR/failover.t" \
    >"$HA_OUT/$tag.log" 2>&1 </dev/null &
  pid=$!
  ha_wait_until "$n connections answering" 120 _ha_echo_answered "$HA_OUT/$tag.log" "$n" || { kill "$pid"; return 1; }
  if [ "$sync" = on ]; then
    ha_wait_until "d2's kernel to hold the $n synced connections" 60 ha_echo_conns_ge 2 "$n" || true
  else
    sleep 3
  fi
  synced=$(ha_echo_conns 2)
  t=$(ha_now)
  echo "$t" > "$HA_DIR/failover.t"
  case $how in
    stop) ha_ka_stop 1 ;;
    cut) ha_ld_kill 1; ha_cut 1 ;;
  esac
  ha_wait_until "d2 to take the VIP" 30 ha_holder_is d2 || { kill "$pid"; return 1; }
  t_vip=$(ha_now)
  echo "$t $t_vip" > "$HA_DIR/failover.t"
  local end=$(( $(date +%s) + settle ))
  while [ "$(date +%s)" -lt "$end" ]; do sleep 1; done
  kill -TERM "$pid"
  wait "$pid" || true
  ha_probe_stop
  echo "conns how=$how sync=$sync n=$n synced=$synced $(grep '^result ' "$HA_OUT/$tag.log" | sed 's/^result conns=[0-9]* //')" \
    "$(ha_gap "$HA_OUT/probe-$tag.log" "$t")" \
    "takeover_ms=$(awk -v a="$t" -v b="$t_vip" 'BEGIN { printf "%d", (b-a)*1000 }')"
}
