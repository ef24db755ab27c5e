# Runs inside User-Mode Linux (sourced by the boot script side-by-side.sh writes): the sandbox, the
# real servers, and every measurement for ONE daemon (SBS_DAEMON = ldirector | ldirectord | keepalived).
# Results are appended to $SBS_OUT/results.tsv as they come, so a boot that dies keeps what it measured:
#   daemon  measurement  reals  check  key  value
#
# Sandbox (only addresses of its own; nothing leaves the guest):
#   director = root namespace, 10.77.3.1 on veth "to-reals"; virtual services 10.77.0.100:10001..
#   namespace "reals": 10.77.3.2, and the whole 10.77.64.0/18 is local there (one "local" route,
#   any-IP), so real i is 10.77.(64 + i/250).(i%250 + 1); one nginx on 0.0.0.0:80 answers all of them
#   (GET /check.html -> 200 "ok"; /nginx_status for the probe counters). The sorry server is
#   10.77.120.1:80 (also answered by that nginx; no daemon checks it).
#   A real fails by an iptables-legacy rule in "reals" (REJECT tcp-reset, or DROP).
set -u
: "${SBS_DAEMON:?}" "${SBS_OUT:?}" "${ROOT:?}"
PY=/usr/bin/python3
PROBE="$PY $ROOT/test-fixtures/bench/sbs/probe.py"
RES=$SBS_OUT/results.tsv
LOG=$SBS_OUT/$SBS_DAEMON.log
W=/run/sbs
mkdir -p "$W"
export SBS_OUT

COST_SIZES=${COST_SIZES:-10 100 1000 10000}
COST_KINDS=${COST_KINDS:-http connect}
DET_SIZES=${DET_SIZES:-10 1000}
TRIALS=${TRIALS:-10}
FALLBACK_TRIALS=${FALLBACK_TRIALS:-5}
FALLBACK_SIZE=${FALLBACK_SIZE:-10}
RELOAD_SIZE=${RELOAD_SIZE:-1000}
RELOAD_KIND=${RELOAD_KIND:-http}
PERVIRT=${PERVIRT:-10}
WARMUP=${WARMUP:-60}
STEADY_SIZES=${STEADY_SIZES-10}
STEADY_WARMUP=${STEADY_WARMUP:-300}
WINDOW=${WINDOW:-30}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-120}
LDIRECTORD_MAX_REALS=${LDIRECTORD_MAX_REALS:-1000}
BASE=${BASE:-60}

say() { echo "[$(date +%T)] $SBS_DAEMON: $*" | tee -a "$LOG" >&2; }
res() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$SBS_DAEMON" "$@" >> "$RES"; }
now() { $PY -c 'import time; print("%.3f" % time.time())'; }
# the host reads the whole guest's CPU time, exactly, at each mark (hostcpu.sh); returns once it has.
# Builtins only up to the mark: a python3 started for it would be counted in the window it ends
# (half a second of CPU in User-Mode Linux). probe.py cost marks its own window from within.
mark() {
  local i
  : > "$SBS_OUT/mark-$1"
  for ((i = 0; i < 200; i++)); do
    [ -e "$SBS_OUT/host-$1" ] && return 0
    sleep 0.05
  done
  echo "mark $1: no answer from the host in 10 s (no hostcpu_watch?)" >&2
}

setup_sandbox() {
  modprobe ip_vs && modprobe veth || return 1
  modprobe ip_vs_wlc 2>/dev/null
  ip netns add reals
  ip link add to-reals type veth peer name eth0 netns reals
  ip addr add 10.77.3.1/24 dev to-reals
  ip link set to-reals up
  ip -n reals addr add 10.77.3.2/24 dev eth0
  ip -n reals link set lo up
  ip -n reals link set eth0 up
  ip -n reals route add local 10.77.64.0/18 dev lo
  ip route add 10.77.64.0/18 via 10.77.3.2
  # up to 10,000 probes a second, each a new connection
  sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
  ip netns exec reals sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
  # nginx hands its temp dirs to its worker user: ldirector's run dir ($W) must stay root's
  mkdir -p "$W/nginx-tmp"
  cat > "$W/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65535;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 60000; multi_accept on; }
http {
  log_format addr '\$server_addr';
  access_log $W/access.log addr buffer=64k flush=1s;
$([ "${TIMING:-0}" = 1 ] && printf '%s\n' "  log_format timing '\$msec \$server_addr';" "  access_log $W/timing.log timing buffer=64k flush=1s;")
  keepalive_timeout 0;
  client_body_temp_path $W/nginx-tmp;
  proxy_temp_path $W/nginx-tmp;
  fastcgi_temp_path $W/nginx-tmp;
  uwsgi_temp_path $W/nginx-tmp;
  scgi_temp_path $W/nginx-tmp;
  server {
    listen 80 backlog=65535 default_server;
    location = /check.html { return 200 "ok\n"; }
    location = /nginx_status { stub_status; access_log off; }
  }
}
CONF
  ip netns exec reals nginx -e "$W/nginx-error.log" -c "$W/nginx.conf" || return 1
  local i
  for i in $(seq 1 50); do
    curl -s -m 2 http://10.77.64.1/check.html 2>/dev/null | grep -q ok && return 0
    sleep 0.2
  done
  echo "nginx does not answer" >&2
  return 1
}

