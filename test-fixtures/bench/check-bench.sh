#!/bin/bash
# Probe throughput benchmark for ldirector's checkers (issue 4). Not part of the test suite.
#
#   test-fixtures/bench/check-bench.sh            # host: 1,000 and 10,000 HTTP and TCP-connect probes
#   test-fixtures/bench/check-bench.sh --uml      # in one UML boot: ldirector vs keepalived HTTP_GET CPU
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
ROUNDS=${ROUNDS:-3}
WORK=${WORK:-$(mktemp -d /tmp/check-bench.XXXXXX)}

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

write_nginx() { # $1 = access log (off or a path)
  cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile 20000;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 19000; multi_accept on; }
http {
  access_log $1;
  keepalive_timeout 0;
  client_body_temp_path $WORK;
  proxy_temp_path $WORK;
  fastcgi_temp_path $WORK;
  uwsgi_temp_path $WORK;
  scgi_temp_path $WORK;
  server {
$LISTEN
    location = /check.html { return 200 "ok\n"; }
  }
}
CONF
}

JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx1g -XX:+UseParallelGC}

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

echo "unknown mode $MODE" >&2
exit 2
