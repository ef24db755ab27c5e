export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=1000
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 http $d
daemon_start $d
for i in $(seq 1 300); do [ "$($PROBE count)" -ge $n ] && break; sleep 1; done
echo "table $($PROBE count) after $i s"; sleep 5
cd $ROOT/test-fixtures/bench/sbs
python3 - <<'PY'
import time, probe
table = probe.read_table()
bad = 0
for v in range(1, 102):
    a = table.get(probe.hexaddr(probe.VIP, probe.BASE_PORT + v), {})
    b = probe.service_reals(probe.BASE_PORT + v)
    if a != b:
        bad += 1; print("differs", v, a, b)
print("services compared: 101, differing:", bad, "sample:", sorted(probe.service_reals(probe.BASE_PORT + 5).items())[:2])
print("absent service:", probe.service_reals(59999))
c0, w0 = time.process_time(), time.monotonic()
for _ in range(200): probe.service_reals(10050)
c1, w1 = time.process_time(), time.monotonic()
print("netlink poll: %.3f ms CPU, %.3f ms wall" % ((c1 - c0) * 5, (w1 - w0) * 5))
PY
kill $DPID
