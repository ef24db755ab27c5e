#!/bin/bash
# Peak RSS of one start at N HTTP reals (host, in-memory table, one nginx on loopback), read SETTLE s
# after the full table; EXTRA goes in JAVA_TOOL_OPTIONS. The A/B of the log4j change ran it three
# times per build, alternating (each build with its own archive under LDIRECTOR_CACHE_DIR).
#   rss-ab.sh [N=100] [EXTRA] [SETTLE=10]
set -u
N=${1:-100}; EXTRA=${2:-}; SETTLE=${3:-10}
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd); W=$ROOT/target/rss-ab; rm -rf $W; mkdir -p $W/run $W/tmp; chmod 700 $W/run
PORT=8093
cat > $W/nginx.conf <<CONF
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 20000; }
http { access_log off; keepalive_timeout 0;
  client_body_temp_path $W/tmp; proxy_temp_path $W/tmp; fastcgi_temp_path $W/tmp; uwsgi_temp_path $W/tmp; scgi_temp_path $W/tmp;
  server { listen $PORT backlog=65535; location = /check.html { return 200 "ok\n"; } } }
CONF
nginx -c $W/nginx.conf
python3 - $N $W $PORT > $W/l.cf <<'PY'
import sys
n, work, port = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = ["checkinterval=1", "checktimeout=1", "negotiatetimeout=1", "quiescent=no", "autoreload=yes", f'logfile="{work}/ldirector.log"']
for i in range(n):
    if i % 10 == 0:
        v = i // 10
        out.append(f"virtual=10.99.{v // 250}.{v % 250 + 1}:80")
        out += ["\tscheduler=wrr", "\tchecktype=negotiate", "\tservice=http", '\trequest="check.html"', '\treceive="ok"']
    out.append(f"\treal=127.{1 + i // 62500}.{(i // 250) % 250}.{i % 250 + 1}:{port} masq 1")
print("\n".join(out))
PY
export LDIRECTOR_IPVS=memory LDIRECTOR_RUNDIR=$W/run LDIRECTOR_CACHE_DIR=${LDIRECTOR_CACHE_DIR:-$ROOT/target/rss-ab-cache}
if [ -n "$EXTRA" ]; then export JAVA_TOOL_OPTIONS="$EXTRA"; fi
$ROOT/bin/ldirector $W/l.cf start >/dev/null 2>&1
pid=$(cat $W/run/ldirector.l.cf.pid)
for i in $(seq 1 300); do c=$(grep -c "Added real server" $W/ldirector.log 2>/dev/null); [ "${c:-0}" -ge $N ] && break; sleep 0.05; done
sleep $SETTLE
echo "$(grep -E 'VmHWM|VmRSS|RssAnon|RssFile|Threads' /proc/$pid/status | tr -s ' \t\n' ' ') ticks=$(awk '{print $14+$15}' /proc/$pid/stat)"
[ -n "${NMT:-}" ] && jcmd $pid VM.native_memory summary > $W/nmt.txt 2>&1
[ -n "${KEEP:-}" ] || { $ROOT/bin/ldirector $W/l.cf stop >/dev/null; kill $(cat $W/nginx.pid); }
