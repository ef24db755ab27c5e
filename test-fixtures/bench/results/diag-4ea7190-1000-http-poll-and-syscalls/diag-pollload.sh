export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10 TIMING=1
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=1000
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 http $d
daemon_start $d
for i in $(seq 1 300); do [ "$($PROBE count)" -ge $n ] && break; sleep 1; done
echo "table $($PROBE count) after $i s"; sleep 30
for phase in quiet poll quiet2 poll2; do
  case $phase in poll*) (cd $ROOT/test-fixtures/bench/sbs && timeout 30 python3 -c "
import probe, time
while True:
    probe.service_reals(10050); time.sleep(0.02)") & PP=$! ;; *) PP= ;; esac
  t0=$(date +%s.%N); sleep 30; t1=$(date +%s.%N); echo "$phase $t0 $t1" >> $SBS_OUT/phases; [ -n "$PP" ] && wait $PP
done
sleep 1.5; cp $W/timing.log $SBS_OUT/timing.log
kill $DPID
