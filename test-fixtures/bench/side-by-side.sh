#!/usr/bin/env bash
# Side-by-side benchmark (issue 8): ldirector, the Perl ldirectord and keepalived (both from Debian
# packages) on the same real kernel (User-Mode Linux), against the same real servers, in one run.
#
#   test-fixtures/bench/side-by-side.sh            # full run (85-100 min on 2 cores with LDIRECTORD_MAX_REALS=100; longer without)
#   test-fixtures/bench/side-by-side.sh --quick    # small sizes, few repetitions (about 10 min)
#   options: --no-install  --no-build
#
# Measures, per daemon: detection latency (a real refuses connections / black-holes packets -> it
# leaves the IPVS table), recovery latency, fallback latency (all reals of a virtual fail -> sorry
# server in; one back -> sorry server out), CPU seconds per minute and peak RSS with HTTP and
# TCP-connect checks at several sizes plus the probe rate the reals see, reload latency and kernel
# operations for one real added to a 1,000-real config, and start-up time to the full table.
# Writes test-fixtures/bench/results/RESULTS.md and side-by-side.png (the issue's bench/results/),
# raw data under target/side-by-side/.
#
# Knobs (environment): DAEMONS ("ldirector keepalived ldirectord"), COST_SIZES ("10 100 1000 10000"),
# COST_KINDS ("http connect"), DET_SIZES ("10 1000"), TRIALS (10, per failure kind and size),
# FALLBACK_TRIALS (5), FALLBACK_SIZE (10), RELOAD_SIZE (1000), RELOAD_KIND (http), PERVIRT (10 reals per virtual service),
# WARMUP (60 s from the full table to each cost window), STEADY_SIZES ("10") and STEADY_WARMUP (300 s:
# the warm-up at those sizes, where a JVM is still compiling code that runs once a second), WINDOW (30 s),
# BASE (60 s: the guest at rest before its daemon starts, what the host-clock CPU is compared with), STARTUP_TIMEOUT (120 s: then the phase goes on
# with what is in the table), BOOT_TIMEOUT (3000 s per daemon),
# LDIRECTORD_MAX_REALS (1000: larger sizes are skipped for ldirectord), LDIRECTORD_FORK (yes),
# CHECK_TIMEOUT (1 s), UML_MEM (4G), RESULTS_DIR, OUT, TIMING (0; 1: nginx also logs when each probe
# arrived, and each detection trial when its failure began, for sbs/timing.py: a diagnostic, off in
# full runs because the extra log costs nginx CPU that counts in every daemon's share).
# After the guests, on the host's own kernel (no guest; loopback reals; ldirector only, with its in-memory
# table): host-steady.sh at HOST_SIZES ("10000"; empty: skipped) for HOST_KINDS ("http connect"), with
# WARMUP and WINDOW. Probe throughput is measured there because one User-Mode Linux CPU, shared by the
# daemon, nginx and the network stack at tens of microseconds a system call, cannot carry 10,000 probes
# a second for any daemon.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
install=1 build=1 quick=0
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

if [ "$quick" = 1 ]; then
  : "${COST_SIZES:=10 100}" "${DET_SIZES:=10 100}" "${TRIALS:=3}" "${FALLBACK_TRIALS:=2}"
  : "${RELOAD_SIZE:=100}" "${WARMUP:=5}" "${STEADY_WARMUP:=5}" "${WINDOW:=10}" "${BASE:=10}" "${HOST_SIZES=1000}"
fi
export COST_SIZES="${COST_SIZES:-10 100 1000 10000}" COST_KINDS="${COST_KINDS:-http connect}"
export DET_SIZES="${DET_SIZES:-10 1000}" TRIALS="${TRIALS:-10}" FALLBACK_TRIALS="${FALLBACK_TRIALS:-5}"
export FALLBACK_SIZE="${FALLBACK_SIZE:-10}" RELOAD_SIZE="${RELOAD_SIZE:-1000}" RELOAD_KIND="${RELOAD_KIND:-http}"
export PERVIRT="${PERVIRT:-10}" BASE="${BASE:-60}"
export WARMUP="${WARMUP:-60}" STEADY_SIZES="${STEADY_SIZES-10}" STEADY_WARMUP="${STEADY_WARMUP:-300}" WINDOW="${WINDOW:-30}" STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-120}"
export LDIRECTORD_MAX_REALS="${LDIRECTORD_MAX_REALS:-1000}" LDIRECTORD_FORK="${LDIRECTORD_FORK:-yes}"
export CHECK_TIMEOUT="${CHECK_TIMEOUT:-1}" TIMING="${TIMING:-0}" HOST_SIZES="${HOST_SIZES-10000}" HOST_KINDS="${HOST_KINDS:-http connect}"
DAEMONS=${DAEMONS:-ldirector keepalived ldirectord}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/test-fixtures/bench/results}
# not under /tmp: the guest's /tmp is its own tmpfs; the guest writes here through hostfs
OUT=${OUT:-$ROOT/target/side-by-side/$(date +%Y%m%d-%H%M%S)}

