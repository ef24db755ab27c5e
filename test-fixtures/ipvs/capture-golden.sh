#!/usr/bin/env bash
# Regenerates the golden files of the IPVS codec and renderer from the real kernel and the real
# ipvsadm, in User-Mode Linux. Writes into OUT_DIR (default: a new temp dir) and prints it; copy the
# files you mean to update into src/test/resources/org/ldirector/ipvs/{netlink/golden,ipvsadm}/.
# Needs `mvn -o test-compile` first, and strace.
#
#   test-fixtures/ipvs/capture-golden.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-$(mktemp -d "${TMPDIR:-/tmp}/ipvs-golden.XXXXXX")}
mkdir -p "$out"
out=$(readlink -f "$out")
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="$PWD/target/test-classes:$PWD/target/classes:$(cat "$out/cp.txt")"
java=$(readlink -f "$(command -v java)")
res=$PWD/src/test/resources/org/ldirector/ipvs

# 1. What ipvsadm sends (strace), and what it prints.
cat > "$out/ipvsadm.sh" <<INNER
set -e
modprobe ip_vs
mkdir -p "\$UML_OUT/strace"
S() { name=\$1; shift; strace -f -x -s 65535 -e trace=sendmsg,recvmsg -o "\$UML_OUT/strace/\$name.txt" ipvsadm "\$@" || true; }
S add_svc_tcp4 -A -t 10.0.0.1:80 -s wlc
S add_dest_gate -a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 3
S add_dest_masq_thresh -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 0 -x 100 -y 10
S add_dest_ipip -a -t 10.0.0.1:80 -r 10.0.1.3:80 -i -w 1
S add_svc_udp_persist -A -u 10.0.0.2:53 -s rr -p 300 -M 255.255.255.0
S add_svc_tcp6_shflags -A -t [2001:db8::1]:443 -s sh -b sh-fallback,sh-port -p 60 -M 64
S add_dest6 -a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -g -w 2
S add_svc_fwm -A -f 7 -s lc
S add_svc_fwm6_ops -A -f 8 -6 -s lc -o
S add_svc_sctp -A --sctp-service 10.0.0.3:9000 -s rr
S add_dest_fwm -a -f 7 -r 10.0.1.5 -g
S add_dest_local -a -t 10.0.0.1:80 -r 127.0.0.1:80 -g
S edit_svc -E -t 10.0.0.1:80 -s rr
S edit_dest -e -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 5
S err_dup_svc -A -t 10.0.0.1:80
S err_del_missing_svc -D -t 10.0.0.9:80
S err_unknown_sched -A -t 10.0.0.9:80 -s nosuch
S err_del_missing_dest -d -t 10.0.0.1:80 -r 10.0.9.9:80
S err_dup_dest -a -t 10.0.0.1:80 -r 10.0.1.1:80
S list -Ln
S timeout -Ln --timeout
S set_timeout --set 901 121 301
S del_dest -d -t 10.0.0.1:80 -r 10.0.1.3:80
S del_svc -D -u 10.0.0.2:53
S flush -C
modprobe dummy; ip link add sync0 type dummy; ip link set sync0 up
S start_daemon_backup --start-daemon backup --mcast-interface sync0 --syncid 5
S start_daemon_master_tuned --start-daemon master --mcast-interface sync0 --syncid 9 --sync-maxlen 4000 --mcast-group 224.0.0.99 --mcast-port 9999 --mcast-ttl 3
S list_daemon -L --daemon
S stop_daemon_master --stop-daemon master
S stop_daemon_backup --stop-daemon backup
ipvsadm -R < "$res/ipvsadm/a.rules"; ipvsadm -Ln > "\$UML_OUT/a.Ln"; ipvsadm -Sn > "\$UML_OUT/a.Sn"; ipvsadm -C
ipvsadm -Ln > "\$UML_OUT/empty.Ln"; ipvsadm -Sn > "\$UML_OUT/empty.Sn"
INNER
UML_OUT="$out" bash test-fixtures/uml/run.sh "$out/ipvsadm.sh" 600
family=$(grep -o '\\x06\\x00\\x01\\x00\\x[0-9a-f][0-9a-f]\\x00' "$out/strace/add_svc_tcp4.txt" | head -1 | cut -c17-20)
mkdir -p "$out/ipvsadm-requests"
python3 test-fixtures/ipvs/strace-to-golden.py "$out/strace" "$out/ipvsadm-requests" "$((16#${family#\\x}))"

# 2. One ldirector session against the kernel, every reply recorded.
cat > "$out/session.sh" <<INNER
set -e
"$java" -XX:TieredStopAtLevel=1 -cp "$cp" org.ldirector.ipvs.netlink.GoldenCapture "\$UML_OUT/kernel-6.1-session.txt"
INNER
UML_OUT="$out" bash test-fixtures/uml/run.sh "$out/session.sh" 600

# 3. A kernel that cannot load ip_vs (modules hidden).
cat > "$out/missing.sh" <<INNER
set -e
umount /lib/modules/\$(uname -r)
"$java" -XX:TieredStopAtLevel=1 -cp "$cp" org.ldirector.ipvs.netlink.GoldenCapture "\$UML_OUT/kernel-6.1-missing-ipvs.txt" missing
INNER
UML_OUT="$out" bash test-fixtures/uml/run.sh "$out/missing.sh" 600
echo "golden files in $out"
