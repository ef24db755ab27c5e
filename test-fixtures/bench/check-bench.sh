#!/bin/bash
# Probe throughput benchmark for ldirector's checkers (issue 4). Not part of the test suite.
#
#   test-fixtures/bench/check-bench.sh            # host: 1,000 and 10,000 HTTP and TCP-connect probes
#   test-fixtures/bench/check-bench.sh --uml      # in one UML boot: ldirector vs keepalived HTTP_GET CPU at equal pacing
#
# Servers: nginx-light on 127.0.0.1-4, ports 8081-8082 (8 servers), GET /check.html -> 200 "ok".
# Host mode needs root only for ulimit -n; keepalived cannot run its checkers without IPVS (it exits
# with "IPVS: Can't initialize ipvs"), so the keepalived comparison runs inside User-Mode Linux, where
# ip_vs loads, with ldirector's bench in the same boot against the same nginx.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MODE=${1:-host}
COUNTS=${COUNTS:-1000,10000}
ROUNDS=${ROUNDS:-8}  # a daemon is warm: the last rounds are its steady state, the first its start-up
# not under /tmp: inside UML /tmp is the guest's own tmpfs, and the guest must read this dir
WORK=${WORK:-$(mktemp -d "$ROOT/target/check-bench.XXXXXX")}

command -v nginx >/dev/null || { echo "nginx missing: apt-get install -y nginx-light" >&2; exit 1; }
mvn -q -B -o test-compile
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$WORK/cp.txt")"

SERVERS=""
LISTEN=""
for a in 1 2 3 4; do
  for p in 8081 8082; do
    SERVERS="${SERVERS:+$SERVERS,}127.0.0.$a:$p"
    LISTEN="$LISTEN    listen 127.0.0.$a:$p backlog=65535;
"
  done
done

write_nginx() { # $1 = access log (off or a path), $2 = writable dir for pid and temp files
  local state=${2:-$WORK}
  cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile 20000;
pid $state/nginx.pid;
error_log $state/nginx-error.log;
events { worker_connections 19000; multi_accept on; }
http {
  access_log $1;
  keepalive_timeout 0;
  client_body_temp_path $state;
  proxy_temp_path $state;
  fastcgi_temp_path $state;
  uwsgi_temp_path $state;
  scgi_temp_path $state;
  server {
$LISTEN
    location = /check.html { return 200 "ok\n"; }
  }
}
CONF
}

# the launcher's flags (bin/ldirector), plus a fixed heap so rounds compare
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g -XX:+UseParallelGC -XX:TieredStopAtLevel=1}

if [ "$MODE" = host ]; then
  ulimit -n "$(ulimit -Hn)"
  write_nginx off
  nginx -c "$WORK/nginx.conf"
  trap 'kill $(cat "$WORK/nginx.pid") 2>/dev/null || true' EXIT
  echo "# host: $(nproc) cores, $(java -version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*\///'), servers $SERVERS"
  echo "# java $JAVA_OPTS org.ldirector.check.bench.CheckBench $SERVERS http,connect $COUNTS $ROUNDS"
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$CP" org.ldirector.check.bench.CheckBench "$SERVERS" http,connect "$COUNTS" "$ROUNDS"
  exit 0
fi

if [ "$MODE" != --uml ]; then
  echo "unknown mode $MODE" >&2
  exit 2
fi

