#!/bin/bash
# Steady-state probing on the host, without User-Mode Linux's system-call cost (issue 8's "every
# real checked every interval at 10,000 reals"): ldirector with its in-memory table checks N reals
# every second against one nginx on loopback, and nginx's access log says how often each real was
# asked. Not part of the test suite; needs nginx (deps/bench.txt) and root only for ulimit -n.
#
#   test-fixtures/bench/host-steady.sh [N=10000] [http|connect] [WARMUP=60] [WINDOW=30]
#
# HOST_TSV=FILE also appends the figures to FILE as side-by-side.sh's rows (ldirector, host, N, kind,
# key, value): side-by-side.sh runs this after its guests and reports it next to them.
#
# Reals are 127.A.B.C:$PORT (8081; all of 127/8 is loopback), 10 per virtual service, checkinterval 1,
# timeouts 1 s, request check.html, receive "ok", as side-by-side.sh configures them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-10000} KIND=${2:-http} WARMUP=${3:-60} WINDOW=${4:-30}
WORK=$(mktemp -d "$ROOT/target/host-steady.XXXXXX")
[ -f "$ROOT/target/ldirector.jar" ] || { echo "no target/ldirector.jar: build with mvn -B package" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"

cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65535;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 60000; multi_accept on; }
http {
  log_format real '\$server_addr';
  access_log $WORK/access.log real buffer=256k flush=1s;
  keepalive_timeout 0;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server {
    listen ${PORT:-8081} backlog=65535;
    location = /check.html { return 200 "ok\n"; }
    location = /nginx_status { stub_status; }
  }
}
CONF
python3 - "$N" "$KIND" "$WORK" "${PORT:-8081}" <<'PY'
import sys
n, kind, work, port = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
out = ["checkinterval=1", "checktimeout=1", "negotiatetimeout=1", "quiescent=no", f'logfile="{work}/ldirector.log"']
for i in range(n):
    if i % 10 == 0:
        v = i // 10
        out.append(f"virtual=10.99.{v // 250}.{v % 250 + 1}:80")
        out += ["\tscheduler=wrr", f"\tchecktype={'negotiate' if kind == 'http' else 'connect'}", "\tservice=http",
                '\trequest="check.html"', '\treceive="ok"']
    out.append(f"\treal=127.{1 + i // 62500}.{(i // 250) % 250}.{i % 250 + 1}:{port} masq 1")
open(f"{work}/ldirector.cf", "w").write("\n".join(out) + "\n")
PY

# nginx hands its temp dirs to its worker user: the run dir (which must be root's) is another
mkdir -p "$WORK/tmp" "$WORK/run"
nginx -c "$WORK/nginx.conf"
DPID=
cleanup() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; }
trap cleanup EXIT
accepts() { curl -s http://127.0.0.1:${PORT:-8081}/nginx_status | awk 'NR == 3 { print $1 }'; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

t0=$(date +%s.%N)
LDIRECTOR_IPVS=memory LDIRECTOR_RUNDIR=$WORK/run "$ROOT/bin/ldirector" --foreground "$WORK/ldirector.cf" start \
  > "$WORK/stdout.log" 2>&1 &
DPID=$!
full=
for _ in $(seq 1 600); do
  added=$(cat "$WORK/ldirector.log" 2>/dev/null | grep -c 'Added real server' || true)
  if [ "$added" -ge "$N" ]; then
    full=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
    break
  fi
  sleep 0.2
done
sleep "$WARMUP"
hz=$(getconf CLK_TCK)
c0=$(cpu "$DPID") a0=$(accepts) l0=$(wc -l < "$WORK/access.log")
sleep "$WINDOW"
c1=$(cpu "$DPID") a1=$(accepts)
sleep 1.5 # nginx flushes its log buffer every second
tail -n +"$((l0 + 1))" "$WORK/access.log" > "$WORK/window.log"
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$DPID/status")
python3 - "$N" "$KIND" "$WINDOW" "$((c1 - c0))" "$hz" "$((a1 - a0))" "$rss" "${full:-never}" "$WORK/window.log" "${HOST_TSV:-}" <<'PY'
import collections, sys
n, kind, window, ticks, hz, accepted, rss, full, log, tsv = sys.argv[1:]
n, window, ticks, hz, accepted = int(n), float(window), int(ticks), int(hz), int(accepted)
cpu = ticks / hz
per = collections.Counter(l.strip() for l in open(log) if l.strip() and l.strip() != "127.0.0.1")
# each figure once, for the line and for side-by-side.sh's rows
cpu_per_min, rate = cpu / window * 60, accepted / window
per_real, ms_per_probe = rate / n, cpu / accepted * 1e3 if accepted else float("nan")
line = (f"host, {n} reals, {kind}: table full after {full} s; {cpu_per_min:.2f} CPU s/min, "
        f"{rate:.0f} probes/s ({per_real:.3f} per real per s), "
        f"{ms_per_probe:.3f} CPU ms per probe, peak RSS {int(rss) // 1024} MB")
rows = {"table_full_s": full, "cpu_s_per_min": "%.3f" % cpu_per_min, "probes_per_s": "%.1f" % rate,
        "per_real_per_s": "%.3f" % per_real,
        "cpu_ms_per_1000_probes": "%.1f" % (ms_per_probe * 1e3) if accepted else "n/a",
        "rss_kb": rss, "window_s": "%d" % window}
if kind == "http":
    # a real asked at least once in every second of the window (allowing the window's two edges)
    every = sum(1 for c in per.values() if c >= window - 1)
    line += f"; reals asked at least {int(window) - 1} times in {int(window)} s: {every} of {n} ({100 * every / n:.1f} %)"
    rows["reals_every_interval_pct"] = "%.1f" % (100 * every / n)
print(line)
if tsv:
    with open(tsv, "a") as f:
        for k, v in rows.items():
            f.write("ldirector\thost\t%d\t%s\t%s\t%s\n" % (n, kind, k, v))
PY
echo "# $(nproc) cores; $(java -version 2>&1 | head -1); nginx $(nginx -v 2>&1 | sed 's/.*\///'); raw: $WORK"
