#!/usr/bin/env bash
# Diagnostic boot: where a daemon's CPU goes, thread by thread, in its steady state. The side-by-side
# sandbox with DIAG_N reals (default 10) checked by DIAG_KIND (connect or http), DIAG_WARMUP seconds
# after start (default 300), then each thread's user+system ticks (10 ms) over DIAG_WINDOW seconds
# (default 120), summed by thread name, and their wake-ups, into $UML_OUT/threads.txt. SBS_DAEMON picks the daemon
# (default ldirector); DIAG_STRACE names threads whose system calls to trace for 30 s afterwards;
# LDIRECTOR_JAVA_OPTS reaches ldirector as it does on a director.
#   DIAG_STRACE=ldirector-loop UML_OUT=target/diag test-fixtures/bench/diag-threads.sh
if [ -z "${UML_ROOT:-}" ]; then # on the host: hand the knobs to the guest and boot it
  out=${UML_OUT:-target/diag}; mkdir -p "$out"
  for k in SBS_DAEMON DIAG_N DIAG_KIND DIAG_WARMUP DIAG_WINDOW DIAG_STRACE LDIRECTOR_JAVA_OPTS; do printf 'export %s="%s"\n' "$k" "${!k}"; done > "$out/diag.env"
  UML_OUT=$out exec "$(dirname "$0")/../uml/run.sh" "$0" "${DIAG_TIMEOUT:-1200}"
fi
source "$UML_OUT/diag.env"
export SBS_DAEMON=${SBS_DAEMON:-ldirector} SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=${DIAG_N:-10} kind=${DIAG_KIND:-connect}
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 $kind $d
daemon_start $d
sleep "${DIAG_WARMUP:-300}"

# one line per thread: name (spaces squeezed out, numbers dropped so pools sum) and utime+stime
ticks() {
  local f
  for f in /proc/$DPID/task/*/stat; do
    sed -E 's/^[0-9]+ \((.*)\) /\1\t/' "$f" 2>/dev/null | awk -F'\t' '{split($2, a, " "); n=$1; gsub(/[ 0-9-]+$/, "", n); gsub(/ /, "_", n); print n, a[12] + a[13]}'
  done | awk '{t[$1] += $2} END {for (k in t) print k, t[k]}' | sort
}
# the same for wake-ups: each thread's voluntary context switches (it slept, then was woken). Steadier
# from boot to boot than ticks, which User-Mode Linux charges to whichever thread its timer finds running.
wakeups() {
  local t
  for t in /proc/$DPID/task/*; do
    awk -v n="$(tr -d ' 0-9-' < $t/comm 2>/dev/null)" '/^voluntary_ctxt_switches/ {print n, $2}' $t/status 2>/dev/null
  done | awk '{t[$1] += $2} END {for (k in t) print k, t[k]}' | sort
}
all() { awk '{print $14 + $15}' /proc/$DPID/stat; }
delta() { join -a2 -e0 -o 0,1.2,2.2 "$1" "$2" | awk '{d = $3 - $2; if (d > 0) print d, $1}' | sort -rn; }
ticks > $W/before; wakeups > $W/wbefore; a0=$(all)
sleep "${DIAG_WINDOW:-120}"
ticks > $W/after; wakeups > $W/wafter; a1=$(all)
{
  echo "daemon $SBS_DAEMON, $n $kind reals, window ${DIAG_WINDOW:-120} s after ${DIAG_WARMUP:-300} s: $((a1 - a0)) ticks in all"
  delta $W/before $W/after
  delta $W/wbefore $W/wafter > $W/wdelta
  echo "wake-ups (voluntary context switches) in the window: $(awk '{s += $1} END {print s}' $W/wdelta) in all"
  cat $W/wdelta
} | tee $SBS_OUT/threads.txt
# DIAG_STRACE="name ...": then 30 s of each named thread's system calls (strace -f would slow them all)
for name in ${DIAG_STRACE:-}; do
  for t in /proc/$DPID/task/*; do
    [ "$(cat $t/comm)" = "$name" ] || continue
    timeout -s INT 30 strace -tt -T -p ${t##*/} -o $SBS_OUT/strace-$name-${t##*/}.txt 2>/dev/null
    echo "== $name (${t##*/}): $(wc -l < $SBS_OUT/strace-$name-${t##*/}.txt) system calls in 30 s"
    awk '{print $2}' $SBS_OUT/strace-$name-${t##*/}.txt | sed 's/(.*//' | sort | uniq -c | sort -rn | head -12
  done
done | tee -a $SBS_OUT/threads.txt
cp $W/daemon.log $SBS_OUT/daemon.log 2>/dev/null
kill $DPID
