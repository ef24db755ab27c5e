# Inside UML (run by KeepalivedDifferentialTest through run.sh): for every case DIR/NAME listed in
# DIR/cases, keepalived (checkers only, no VRRP) runs NAME/keepalived.conf and then ldirector runs
# NAME/ldirector.cf, one at a time on this kernel, against the same real servers. For each side the
# IPVS table is recorded once it has settled after start (phase 0) and after each action of
# NAME/phases (one per line; phase K is line K):
#   stop IP [PORT]     stop the real's servers (all, or the one on PORT): connections are refused
#   start IP [PORT]    start them again
#   body IP PATH       change the body the real serves at PATH (a digest no longer matches)
#   remove IP PATH     remove PATH from the real (it answers 404: a status no longer matches)
#   misc CODE          the MISC_CHECK script exits CODE from now on
#   restore            every server, body and exit code as at the start
#   bash keepalived-differential.sh DIR
# NAME/reals lists what the reals serve, one per line, all in network namespace "reals":
#   http|https|tcp|smtp|dns IP PORT   a server (tcp: an HTTP server, for connect checks)
#   addr IP                           only the address (a real checked by MISC_CHECK or ping)
#   local IP                          an address of the director itself (a virtual's, keepalived's bindto)
# NAME/www/IP/... is the document root of IP's http and https servers (copied, then edited).
# Output per side S (keepalived, ldirector) under NAME/S/: K.sn (ipvsadm -Sn, sorted), K.th
# (ipvsadm -Ln --thresholds), K.seen (every -Sn line seen while phase K settled), K.status
# ("settled" or why not), daemon.log; NAME/S.done when the side finished.
set -u
dir=${1:?usage: keepalived-differential.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# topo_wait_until (the sandbox's deadline poller); sourcing defines functions only.
. "$here/topology.sh"
W=/run/kadiff
mkdir -p "$W/srv"

modprobe ipv6 2>/dev/null
modprobe ip_vs || exit 1
modprobe veth || exit 1
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh; do modprobe "ip_vs_$s" 2>/dev/null; done
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.ipv6.conf.all.forwarding=1 2>/dev/null

# The reals: one namespace behind a veth, each real address on its end and routed to it.
ip netns add reals || exit 1
ip link add to-reals type veth peer name eth0 netns reals
ip addr add 10.99.0.1/30 dev to-reals
ip -6 addr add fd99::1/64 dev to-reals nodad
ip link set to-reals up
ip -n reals link set lo up
ip -n reals addr add 10.99.0.2/30 dev eth0
ip -n reals -6 addr add fd99::2/64 dev eth0 nodad
ip -n reals link set eth0 up
ip -n reals route add default via 10.99.0.1
ip -n reals -6 route add default via fd99::1
# The director's own extra addresses (bindto) live on a dummy interface.
modprobe dummy 2>/dev/null
ip link add kadiff0 type dummy && ip link set kadiff0 up

# A TLS certificate for https reals (checkers do not verify it).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=kadiff \
  -keyout "$W/tls.pem" -out "$W/tls.crt" 2>/dev/null || exit 1
cat "$W/tls.crt" >> "$W/tls.pem"

is6() { case $1 in *:*) return 0 ;; esac; return 1; }

srv_key() { echo "$2_$3_$1" | tr ':' '-'; }   # kind ip port -> pid file name

# srv_start KIND IP PORT: starts one server in "reals" (does not wait). Started as one command, not
# from a compound one: `ip netns exec`, env and setsid exec in turn, so $! is the server itself.
srv_start() {
  local kind=$1 ip=$2 port=$3 pidfile cmd; pidfile=$W/srv/$(srv_key "$@").pid
  if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  case $kind in
    http|tcp) cmd=(env HTTPD_DOCROOT="$W/www/$ip" python3 -S "$here/httpd.py" "$ip" "$port" "$ip") ;;
    https) cmd=(env HTTPD_DOCROOT="$W/www/$ip" HTTPD_TLS="$W/tls.pem" python3 -S "$here/httpd.py" "$ip" "$port" "$ip") ;;
    smtp|dns) cmd=(python3 -S "$here/tinyd.py" "$kind" "$ip" "$port") ;;
  esac
  ip netns exec reals setsid "${cmd[@]}" > "$W/srv/$(srv_key "$@").log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

