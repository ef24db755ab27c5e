# Sourced on the HOST by the bench scripts (safe under set -euo pipefail) that boot User-Mode Linux: the exact CPU time of a whole
# guest, read from the host at marks the guest leaves.
#
# Why: the guest's own clock for CPU time counts whole 10 ms jiffies (its sched_clock is jiffies), so a
# thread that runs for a moment at the same phase every second is charged 10 ms every time or never,
# and the host's steal time is charged to whichever guest thread runs. The host's accounting of its
# own processes is exact. Every host process of one guest (its kernel, and one process per guest
# address space: the daemon's user code, nginx's) carries UML_OUT=<scratch dir> in its arguments.
#
# Protocol, through the scratch dir (hostfs, the same path on both sides): the guest writes mark-NAME
# (probe.py mark NAME); the host's watcher reads the guest's CPU time into host-NAME ("epoch ticks",
# ticks of 1/100 s, the sum over the guest's processes) and host-NAME.pids (one "pid user system" line
# per process) and the guest, waiting for host-NAME, goes on.

# hostcpu_read OUT NAME: the guest's CPU time now, into OUT/host-NAME and OUT/host-NAME.pids
hostcpu_read() {
  local out=$1 name=$2 p
  # a process may end between pgrep and the read: skipped (callers run under set -e -o pipefail)
  for p in $(pgrep -f "UML_OUT=$out " || true); do awk '{print $1, $14 + $16, $15 + $17}' /proc/$p/stat 2>/dev/null || true; done |
    sort -k1,1 > "$out/host-$name.pids.tmp"
  awk -v t="$(date +%s.%N)" '{s += $2 + $3} END {print t, s + 0}' "$out/host-$name.pids.tmp" > "$out/host-$name.tmp"
  mv -f "$out/host-$name.pids.tmp" "$out/host-$name.pids"
  mv -f "$out/host-$name.tmp" "$out/host-$name"  # last: the guest waits for this name
}

# hostcpu_watch OUT PID: answers the guest's marks in OUT while PID (run.sh) lives
hostcpu_watch() {
  local out=$1 pid=$2 m name
  while kill -0 "$pid" 2>/dev/null; do
    for m in "$out"/mark-*; do
      name=${m##*/mark-}
      [ -e "$m" ] && [ ! -e "$out/host-$name" ] && hostcpu_read "$out" "$name"
    done
    sleep 0.1
  done
}

# hostcpu_rate OUT A B: the guest's CPU seconds a minute between marks A and B, or - when one is missing
hostcpu_rate() {
  local out=$1 t0 c0 t1 c1
  [ -s "$out/host-$2" ] && [ -s "$out/host-$3" ] || { echo "-"; return; }
  read -r t0 c0 < "$out/host-$2"; read -r t1 c1 < "$out/host-$3"
  awk -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" 'BEGIN {printf "%.3f", (c1 - c0) / 100 / (t1 - t0) * 60}'
}

# hostcpu_split OUT A B: each host process's user and system seconds between marks A and B, largest first
hostcpu_split() {
  local out=$1
  [ -s "$out/host-$3.pids" ] || return 0
  join "$out/host-$2.pids" "$out/host-$3.pids" |
    awk '{u = $4 - $2; s = $5 - $3; if (u + s > 0) printf "%d host pid %s: user %.2f s, system %.2f s\n", u + s, $1, u / 100, s / 100}' |
    sort -rn | cut -d' ' -f2-
}