# ---- the daemons ---------------------------------------------------------------------------------
DPID=  # the daemon's main process: its whole process tree is measured

# the daemon's whole process tree (ldirectord's and keepalived's children too) as strace's -p arguments
strace_pids() {
  $PY -c "import sys; sys.path.insert(0, '$ROOT/test-fixtures/bench/sbs'); import probe; print(' '.join('-p %d' % p for p in sorted(probe.proc_tree($DPID))))"
}

daemon_start() { # $1 = config dir
  local d=$1
  : > "$W/daemon.log"
  case $SBS_DAEMON in
    ldirector)
      LDIRECTOR_RUNDIR=$W "$ROOT/bin/ldirector" --foreground "$d/ldirector.cf" start > "$W/stdout.log" 2>&1 &
      DPID=$! ;;
    ldirectord)
      /usr/sbin/ldirectord "$d/ldirectord.cf" start > "$W/stdout.log" 2>&1
      DPID=$(cat /run/ldirectord.ldirectord.cf.pid 2>/dev/null) ;;  # named after the config's file name
    keepalived)
      keepalived -n -l -C -f "$d/keepalived.conf" -p "$W/ka.pid" -c "$W/kc.pid" -r "$W/kr.pid" > "$W/stdout.log" 2>&1 &
      DPID=$! ;;
  esac
}

daemon_stop() { # $1 = config dir, $2 = name for the kept logs
  # the daemon's own log and output, kept for evidence (the last 5 MB)
  mkdir -p "$SBS_OUT/logs"
  tail -c 5M "$W/daemon.log" > "$SBS_OUT/logs/$2-daemon.log" 2>/dev/null
  tail -c 5M "$W/stdout.log" > "$SBS_OUT/logs/$2-stdout.log" 2>/dev/null
  case $SBS_DAEMON in
    ldirector)
      # the stop verb, timed (it returns once the daemon is gone); TERM if it did not stop it
      local v0 v1
      v0=$(date +%s.%N)
      LDIRECTOR_RUNDIR=$W "$ROOT/bin/ldirector" "$1/ldirector.cf" stop > /dev/null 2>&1 || kill -TERM "$DPID" 2>/dev/null
      v1=$(date +%s.%N)
      res verbs "${2%%-*}" "${2#*-}" stop "$(awk -v a="$v0" -v b="$v1" 'BEGIN {printf "%.3f", b - a}')" ;;
    keepalived) kill -TERM "$DPID" 2>/dev/null ;;
    ldirectord) /usr/sbin/ldirectord "$1/ldirectord.cf" stop >/dev/null 2>&1 || kill -TERM "$DPID" 2>/dev/null ;;
  esac
  local i
  for i in $(seq 1 300); do
    kill -0 "$DPID" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$DPID" 2>/dev/null
  # ldirectord's per-virtual children, keepalived's checker: anything left of the tree
  pkill -KILL -x ldirectord 2>/dev/null; pkill -KILL -x keepalived 2>/dev/null
  ipvsadm -C
  ip netns exec reals iptables-legacy -F INPUT 2>/dev/null
  sleep 1
}

# the client verbs against the running director, each three times (date, not python: its start-up
# would count in the interval)
time_verbs() { # $1 = reals, $2 = kind, $3 = config dir
  local v i v0 v1 all
  for v in status "sync status" reload; do
    all=
    for i in 1 2 3; do
      v0=$(date +%s.%N)
      # shellcheck disable=SC2086
      LDIRECTOR_RUNDIR=$W "$ROOT/bin/ldirector" "$3/ldirector.cf" $v > /dev/null 2>&1
      v1=$(date +%s.%N)
      all+="$(awk -v a="$v0" -v b="$v1" 'BEGIN {printf "%.3f", b - a}') "
      sleep 0.5
    done
    res verbs "$1" "$2" "${v// /_}" "${all% }"
    say "verb $v: $all s"
  done
}