# True when a server of KIND listens on IP:PORT in "reals".
srv_listening() {
  local kind=$1 ip=$2 port=$3 proto=-Hltn addr
  [ "$kind" = dns ] && proto=-Hlun
  if is6 "$ip"; then addr="[$ip]:$port"; else addr="$ip:$port"; fi
  ip netns exec reals ss "$proto" | awk '{print $4}' | grep -qxF "$addr"
}

srv_stop() { # KIND IP PORT
  local pidfile; pidfile=$W/srv/$(srv_key "$@").pid
  [ -s "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null
  topo_wait_until "server $* to exit" 30 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
}

# Servers of case $1 matching IP [PORT] (all when IP is empty), as "kind ip port" lines.
servers() {
  awk -v ip="${2:-}" -v port="${3:-}" '$1 ~ /^(http|https|tcp|smtp|dns)$/ && (ip == "" || $2 == ip) && (port == "" || $3 == port)' "$1/reals"
}

start_servers() { # CASE [IP [PORT]]: starts them and waits until each listens
  local c=$1 kind ip port
  while read -r kind ip port; do srv_start "$kind" "$ip" "$port"; done < <(servers "$@")
  while read -r kind ip port; do
    topo_wait_until "$kind server on $ip:$port" 60 srv_listening "$kind" "$ip" "$port" || return 1
  done < <(servers "$@")
}

stop_servers() { # CASE [IP [PORT]]
  local kind ip port
  while read -r kind ip port; do srv_stop "$kind" "$ip" "$port"; done < <(servers "$@")
}

reset_state() { # CASE: document roots, exit code and servers as at the start
  local c=$1
  rm -rf "$W/www"; mkdir -p "$W/www"
  [ -d "$c/www" ] && cp -r "$c/www/." "$W/www/"
  echo 0 > "$W/misc-exit"
  start_servers "$c"
}

reals_up() { # CASE: addresses and routes
  local c=$1 what ip _
  while read -r what ip _; do
    case $what in
      local) if is6 "$ip"; then ip -6 addr add "$ip/128" dev kadiff0 nodad; else ip addr add "$ip/32" dev kadiff0; fi ;;
      http|https|tcp|smtp|dns|addr)
        if is6 "$ip"; then
          ip -n reals -6 addr add "$ip/128" dev eth0 nodad 2>/dev/null
          ip -6 route replace "$ip/128" via fd99::2
        else
          ip -n reals addr add "$ip/32" dev eth0 2>/dev/null
          ip route replace "$ip/32" via 10.99.0.2
        fi ;;
    esac
  done < "$c/reals"
}

reals_down() { # CASE
  local c=$1 what ip _
  stop_servers "$c"
  while read -r what ip _; do
    case $what in
      local) if is6 "$ip"; then ip -6 addr del "$ip/128" dev kadiff0; else ip addr del "$ip/32" dev kadiff0; fi 2>/dev/null ;;
      *) if is6 "$ip"; then ip -n reals -6 addr del "$ip/128" dev eth0 2>/dev/null; ip -6 route del "$ip/128" 2>/dev/null
         else ip -n reals addr del "$ip/32" dev eth0 2>/dev/null; ip route del "$ip/32" 2>/dev/null; fi ;;
    esac
  done < "$c/reals"
}

act() { # CASE ACTION ARGS...
  local c=$1 a=$2; shift 2
  case $a in
    stop) stop_servers "$c" "$@" ;;
    start) start_servers "$c" "$@" ;;
    body) printf 'changed by the test\n' >> "$W/www/$1$2" ;;
    remove) rm -f "$W/www/$1$2" ;;
    misc) echo "$1" > "$W/misc-exit" ;;
    restore) reset_state "$c" ;;
    *) echo "unknown action $a" >&2; return 1 ;;
  esac
}

table() { ipvsadm -Sn 2>&1 | LC_ALL=C sort; }

