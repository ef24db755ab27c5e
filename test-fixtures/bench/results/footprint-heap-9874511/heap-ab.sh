#!/bin/bash
# Heap and GC settings side by side at 10,000 HTTP reals on the host: host-steady.sh once per
# setting and round, the settings alternating within a round, no class data archive (the same for all).
#   heap-ab.sh ROUNDS NAME...      e.g. heap-ab.sh 2 parallel serial256
# Each NAME is one of the settings below, on top of the launcher's fixed flags.
set -u
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
ROUNDS=$1; shift
base="-XX:TieredStopAtLevel=1 -XX:-UsePerfData -XX:CICompilerCount=1 -XX:-UseDynamicNumberOfCompilerThreads -XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=10000 -XX:AsyncDeflationInterval=10000"
declare -A cfg=(
 [parallel]="-XX:+UseParallelGC -Xms32m -Xmx512m"
 [parallelN48]="-XX:+UseParallelGC -Xms32m -Xmx512m -XX:MaxNewSize=48m"
 [parallelN32]="-XX:+UseParallelGC -Xms32m -Xmx512m -XX:MaxNewSize=32m"
 [parallelN32x256]="-XX:+UseParallelGC -Xms32m -Xmx256m -XX:MaxNewSize=32m"
 [serial256]="-XX:+UseSerialGC -Xms8m -Xmx256m"
 [serial256r]="-XX:+UseSerialGC -Xms8m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20"
 [serial128]="-XX:+UseSerialGC -Xms8m -Xmx128m"
 [serial96]="-XX:+UseSerialGC -Xms8m -Xmx96m"
)
for round in $(seq 1 "$ROUNDS"); do
  for name in "$@"; do
    echo "== $name round $round: ${cfg[$name]}"
    LDIRECTOR_JAVA_OPTS="$base ${cfg[$name]}" PORT=${PORT:-8094} LDIRECTOR_CDS=off \
      "$ROOT/test-fixtures/bench/host-steady.sh" 10000 http 20 20 2>&1 | grep -E '^host,'
  done
done
