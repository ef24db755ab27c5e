#!/bin/bash
# Start-up, memory, verbs and reload on the host (issue 27), without User-Mode Linux: ldirector with its
# in-memory table (LDIRECTOR_IPVS=memory) against one nginx on loopback, as host-steady.sh sets it up.
# Quick enough to compare one launcher flag or code change with the last (a minute or two); the
# side-by-side run in User-Mode Linux stays the evidence for the issue's targets.
#
#   test-fixtures/bench/host-start.sh [N=100] [http|connect] [REPS=3] [SETTLE=20]
#
# Prints, per repetition: java -version's time, start -> every real added (the log's "Added real
# server" lines, polled every 10 ms), peak RSS (VmHWM) and CPU seconds SETTLE s after the table is
# full; then each verb (status, sync status, reload, stop) timed REPS times from the shell, and
# "reload: one real added": the config saved with one more real -> its "Added real server" line.
# LDIRECTOR_JAVA_OPTS and every other environment setting pass through to bin/ldirector.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-100} KIND=${2:-http} REPS=${3:-3} SETTLE=${4:-20}
mkdir -p "$ROOT/target"
WORK=$(mktemp -d "$ROOT/target/host-start.XXXXXX")
[ -f "$ROOT/target/ldirector.jar" ] || { echo "no target/ldirector.jar: build with mvn -B package" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
PORT=${PORT:-8082}
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_timeout 0;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen $PORT backlog=65535; location = /check.html { return 200 "ok\n"; } }
}
CONF
genconf() { # $1 = reals, $2 = file
  python3 - "$1" "$KIND" "$WORK" "$PORT" > "$2" <<'PY'
import sys
n, kind, work, port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
out = ["checkinterval=1", "checktimeout=1", "negotiatetimeout=1", "quiescent=no", "autoreload=yes",
       f'logfile="{work}/ldirector.log"']
for i in range(n):
    if i % 10 == 0:
        v = i // 10
        out.append(f"virtual=10.99.{v // 250}.{v % 250 + 1}:80")
        out += ["\tscheduler=wrr", f"\tchecktype={'negotiate' if kind == 'http' else 'connect'}", "\tservice=http",
                '\trequest="check.html"', '\treceive="ok"']
    out.append(f"\treal=127.{1 + i // 62500}.{(i // 250) % 250}.{i % 250 + 1}:{port} masq 1")
print("\n".join(out))
PY
}
mkdir -p "$WORK/tmp" "$WORK/run"
nginx -c "$WORK/nginx.conf"
DPID=
cleanup() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT
ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
added() { local c; c=$(grep -c 'Added real server' "$WORK/ldirector.log" 2>/dev/null) || true; echo "${c:-0}"; }
export LDIRECTOR_IPVS=memory LDIRECTOR_RUNDIR=$WORK/run
CF=$WORK/ldirector.cf
for r in $(seq 1 "$REPS"); do
  t0=$(ns); java -version > /dev/null 2>&1; t1=$(ns); jv=$(secs "$t0" "$t1")
  genconf "$N" "$CF"
  rm -f "$WORK/ldirector.log"
  t0=$(ns)
  "$ROOT/bin/ldirector" --foreground "$CF" start > "$WORK/stdout.log" 2>&1 &
  DPID=$!
  full=never
  for _ in $(seq 1 12000); do
    kill -0 "$DPID" 2>/dev/null || { cat "$WORK/stdout.log"; exit 1; }
    if [ "$(added)" -ge "$N" ]; then full=$(secs "$t0" "$(ns)"); break; fi
    sleep 0.01
  done
  sleep "$SETTLE"
  rss=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$DPID/status")
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$DPID/stat")
  echo "start $r: java -version ${jv} s; $N $KIND reals in the table after ${full} s; peak RSS ${rss} MB, CPU ${cpu} s after ${SETTLE} s more"
  if [ "$r" = "$REPS" ]; then
    for verb in status "sync status" reload; do
      ts=
      for _ in $(seq 1 "$REPS"); do
        t0=$(ns)
        # shellcheck disable=SC2086
        "$ROOT/bin/ldirector" "$CF" $verb > /dev/null 2>&1 || echo "($verb exited $?)"
        ts+="$(secs "$t0" "$(ns)") "
      done
      echo "verb $verb: $ts s"
      sleep 1
    done
    # reload: one real added (autoreload: the config watcher sees the save)
    sleep 1.1
    genconf "$((N + 1))" "$CF.new"
    before=$(added)
    t0=$(ns); mv "$CF.new" "$CF"
    for _ in $(seq 1 3000); do
      [ "$(added)" -gt "$before" ] && break
      sleep 0.005
    done
    echo "reload: one real added to $N, save -> Added real server: $(secs "$t0" "$(ns)") s"
    genconf "$N" "$CF.new"; mv "$CF.new" "$CF"; sleep 2
  fi
  t0=$(ns)
  "$ROOT/bin/ldirector" "$CF" stop > /dev/null 2>&1 || echo "(stop exited $?)"
  echo "verb stop: $(secs "$t0" "$(ns)") s"
  wait "$DPID" 2>/dev/null || true
  DPID=
done
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); LDIRECTOR_JAVA_OPTS=${LDIRECTOR_JAVA_OPTS:-(launcher defaults)}; raw: $WORK"