# ---- one phase: N reals, one check kind ------------------------------------------------------------
phase() { # $1 = reals, $2 = http|connect
  local n=$1 kind=$2 d="$W/cfg-$1-$2"
  if [ "$SBS_DAEMON" = ldirectord ] && [ "$n" -gt "$LDIRECTORD_MAX_REALS" ]; then
    say "skipping $n reals ($kind): above LDIRECTORD_MAX_REALS=$LDIRECTORD_MAX_REALS"
    res startup "$n" "$kind" skipped "ldirectord above LDIRECTORD_MAX_REALS=$LDIRECTORD_MAX_REALS (one process per virtual, one ipvsadm fork per entry)"
    res cost "$n" "$kind" skipped "ldirectord above LDIRECTORD_MAX_REALS=$LDIRECTORD_MAX_REALS"
    return 0
  fi
  mkdir -p "$d"
  $PROBE genconf "$n" "$PERVIRT" "$kind" "$d"
  say "start: $n reals, $kind checks"
  local t0 up
  t0=$(now)
  daemon_start "$d"
  up=$($PROBE wait-full "$n" "$STARTUP_TIMEOUT" "$t0")
  say "table full after: $up s"
  [ "$SBS_DAEMON" = ldirector ] && time_verbs "$n" "$kind" "$d"
  case $up in
    timeout*) res startup "$n" "$kind" incomplete "$(echo "$up" | cut -d' ' -f3) of $n reals ($(echo "$up" | cut -d' ' -f2) table entries with the sorry servers) after ${STARTUP_TIMEOUT} s" ;;
    *) res startup "$n" "$kind" seconds "$up" ;;
  esac
  # At a few reals a JVM compiles what runs once a second only minutes after start; a director runs
  # for months, so those sizes are measured in that steady state (the same wait for every daemon).
  local warm=$WARMUP
  case " $STEADY_SIZES " in *" $n "*) warm=$STEADY_WARMUP ;; esac
  say "warm-up: $warm s"
  sleep "$warm"
  local line
  $PROBE cost "$DPID" "$WINDOW" "$kind" "$n" "cost-$n-$kind" > "$W/cost.txt"
  while IFS='=' read -r k v; do res cost "$n" "$kind" "$k" "$v"; done < "$W/cost.txt"
  say "cost: $(tr '\n' ' ' < "$W/cost.txt")"
  if [ "$kind" = http ]; then
    case " $DET_SIZES " in *" $n "*)
      local fk
      for fk in refuse drop; do
        say "detection ($fk), $TRIALS trials"
        $PROBE detect "$fk" "$TRIALS" "$n" "$PERVIRT" > "$W/det.txt"
        while read -r tag kk k ip vport down rec; do
          [ "$tag" = trial ] && res detect "$n" "$fk" "$down" "$rec"
          [ "$tag" = skip ] && res detect "$n" "$fk" skip "$ip"
        done < "$W/det.txt"
        say "$(awk '{print $6"/"$7}' "$W/det.txt" | tr '\n' ' ')"
        if [ "${TIMING:-0}" = 1 ]; then sleep 1.5; mkdir -p "$SBS_OUT/logs"; cp "$W/timing.log" "$SBS_OUT/logs/$n-timing.log"; fi
      done ;;
    esac
    if [ "$n" = "$FALLBACK_SIZE" ]; then
      say "fallback, $FALLBACK_TRIALS trials"
      $PROBE fallback "$FALLBACK_TRIALS" "$PERVIRT" > "$W/fb.txt"
      while read -r tag k vport tin tout; do
        [ "$tag" = fallback ] && res fallback "$n" http "$tin" "$tout"
      done < "$W/fb.txt"
      say "$(awk '{print $4"/"$5}' "$W/fb.txt" | tr '\n' ' ')"
    fi
  fi
  [ "$n" = "$RELOAD_SIZE" ] && [ "$kind" = "$RELOAD_KIND" ] && measure_reload "$n" "$d" "$kind"
  daemon_stop "$d" "$n-$kind"
}

# ---- reload: one real added to the last virtual of an n-real config --------------------------------
metric_ops() { # ldirector's own count of kernel operations (Prometheus page)
  curl -s -m 5 http://127.0.0.1:9469/metrics | awk '/^ldirector_kernel_operations_total/ {s += $NF} END {printf "%d\n", s}'
}

