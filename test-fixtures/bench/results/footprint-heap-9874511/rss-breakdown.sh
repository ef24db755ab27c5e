#!/bin/bash
# Where a start's resident memory goes at N HTTP reals (host): one start as rss-ab.sh makes it, with
# native memory tracking, then the JVM's own summary and /proc/PID/smaps summed by mapping.
#   rss-breakdown.sh [N=100] [SETTLE=8]
set -u
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../../../.." && pwd)
N=${1:-100}; SETTLE=${2:-8}
NMT=1 KEEP=1 "$HERE/../footprint-diag-start/rss-ab.sh" "$N" "-XX:NativeMemoryTracking=summary" "$SETTLE"
W=$ROOT/target/rss-ab; pid=$(cat "$W/run/ldirector.l.cf.pid")
grep -E 'Total|^-' "$W/nmt.txt"
python3 - "$pid" <<'PY'
import sys, re, collections
rss = collections.Counter(); anon = collections.Counter(); cur = None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
        parts = line.split(None, 5); cur = parts[5].strip() if len(parts) > 5 else '[anon]'
    elif line.startswith('Rss:'):
        rss[cur] += int(line.split()[1])
    elif line.startswith('Anonymous:'):
        anon[cur] += int(line.split()[1])
print("resident kB, of it anonymous kB, mapping")
for k, v in rss.most_common(12):
    print(v, anon[k], k)
PY
LDIRECTOR_RUNDIR=$W/run "$ROOT/bin/ldirector" "$W/l.cf" stop >/dev/null; kill "$(cat "$W/nginx.pid")"
