# Diagnostic boot for ldirector at DIAG_N reals with HTTP checks (default 10,000): the side-by-side
# sandbox, then every 20 s the table size, nginx's counters (accepted connections vs requests) and
# the director's TCP sockets; at the end `ldirector status`, a thread dump and the metrics into $UML_OUT.
#   mkdir -p target/diag && UML_OUT=target/diag UML_MEM=4G test-fixtures/uml/run.sh test-fixtures/bench/diag-ldirector.sh 400
export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=${DIAG_N:-10000}
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 http $d
t0=$(now); daemon_start $d
for s in 20 40 60 80; do
  sleep 20
  echo "== t=$s s: table $($PROBE count), nginx $(curl -s http://10.77.127.250/nginx_status | tr '\n' ' ')"
  ss -s | head -3
  ss -tan state syn-sent | wc -l; ss -tan state established | wc -l
  grep -c 'Deleted real' $W/daemon.log; grep -c 'Added real' $W/daemon.log
done
LDIRECTOR_RUNDIR=$W timeout 60 $ROOT/bin/ldirector $d/ldirector.cf status > $SBS_OUT/status.txt 2>&1
jstack $DPID > $SBS_OUT/jstack.txt 2>&1 || jcmd $DPID Thread.print > $SBS_OUT/jstack.txt 2>&1
curl -s http://127.0.0.1:9469/metrics > $SBS_OUT/metrics.txt
cp $W/daemon.log $SBS_OUT/daemon.log; cp $W/stdout.log $SBS_OUT/stdout.log
awk '{print $NF}' $SBS_OUT/status.txt | sort | uniq -c | sort -rn | head
kill $DPID
