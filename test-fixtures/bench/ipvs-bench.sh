#!/usr/bin/env bash
# Times ldirector's netlink adapter against ipvsadm -R on the same 10,100-line table (100 services,
# 10,000 destinations), in one User-Mode Linux boot. Needs `mvn -o test-compile` first.
#
#   test-fixtures/bench/ipvs-bench.sh [ROUNDS]        (default 3)
#
# ldirector's times are measured inside the JVM (System.nanoTime around apply and dump; JVM start-up
# is reported separately); ipvsadm's around the whole process (its start-up is a few ms).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
[ -d target/test-classes ] || { echo "run mvn -o test-compile first" >&2; exit 2; }
out=$(mktemp -d "${TMPDIR:-/tmp}/ipvs-bench.XXXXXX")
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="$PWD/target/test-classes:$PWD/target/classes:$(cat "$out/cp.txt")"
java=$(readlink -f "$(command -v java)")
cat > "$out/inner.sh" <<INNER
set -e
modprobe ip_vs
ms() { echo \$(( (\$(date +%s%N) - \$1) / 1000000 )); }
t=\$(date +%s%N)
"$java" -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" \
  org.ldirector.ipvs.netlink.IpvsBench "\$UML_OUT/bench.rules" $rounds
echo "ldirector: whole JVM process \$(ms \$t) ms"
echo "rules: \$(wc -l < "\$UML_OUT/bench.rules") lines"
for r in \$(seq 1 $rounds); do
  ipvsadm -C
  t=\$(date +%s%N); ipvsadm -R < "\$UML_OUT/bench.rules"; a=\$(ms \$t)
  t=\$(date +%s%N); ipvsadm -Sn > /tmp/saved; d=\$(ms \$t)
  echo "ipvsadm round \$r: apply (-R) \$a ms, dump+render (-Sn) \$d ms (\$(wc -l < /tmp/saved) lines)"
done
ipvsadm -C
INNER
UML_OUT="$out" bash test-fixtures/uml/run.sh "$out/inner.sh" 900 | tee "$out/result.txt"
# Ratios of the best rounds (ldirector / ipvsadm; below 1 means ldirector is faster).
awk '
  /^ldirector round/ { a=$5; d=$12; if (la=="" || a<la) la=a; if (ld=="" || d<ld) ld=d }
  /^ipvsadm round/   { a=$6; d=$10; if (ia=="" || a<ia) ia=a; if (id=="" || d<id) id=d }
  END { if (ia>0 && id>0) printf "best apply: ldirector %d ms vs ipvsadm -R %d ms, ratio %.2f\nbest dump+render: ldirector %d ms vs ipvsadm -Sn %d ms, ratio %.2f\n", la, ia, la/ia, ld, id, ld/id }
' "$out/result.txt"
