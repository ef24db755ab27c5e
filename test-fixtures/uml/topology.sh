# Sandbox LVS cluster inside User-Mode Linux (source this file in a script run by run.sh; needs root
# and a kernel of its own — never source it on the host).
#
#   client ns "client"  10.77.2.2/24 ── veth ── 10.77.2.1 director (root ns)   VIP 10.77.0.100
#                                              10.77.1.1 on bridge br-real
#   real ns "real1..3"  10.77.1.11..13/24 ── veth ── br-real, default route via 10.77.1.1
#
# The director is the reals' default gateway, so both LVS-NAT (masq: replies must come back through
# it) and LVS-DR (gate: reals carry the VIP on lo with arp_ignore=1/arp_announce=2, reply directly —
# here "directly" still crosses the director as their router towards the client network) work on the
# same wiring. Each real serves "realN" on /, "OK" on /health, N bytes on /bytes/N and the
# percent-decoded BODY on /raw/BODY on port 80
# (httpd.py, bound to 0.0.0.0 so it answers on its own address and, for DR, on the VIP).
#
# LVS-DR needs a return path that bypasses the director: a packet from the VIP arriving at the
# director would be dropped there as a martian (its source is a local address). topo_dr_up gives the
# client a second leg on the server LAN (10.77.1.254, standing in for the upstream router) and the
# reals a route to 10.77.2.0/24 through it; requests still reach the VIP through the director.
#
# Fallback ("sorry server"): sorry_start runs a server answering "sorry" on the director itself,
# bound to 0.0.0.0:80, matching ldirectord's usual `fallback=127.0.0.1:80 gate`. IPVS treats a
# destination with a local address as the local node and delivers the packet, still addressed to the
# VIP, to local sockets: a server bound only to 127.0.0.1 would never see it, and NAT (masq) to
# 127.0.0.1 is refused by the kernel ("stopping DNAT to loopback address"), hence gate and 0.0.0.0.
#
# Functions: topo_nat_up, topo_dr_up, real_stop N, real_start N, real_up N (health answers),
# sorry_start, sorry_stop, client_curl URL [curl args], topo_wait_until DESCRIPTION SECONDS CMD...

TOPO_VIP=${TOPO_VIP:-10.77.0.100}
TOPO_DIR=${TOPO_DIR:-/run/topo}
TOPO_REALS=${TOPO_REALS:-3}
TOPO_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

topo_log() { echo "topo: $*" >&2; }

# Polls CMD (every 0.2 s) until it succeeds or SECONDS pass. UML is slow and variable: callers give
# generous deadlines instead of fixed sleeps.
topo_wait_until() {
  local what=$1 secs=$2; shift 2
  local end=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then topo_log "timed out after ${secs}s waiting for: $what"; return 1; fi
    sleep 0.2
  done
}

real_ip() { echo "10.77.1.1$1"; }

_topo_common_up() {
  mkdir -p "$TOPO_DIR"
  modprobe ip_vs || return 1
  modprobe veth || return 1
  modprobe bridge || return 1
  sysctl -qw net.ipv4.ip_forward=1
  ip link add br-real type bridge
  ip addr add 10.77.1.1/24 dev br-real
  ip link set br-real up

  ip netns add client
  ip link add to-client type veth peer name eth0 netns client
  ip addr add 10.77.2.1/24 dev to-client
  # The VIP lives on the director's client-facing interface, as on a real director.
  ip addr add "$TOPO_VIP/32" dev to-client
  ip link set to-client up
  ip -n client addr add 10.77.2.2/24 dev eth0
  ip -n client link set lo up
  ip -n client link set eth0 up
  ip -n client route add default via 10.77.2.1

  local n
  for n in $(seq 1 "$TOPO_REALS"); do
    ip netns add "real$n"
    ip link add "to-real$n" type veth peer name eth0 netns "real$n"
    ip link set "to-real$n" master br-real up
    ip -n "real$n" addr add "$(real_ip "$n")/24" dev eth0
    ip -n "real$n" link set lo up
    ip -n "real$n" link set eth0 up
    ip -n "real$n" route add default via 10.77.1.1
  done
}

# Starts the HTTP servers of all reals and waits until each answers.
_topo_start_reals() {
  local n
  for n in $(seq 1 "$TOPO_REALS"); do real_start "$n" --no-wait || return 1; done
  for n in $(seq 1 "$TOPO_REALS"); do topo_wait_until "real$n to answer" 60 real_up "$n" || return 1; done
}

topo_nat_up() {
  _topo_common_up || return 1
  _topo_start_reals || return 1
  echo nat > "$TOPO_DIR/mode"
  topo_log "LVS-NAT sandbox up: client 10.77.2.2 -> VIP $TOPO_VIP -> reals 10.77.1.11..1$TOPO_REALS"
}

topo_dr_up() {
  _topo_common_up || return 1
  local n
  for n in $(seq 1 "$TOPO_REALS"); do
    # A DR real owns the VIP but must neither answer ARP for it nor use it as an ARP source: the
    # shipped etc/lvs-realserver does it, as on a real server.
    ip netns exec "real$n" env LVS_REALSERVER_DEFAULTS=/dev/null "$TOPO_HOME/../../etc/lvs-realserver" start "$TOPO_VIP" >/dev/null || return 1
    ip -n "real$n" route add 10.77.2.0/24 via 10.77.1.254
  done
  ip link add to-client-lan type veth peer name eth1 netns client
  ip link set to-client-lan master br-real up
  ip -n client addr add 10.77.1.254/24 dev eth1
  ip -n client link set eth1 up
  _topo_start_reals || return 1
  echo dr > "$TOPO_DIR/mode"
  topo_log "LVS-DR sandbox up: client 10.77.2.2 -> VIP $TOPO_VIP -> reals 10.77.1.11..1$TOPO_REALS (VIP on their lo)"
}

# Runs httpd.py answering NAME in namespace NS (empty: the director) on 0.0.0.0:80.
_topo_http_start() {
  local name=$1 ns=$2
  local pidfile="$TOPO_DIR/$name.pid"
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  local exec=()
  [ -n "$ns" ] && exec=(ip netns exec "$ns")
  # -S: no site import, noticeably faster start on UML's slow syscalls.
  "${exec[@]}" setsid python3 -S "$TOPO_HOME/httpd.py" "$name" 80 0.0.0.0 \
    >"$TOPO_DIR/$name.log" 2>&1 </dev/null &
  echo $! > "$pidfile"
}

_topo_http_stop() {
  local pidfile="$TOPO_DIR/$1.pid"
  [ -s "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null
  topo_wait_until "$1 server to exit" 30 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
}

# real_start N [--no-wait]: starts real N's server (and waits until /health answers).
real_start() {
  _topo_http_start "real$1" "real$1" || return 1
  [ "${2:-}" = --no-wait ] || topo_wait_until "real$1 to answer" 60 real_up "$1"
}

real_stop() { _topo_http_stop "real$1"; }

# True when real N answers its own name on / (asked from the director, not through the VIP).
real_up() { [ "$(curl -s --max-time 3 "http://$(real_ip "$1")/")" = "real$1" ]; }

sorry_start() {
  _topo_http_start sorry "" || return 1
  topo_wait_until "the sorry server to answer" 60 bash -c '[ "$(curl -s --max-time 3 http://127.0.0.1/)" = sorry ]'
}

sorry_stop() { _topo_http_stop sorry; }

# client_curl URL [curl args...]: one request from the client namespace; prints the body.
client_curl() {
  local url=$1; shift
  ip netns exec client curl -s --max-time 5 "$@" "$url"
}