# ---- UML: keepalived HTTP_GET vs ldirector, same nginx, same boot, one CPU -------------------------
KA_VS=${KA_VS:-125}          # virtual servers, each with the 8 nginx servers as reals
KA_DELAY=${KA_DELAY:-10}     # keepalived delay_loop: KA_VS*8/KA_DELAY checks per second
KA_SECONDS=${KA_SECONDS:-40} # measured window (after 10 s of warm-up)
PACED_WARMUP=${PACED_WARMUP:-40} # ldirector's warm-up before its window: the JIT compiles the probe path first
UML_COUNTS=${UML_COUNTS:-0}  # also a burst of this many (0: none); a burst measures start-up, not the steady state
UML_ROUNDS=${UML_ROUNDS:-3}
mkdir -p "$WORK/uml"
write_nginx /tmp/access.log /tmp
{
  echo "global_defs { router_id bench }"
  for v in $(seq 1 "$KA_VS"); do
    echo "virtual_server 10.77.$((v / 250)).$((v % 250 + 1)) 80 {"
    echo "  delay_loop $KA_DELAY"
    echo "  lb_algo wrr"
    echo "  lb_kind NAT"
    echo "  protocol TCP"
    for a in 1 2 3 4; do for p in 8081 8082; do
      echo "  real_server 127.0.0.$a $p { HTTP_GET { url { path /check.html status_code 200 } connect_timeout 3 } }"
    done; done
    echo "}"
  done
} > "$WORK/keepalived.conf"
cat > "$WORK/uml/inner.sh" <<INNER
set -e
ip link set lo up
modprobe ip_vs
ulimit -n 20000
nginx -c $WORK/nginx.conf
ticks=\$(getconf CLK_TCK)
cpu_of() { local t=0; for p in "\$@"; do set -- \$(cut -d' ' -f14,15 /proc/\$p/stat); t=\$((t + \$1 + \$2)); done; echo \$t; }
keepalived -n -l -C -f $WORK/keepalived.conf -p /tmp/ka.pid -c /tmp/kc.pid -r /tmp/kr.pid > /tmp/ka.log 2>&1 &
sleep 10
pids=\$(pgrep -x keepalived | tr '\\n' ' ')
c0=\$(cpu_of \$pids); r0=\$(wc -l < /tmp/access.log)
sleep $KA_SECONDS
c1=\$(cpu_of \$pids); r1=\$(wc -l < /tmp/access.log)
kill \$(cat /tmp/ka.pid) || true
probes=\$((r1 - r0))
echo "keepalived HTTP_GET: \$probes probes in ${KA_SECONDS} s, cpu \$(( (c1 - c0) ))/\$ticks s (pids \$pids)"
awk -v p=\$probes -v c=\$((c1 - c0)) -v t=\$ticks 'BEGIN { printf "keepalived cpu_s/1000 probes: %.4f\\n", c / t / p * 1000 }'
grep -c "HTTP status code success\\|check succeed\\|Adding service\\|Activating" /tmp/ka.log || true
sleep 2
tail -3 /tmp/ka.log
# ldirector at keepalived's pacing: the same $((KA_VS * 8)) reals, each every $KA_DELAY s, the same warm-up and window
java $JAVA_OPTS -Xmx512m -cp "$CP" org.ldirector.check.bench.CheckBench "$SERVERS" paced http $((KA_VS * 8)) \
  $(( KA_VS * 8 / KA_DELAY )) $PACED_WARMUP $KA_SECONDS > /tmp/paced.txt &
jp=\$!
sleep $PACED_WARMUP
r2=\$(wc -l < /tmp/access.log)
sleep $KA_SECONDS
r3=\$(wc -l < /tmp/access.log)
wait \$jp
cat /tmp/paced.txt
echo "nginx saw \$((r3 - r2)) ldirector requests in the ${KA_SECONDS} s window"
if [ "$UML_COUNTS" != 0 ]; then
  java $JAVA_OPTS -Xmx512m -cp "$CP" org.ldirector.check.bench.CheckBench "$SERVERS" http "$UML_COUNTS" "$UML_ROUNDS"
fi
INNER
echo "# UML (1 CPU): keepalived with $((KA_VS * 8)) HTTP_GET checkers, delay_loop $KA_DELAY, then ldirector's checkers at the same pacing"
UML_OUT="$WORK/uml" "$ROOT/test-fixtures/uml/run.sh" "$WORK/uml/inner.sh" 900