# settle PREV CHANGE_SECONDS QUIET_SECONDS OUT PID: waits until the table differs from PREV (at most
# CHANGE_SECONDS), then until it stays unchanged for QUIET_SECONDS (at most 120 s more); records it
# as OUT.sn / OUT.th, every line seen meanwhile in OUT.seen, and the outcome in OUT.status.
settle() {
  local prev=$1 change=$2 quiet=$3 out=$4 pid=$5 cur last now status=settled
  local end=$(( $(date +%s) + change )) since
  : > "$out.seen"
  cur=$(table)
  while [ "$cur" = "$prev" ]; do
    kill -0 "$pid" 2>/dev/null || { status="daemon exited"; break; }
    if [ "$(date +%s)" -ge "$end" ]; then status="unchanged after ${change} s"; break; fi
    sleep 0.3
    cur=$(table)
  done
  echo "$cur" >> "$out.seen"
  if [ "$status" = settled ]; then
    last=$cur; since=$(date +%s); end=$(( since + 120 ))
    while :; do
      sleep 0.3
      cur=$(table); echo "$cur" >> "$out.seen"
      now=$(date +%s)
      if [ "$cur" != "$last" ]; then last=$cur; since=$now; fi
      [ $(( now - since )) -ge "$quiet" ] && break
      kill -0 "$pid" 2>/dev/null || { status="daemon exited"; break; }
      [ "$now" -ge "$end" ] && { status="still changing after 120 s"; break; }
    done
  fi
  LC_ALL=C sort -u -o "$out.seen" "$out.seen"
  table > "$out.sn"
  ipvsadm -Ln --thresholds > "$out.th" 2>&1
  echo "$status" > "$out.status"
}

wait_gone() { topo_wait_until "process $1 to exit" 60 bash -c "! kill -0 $1" || kill -KILL "$1" 2>/dev/null; }

run_side() { # CASE SIDE
  local c=$1 side=$2 o=$1/$2 pid k=0 line t0
  mkdir -p "$o"
  ipvsadm -C
  t0=$(date +%s)
  case $side in
    keepalived)
      keepalived -n -l -D -C -f "$c/keepalived.conf" -p "$W/ka.pid" -c "$W/kc.pid" -r "$W/kr.pid" > "$o/daemon.log" 2>&1 &
      pid=$! ;;
    ldirector)
      rm -rf "$W/ldrun"; mkdir -m 0755 "$W/ldrun"
      LDIRECTOR_RUNDIR=$W/ldrun "$root/bin/ldirector" --foreground "$c/ldirector.cf" start > "$o/daemon.log" 2>&1 &
      pid=$! ;;
  esac
  # Phase 0: from the empty table to the started daemon's settled table. The quiet time spans
  # several check rounds (the cases' delay_loop is at most 2 s), so every first verdict is in.
  settle "" 120 "${KADIFF_QUIET_START:-10}" "$o/0" "$pid"
  while IFS= read -r line; do
    k=$((k + 1))
    [ -n "$line" ] || continue
    # shellcheck disable=SC2086
    act "$c" $line || echo "action failed" > "$o/$k.status"
    settle "$(cat "$o/$((k - 1)).sn")" 60 "${KADIFF_QUIET:-6}" "$o/$k" "$pid"
  done < "$c/phases"
  kill -TERM "$pid" 2>/dev/null
  wait_gone "$pid"
  wait "$pid" 2>/dev/null
  ipvsadm -C
  echo "$(( $(date +%s) - t0 )) s" > "$c/$side.done"
  echo "keepalived-differential: $(basename "$c") $side: $(cat "$o"/*.status | tr '\n' ' ')($(cat "$c/$side.done"))"
}

while IFS= read -r name; do
  c=$dir/$name
  reals_up "$c"
  reset_state "$c" || { echo "servers of $name did not start" > "$c/setup.status"; reals_down "$c"; continue; }
  run_side "$c" keepalived
  reset_state "$c"
  run_side "$c" ldirector
  reals_down "$c"
done < "$dir/cases"
exit 0
