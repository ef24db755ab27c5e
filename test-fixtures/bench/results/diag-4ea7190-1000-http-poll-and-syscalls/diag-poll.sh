export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=1000
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 http $d
daemon_start $d
for i in $(seq 1 300); do [ "$($PROBE count)" -ge $n ] && break; sleep 1; done
echo "table $($PROBE count) after $i s"; sleep 10
cd $ROOT/test-fixtures/bench/sbs
python3 - <<'PY'
import time, os, probe
vip = probe.hexaddr(probe.VIP, 10050)
real = probe.hexaddr(probe.real_ip(495), 80)
def fast():
    fd = os.open("/proc/net/ip_vs", os.O_RDONLY)
    try:
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b: break
            chunks.append(b)
    finally:
        os.close(fd)
    return b"".join(chunks)
for name, f in (("read_table+service", lambda: probe.service_reals(10050).get(real)), ("raw read only", fast)):
    c0, w0 = time.process_time(), time.monotonic()
    for _ in range(100): f()
    c1, w1 = time.process_time(), time.monotonic()
    print("%s: %.2f ms CPU, %.2f ms wall per poll" % (name, (c1 - c0) * 10, (w1 - w0) * 10))
print(len(fast()), "bytes")
PY
kill $DPID