[ "$install" = 0 ] || "$ROOT/test-fixtures/install-deps.sh" "$ROOT/test-fixtures/deps/bench.txt"
[ "$build" = 0 ] || mvn -B -q package -DskipTests
[ -f "$ROOT/target/ldirector.jar" ] || { echo "no target/ldirector.jar: build with mvn -B package" >&2; exit 1; }

mkdir -p "$OUT" "$RESULTS_DIR"
source "$ROOT/test-fixtures/bench/sbs/hostcpu.sh"
OUT=$(readlink -f "$OUT")
start=$(date +%s)
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command=test-fixtures/bench/side-by-side.sh $*"
  echo "mode=$([ "$quick" = 1 ] && echo quick || echo full)"
  echo "host=$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg) at start"
  echo "kernel=User-Mode Linux $(dpkg-query -W -f='${Version}' user-mode-linux 2>/dev/null), 1 CPU, ${UML_MEM:-4G}"
  echo "versions=ldirector $(git -C "$ROOT" describe --always --dirty 2>/dev/null), ldirectord $(dpkg-query -W -f='${Version}' ldirectord), keepalived $(dpkg-query -W -f='${Version}' keepalived), nginx $(dpkg-query -W -f='${Version}' nginx-light), $(java -version 2>&1 | head -1)"
  for k in COST_SIZES COST_KINDS DET_SIZES TRIALS FALLBACK_TRIALS FALLBACK_SIZE RELOAD_SIZE RELOAD_KIND PERVIRT WARMUP STEADY_SIZES STEADY_WARMUP WINDOW BASE \
           STARTUP_TIMEOUT LDIRECTORD_MAX_REALS LDIRECTORD_FORK CHECK_TIMEOUT TIMING HOST_SIZES HOST_KINDS; do
    echo "knob.$k=${!k}"
  done
  echo "daemons=$DAEMONS"
} > "$OUT/run.env"

for d in $DAEMONS; do
  mkdir -p "$OUT/$d"
  rm -f "$OUT/$d/results.tsv"
  cat > "$OUT/$d/boot.sh" <<BOOT
export SBS_DAEMON=$d SBS_OUT=$OUT/$d ROOT=$ROOT
$(for k in COST_SIZES COST_KINDS DET_SIZES TRIALS FALLBACK_TRIALS FALLBACK_SIZE RELOAD_SIZE RELOAD_KIND PERVIRT WARMUP STEADY_SIZES STEADY_WARMUP WINDOW BASE \
           STARTUP_TIMEOUT LDIRECTORD_MAX_REALS LDIRECTORD_FORK CHECK_TIMEOUT TIMING; do printf 'export %s="%s"\n' "$k" "${!k}"; done)
ulimit -n 65535
source $ROOT/test-fixtures/bench/sbs/inside.sh
main
BOOT
  echo "=== $d: one User-Mode Linux boot ($(date +%T))"
  # the guest's progress lines (its log on the scratch dir) on the terminal; the console in console.log
  : > "$OUT/$d/$d.log"
  tail -F -n +1 "$OUT/$d/$d.log" 2>/dev/null &
  tailpid=$!
  rc=0
  rm -f "$OUT/$d"/mark-* "$OUT/$d"/host-*
  UML_OUT="$OUT/$d" UML_MEM="${UML_MEM:-4G}" "$ROOT/test-fixtures/uml/run.sh" "$OUT/$d/boot.sh" "${BOOT_TIMEOUT:-3000}" \
    > "$OUT/$d/console.log" 2>&1 &
  uml=$!
  # the whole guest's CPU time, exactly, at the marks it leaves (at rest, each cost window)
  hostcpu_watch "$OUT/$d" $uml
  wait $uml || rc=$?
  sleep 1
  kill "$tailpid" 2>/dev/null || true
  wait "$tailpid" 2>/dev/null || true
  echo "=== $d: exit $rc ($(date +%T)); log $OUT/$d/console.log"
  echo "boot.$d=exit $rc" >> "$OUT/run.env"
done

# probe throughput on the host's kernel, after the guests (never beside one: they would share the CPUs)
case " $DAEMONS " in *" ldirector "*) ;; *) HOST_SIZES= ;; esac
mkdir -p "$OUT/host"
rm -f "$OUT/host/results.tsv"
for kind in $HOST_KINDS; do
  for n in $HOST_SIZES; do
    echo "=== ldirector on the host's kernel: $n $kind reals ($(date +%T))"
    HOST_TSV="$OUT/host/results.tsv" "$ROOT/test-fixtures/bench/host-steady.sh" "$n" "$kind" "$WARMUP" "$WINDOW" \
      > "$OUT/host/steady-$n-$kind.log" 2>&1 || echo "host-steady.sh $n $kind failed: $OUT/host/steady-$n-$kind.log"
    cat "$OUT/host/steady-$n-$kind.log"
  done
done
echo "elapsed=$(( $(date +%s) - start )) s" >> "$OUT/run.env"

/usr/bin/python3 "$ROOT/test-fixtures/bench/sbs/report.py" "$OUT" "$RESULTS_DIR"
echo "results: $RESULTS_DIR/RESULTS.md, $RESULTS_DIR/side-by-side.png (raw: $OUT)"
