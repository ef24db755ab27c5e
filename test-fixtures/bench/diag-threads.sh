#!/usr/bin/env bash
# Diagnostic boot: where a daemon's CPU goes, thread by thread, in its steady state. The side-by-side
# sandbox with DIAG_N reals (default 10) checked by DIAG_KIND (connect or http), DIAG_WARMUP seconds
# after start (default 300), then each thread's user+system ticks (10 ms) over DIAG_WINDOW seconds
# (default 120), summed by thread name, and their wake-ups, into $UML_OUT/threads.txt. SBS_DAEMON
# picks the daemon (default ldirector); DIAG_STRACE names threads whose system calls to trace for 30 s
# afterwards (all: count those of the whole process tree); LDIRECTOR_JAVA_OPTS reaches ldirector as
# it does on a director. The host also reads the whole guest's CPU time, exactly, over DIAG_BASE
# seconds (default 60) before the daemon starts and over the window.
#   DIAG_STRACE=ldirector-loop UML_OUT=target/diag test-fixtures/bench/diag-threads.sh
if [ -z "${UML_ROOT:-}" ]; then # on the host: hand the knobs to the guest and boot it
  out=${UML_OUT:-target/diag}; mkdir -p "$out"; out=$(readlink -f "$out")
  for k in SBS_DAEMON DIAG_N DIAG_KIND DIAG_WARMUP DIAG_WINDOW DIAG_BASE DIAG_STRACE LDIRECTOR_JAVA_OPTS; do printf 'export %s="%s"\n' "$k" "${!k}"; done > "$out/diag.env"
  rm -f "$out"/mark-* "$out"/host-*
  source "$(dirname "$0")/sbs/hostcpu.sh"
  UML_OUT=$out "$(dirname "$0")/../uml/run.sh" "$0" "${DIAG_TIMEOUT:-1200}" &
  uml=$!
  hostcpu_watch "$out" $uml
  rc=0; wait $uml || rc=$?
  # per host process over the window: the guest's kernel, and one process per guest address space
  # (the daemon's and nginx's user code), so the kernel's share shows apart from the daemon's own code
  hostcpu_split "$out" win-start win-end | tee -a "$out/threads.txt"
  base=$(hostcpu_rate "$out" base-start base-end) win=$(hostcpu_rate "$out" win-start win-end)
  echo "host-side CPU s a minute of the whole guest (kernel, nginx and the daemon): without the daemon $base, with it $win;" \
    "the daemon's share $(awk -v b="$base" -v w="$win" 'BEGIN {if (b == "-" || w == "-") print "-"; else printf "%.3f", w - b}')" | tee -a "$out/threads.txt"
  exit $rc
fi
source "$UML_OUT/diag.env"
export SBS_DAEMON=${SBS_DAEMON:-ldirector} SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=${DIAG_N:-10} kind=${DIAG_KIND:-connect}
d=$W/cfg; mkdir -p $d; $PROBE genconf $n 10 $kind $d
# the guest at rest with nginx serving nothing: what the daemon's window is compared with
mark base-start; sleep "${DIAG_BASE:-60}"; mark base-end
daemon_start $d
sleep "${DIAG_WARMUP:-300}"

# one line per thread name (trailing numbers dropped so pools sum, spaces made _), summed over threads:
# ticks, each thread's utime+stime; wake-ups, its voluntary context switches (it slept, then was woken),
# steadier from boot to boot than ticks, which User-Mode Linux charges to whichever thread its timer
# finds running
per_thread() { # $1 = ticks | wakeups
  local t n
  for t in /proc/$DPID/task/*; do
    n=$(sed -E 's/[ 0-9-]+$//; s/ /_/g' "$t/comm" 2>/dev/null) || continue
    case $1 in
      ticks) sed -E 's/^.*\) //' "$t/stat" 2>/dev/null | awk -v n="$n" '{print n, $12 + $13}' ;;
      wakeups) awk -v n="$n" '/^voluntary_ctxt_switches/ {print n, $2}' "$t/status" 2>/dev/null ;;
    esac
  done | awk '{t[$1] += $2} END {for (k in t) print k, t[k]}' | sort
}
all() { awk '{print $14 + $15}' /proc/$DPID/stat; }
delta() { join -a2 -e0 -o 0,1.2,2.2 "$1" "$2" | awk '{d = $3 - $2; if (d > 0) print d, $1}' | sort -rn; }
per_thread ticks > $W/before; per_thread wakeups > $W/wbefore; a0=$(all)
# the host's window inside the guest's, so that it leaves out the reading of every thread's files
mark win-start
sleep "${DIAG_WINDOW:-120}"
mark win-end
per_thread ticks > $W/after; per_thread wakeups > $W/wafter; a1=$(all)
{
  echo "daemon $SBS_DAEMON, $n $kind reals, window ${DIAG_WINDOW:-120} s after ${DIAG_WARMUP:-300} s: $((a1 - a0)) ticks in all"
  delta $W/before $W/after
  delta $W/wbefore $W/wafter > $W/wdelta
  echo "wake-ups (voluntary context switches) in the window: $(awk '{s += $1} END {print s}' $W/wdelta) in all"
  cat $W/wdelta
} | tee $SBS_OUT/threads.txt
# DIAG_STRACE=all: then 30 s of every system call of the daemon's whole process tree, counted (strace
# -c): in User-Mode Linux each costs tens of microseconds, so the count is the cost, for any daemon
if [ "${DIAG_STRACE:-}" = all ]; then
  pids=$(strace_pids)
  # shellcheck disable=SC2086
  timeout -s INT 30 strace -f -c -S calls -o $SBS_OUT/strace-all.txt $pids 2>/dev/null
  echo "== all threads of $SBS_DAEMON ($pids): $(awk '/total$/ {print $4}' $SBS_OUT/strace-all.txt) system calls in 30 s"
  head -20 $SBS_OUT/strace-all.txt
fi | tee -a $SBS_OUT/threads.txt
# DIAG_STRACE="name ...": then 30 s of each named thread's system calls (strace -f would slow them all)
for name in ${DIAG_STRACE:-}; do
  [ "$name" = all ] && continue
  for t in /proc/$DPID/task/*; do
    [ "$(cat $t/comm)" = "$name" ] || continue
    timeout -s INT 30 strace -tt -T -p ${t##*/} -o $SBS_OUT/strace-$name-${t##*/}.txt 2>/dev/null
    echo "== $name (${t##*/}): $(wc -l < $SBS_OUT/strace-$name-${t##*/}.txt) system calls in 30 s"
    awk '{print $2}' $SBS_OUT/strace-$name-${t##*/}.txt | sed 's/(.*//' | sort | uniq -c | sort -rn | head -12
  done
done | tee -a $SBS_OUT/threads.txt
cp $W/daemon.log $SBS_OUT/daemon.log 2>/dev/null
kill $DPID
