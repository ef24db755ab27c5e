export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=${DIAG_N:-1000}
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 http $d
daemon_start $d
for i in $(seq 1 300); do [ "$($PROBE count)" -ge $n ] && break; sleep 1; done
echo "table $($PROBE count) after $i s"
sleep 30
threads() { for t in /proc/$DPID/task/*; do echo "$(cat $t/comm) $(awk '{print $14+$15}' $t/stat)"; done | sort; }
acc() { curl -s http://10.77.127.250/nginx_status | awk 'NR==3{print $1}'; }
threads > $SBS_OUT/t0; a0=$(acc); c0=$(awk '{print $14+$15}' /proc/$DPID/stat); u0=$(awk '{print $14}' /proc/$DPID/stat)
sleep 20
threads > $SBS_OUT/t1; a1=$(acc); c1=$(awk '{print $14+$15}' /proc/$DPID/stat); u1=$(awk '{print $14}' /proc/$DPID/stat)
echo "20 s: accepted $((a1-a0)), daemon ticks $((c1-c0)) (user $((u1-u0)))"
join <(awk '{c[$1]+=$2} END{for(k in c) print k, c[k]}' $SBS_OUT/t0 | sort) <(awk '{c[$1]+=$2} END{for(k in c) print k, c[k]}' $SBS_OUT/t1 | sort) | awk '{d=$3-$2; if (d>0) print d, $1}' | sort -rn
a0=$(acc)
timeout -s INT 20 strace -c -f $(strace_pids) -o $SBS_OUT/strace.txt
a1=$(acc)
echo "strace 20 s: accepted $((a1-a0))"
head -40 $SBS_OUT/strace.txt
kill $DPID
