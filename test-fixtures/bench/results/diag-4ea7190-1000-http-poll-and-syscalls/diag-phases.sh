export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10 TIMING=1
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=1000
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 http $d
daemon_start $d
for i in $(seq 1 300); do [ "$($PROBE count)" -ge $n ] && break; sleep 1; done
echo "table $($PROBE count) after $i s"
threads() { for t in /proc/$DPID/task/*; do echo "$(tr ' ' _ < $t/comm) $(awk '{print $14+$15}' $t/stat)"; done | awk '{c[$1]+=$2} END{for(k in c) print k, c[k]}' | sort; }
threads > $SBS_OUT/th-0
for phase in p1 p2 p3 p4 p5 p6 p7; do
  t0=$(date +%s.%N); sleep 20; t1=$(date +%s.%N); echo "$phase $t0 $t1" >> $SBS_OUT/phases
  threads > $SBS_OUT/th-$phase
done
sleep 1.5; cp $W/timing.log $SBS_OUT/timing.log; cp $W/daemon.log $SBS_OUT/daemon.log
kill $DPID