measure_reload() { # $1 = reals, $2 = config dir, $3 = check kind
  local n=$1 d=$2 kind=$3 cfg hup=0 vport ip t ops0 ops1 pids
  vport=$((10000 + n / PERVIRT))
  case $SBS_DAEMON in
    ldirector) cfg=$d/ldirector.cf ;;
    ldirectord) cfg=$d/ldirectord.cf ;;
    keepalived) cfg=$d/keepalived.conf; hup=$DPID ;;
  esac
  # 1) timed, untraced
  mkdir -p "$d/new1" "$d/new2"
  $PROBE genconf "$n" "$PERVIRT" "$kind" "$d/new1" 1
  ip=$($PY -c "import sys; sys.path.insert(0, '$ROOT/test-fixtures/bench/sbs'); import probe; print(probe.real_ip($n))")
  [ "$SBS_DAEMON" = ldirector ] && ops0=$(metric_ops)
  sleep 1.1  # a new mtime second for mtime-polling daemons
  t=$($PROBE reload "$cfg" "$d/new1/$(basename "$cfg")" "$vport" "$ip" "$hup" 60)
  say "reload (one real added to $n): $t s"
  res reload "$n" "$kind" seconds "$t"
  if [ "$SBS_DAEMON" = ldirector ]; then
    sleep 2
    ops1=$(metric_ops)
    res reload "$n" "$kind" kernel_ops_metrics "$((ops1 - ops0))"
    say "kernel operations (ldirector_kernel_operations_total): $((ops1 - ops0))"
  fi
  # 2) counted under strace: a second real added
  $PROBE genconf "$n" "$PERVIRT" "$kind" "$d/new2" 2
  ip=$($PY -c "import sys; sys.path.insert(0, '$ROOT/test-fixtures/bench/sbs'); import probe; print(probe.real_ip($n + 1))")
  pids=$(strace_pids)
  local trace=execve
  [ "$SBS_DAEMON" = ldirectord ] || trace=sendmsg,sendto
  # -z: successful calls only (execvp's misses along PATH are not operations)
  # shellcheck disable=SC2086
  strace -f -z -qq -s 64 -e trace=$trace -o "$W/strace.txt" $pids 2>/dev/null &
  local sp=$!
  sleep 3  # attaching to every thread
  sleep 1.1
  t=$($PROBE reload "$cfg" "$d/new2/$(basename "$cfg")" "$vport" "$ip" "$hup" 60)
  sleep 3
  kill -INT "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
  cp "$W/strace.txt" "$SBS_OUT/reload-strace.txt" 2>/dev/null
  local count
  if [ "$SBS_DAEMON" = ldirectord ]; then
    count=$(grep -c 'execve("[^"]*ipvsadm"' "$W/strace.txt")
    res reload "$n" "$kind" kernel_ops_strace "$count ipvsadm execs"
  else
    # IPVS generic-netlink requests that change the table (reads, GET_*, are listed apart)
    count=$($PROBE count-strace "$W/strace.txt")
    res reload "$n" "$kind" kernel_ops_strace "$count"
  fi
  say "reload under strace: $t s, kernel operations counted: $count"
}

main() {
  say "setting up sandbox"
  setup_sandbox || { say "sandbox failed"; return 1; }
  # how fast this machine runs a guest: java -version took 0.7 s in one project machine's User-Mode
  # Linux and 4.3-5.4 s in another's, which moves every absolute number of a run (not their ratios)
  local t0 t1
  t0=$(now); java -version > /dev/null 2>&1; t1=$(now)
  res calibration 0 guest java_version_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')"
  if [ "$SBS_DAEMON" = ldirector ]; then
    # the class data sharing archive a package builds at install (bin/ldirector --build-cds)
    export LDIRECTOR_CACHE_DIR=$W/cds
    t0=$(now); "$ROOT/bin/ldirector" --build-cds > /dev/null 2>&1; t1=$(now)
    res calibration 0 guest cds_build_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')"
    say "class data sharing archive: $(ls "$W/cds" 2>/dev/null | tr '\n' ' ')"
  fi
  # the guest at rest (nginx up, no daemon): what each cost window's host reading is compared with
  # (after 10 s for the set-up's own aftermath: a 10 s reading straight after it was three times a later one)
  say "at rest for ${BASE:-60} s"
  sleep 10
  mark base-start; sleep "${BASE:-60}"; mark base-end
  local kind n
  for kind in $COST_KINDS; do
    for n in $COST_SIZES; do
      phase "$n" "$kind"
    done
  done
  say "done"
}
