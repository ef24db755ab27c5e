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
# virtual_server blocks) and its notify script switches the kernel's sync role: the director holding
# the VIP is the sync master, the other the backup, which keeps the connections the master sends it
# (multicast 224.0.0.81:8848 on eth0, syncid 77) and so can carry established connections on.
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
#   ha_table N                 ipvsadm -Sn inside dN
#   ha_probe_start F / ha_probe_stop   the client's probe loop (probe.py) writing to F
#   ha_gap F T                 failover gap (ms) in probe log F around time T (epoch seconds, float)
#   ha_wait_until WHAT SECS CMD...     poll CMD until it succeeds (topo_wait_until's twin)
#
# Settings (environment, before sourcing): HA_DIR (run files, default /run/ha), HA_OUT (logs kept
# for the host, default $UML_OUT or HA_DIR), HA_SYNC_VIA (how notify switches roles: "ldirector",
# the default, calls `ldirector CF sync ROLE`; "ipvsadm" calls ipvsadm --start-daemon/--stop-daemon).

HA_VIP=10.77.5.100
HA_NET=10.77.5
HA_SYNCID=${HA_SYNCID:-77}
HA_DIR=${HA_DIR:-/run/ha}
HA_OUT=${HA_OUT:-${UML_OUT:-$HA_DIR}}
HA_SYNC_VIA=${HA_SYNC_VIA:-ldirector}
HA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HA_ROOT=$(cd "$HA_HOME/../.." && pwd)
HA_LD=${HA_LD:-$HA_ROOT/bin/ldirector}
HA_CF=${HA_CF:-$HA_DIR/ldirectord.cf}

ha_log() { echo "ha: $*" >&2; }

ha_wait_until() {
  local what=$1 secs=$2; shift 2
  local end=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then ha_log "timed out after ${secs}s waiting for: $what"; return 1; fi
    sleep 0.2
  done
}

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
  local n
  for n in 1 2; do
    _ha_veth "d$n" "$HA_NET.1$n"
    mkdir -p "$HA_DIR/d$n"
  done
  for n in 1 2 3; do
    _ha_veth "real$n" "$HA_NET.2$n"
    # A DR real owns the VIP but must neither answer ARP for it nor use it as an ARP source.
    ip netns exec "real$n" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    ip -n "real$n" addr add "$HA_VIP/32" dev lo
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
  sed -e "s|@NAME@|d$n|g" -e "s|@PRIORITY@|$prio|g" -e "s|@IFACE@|eth0|g" -e "s|@VIP@|$HA_VIP|g" \
      -e "s|@NOTIFY@|/usr/bin/env LDIRECTOR_RUNDIR=$HA_DIR/d$n HA_SYNC_VIA=$HA_SYNC_VIA HA_SYNCID=$HA_SYNCID LDIRECTOR=$HA_LD $HA_HOME/ha/ldirector-sync-notify $HA_CF|g" \
      "$HA_HOME/ha/keepalived-vrrp.conf.in" > "$HA_DIR/d$n/keepalived.conf"
  ip netns exec "d$n" setsid keepalived -P -n -l -D -f "$HA_DIR/d$n/keepalived.conf" \
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

# Connections of the client in dN's IPVS connection table (synced ones included).
ha_conns() { ip netns exec "d$1" ipvsadm -Lnc | grep -c " $HA_NET.2:" || true; }

ha_probe_start() {
  ip netns exec client setsid python3 -S "$HA_HOME/ha/probe.py" "$HA_VIP" 80 0.1 0.3 >"$1" 2>&1 </dev/null &
  echo $! > "$HA_DIR/probe.pid"
}

ha_probe_stop() { kill "$(cat "$HA_DIR/probe.pid")" 2>/dev/null; wait "$(cat "$HA_DIR/probe.pid")" 2>/dev/null; true; }

# ha_gap LOG T: first success after T minus last success before T, in ms, and how many probes failed
# in between ("gap_ms=N failed=M"); the probe log has lines "EPOCH ok|fail".
ha_gap() {
  awk -v t="$2" '
    $1 < t && $2 == "ok" { last = $1 }
    $1 >= t && $2 == "ok" && !first { first = $1 }
    $1 >= t && !first && $2 != "ok" { failed++ }
    END { if (!last || !first) { print "gap_ms=? failed=" failed+0 } else printf "gap_ms=%d failed=%d\n", (first-last)*1000, failed }' "$1"
}
