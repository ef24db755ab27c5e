# Diagnostic boot (issue 27): where a start's time goes in User-Mode Linux, at DIAG_N reals with
# HTTP checks (default 100), in the side-by-side sandbox. Times, each from the shell: java -version
# (twice, then without class data sharing), what the launcher's verbs are made of (bash, stat, perl), the config check (-t: a JVM that reads the config and
# exits), and starts under the launcher as committed and with LDIRECTOR_CDS=off, each to the full
# table; every start also writes its class-loading timeline (-Xlog:class+load with the JVM's uptime)
# into $UML_OUT, which says when main ran, when logging, the config, netlink and the first probes
# were loaded; and the verbs, from the launcher and as Java clients, against each start.
#   mkdir -p target/diag-start && UML_OUT=target/diag-start test-fixtures/uml/run.sh test-fixtures/bench/diag-start.sh 900
export SBS_DAEMON=ldirector SBS_OUT=$UML_OUT ROOT=$UML_ROOT PERVIRT=10
source $ROOT/test-fixtures/bench/sbs/inside.sh
setup_sandbox || exit 1
n=${DIAG_N:-100}
d=$W/cfg
mkdir -p $d
$PROBE genconf $n 10 http $d
export LDIRECTOR_CACHE_DIR=$W/cds
$ROOT/bin/ldirector --build-cds > /dev/null 2>&1
timed() { # $1 = label, then the command
  local label=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$label: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') s" | tee -a $SBS_OUT/diag-start.txt
}
for round in 1 2; do
  # what the launcher's verbs are made of
  timed "bash -c true" bash -c true
  timed "stat /" stat /
  timed "perl -e 1" perl -e 1
  timed "perl -MSocket -e 1" perl -MSocket -e 1
  timed "launcher to its java lookup (none found: exits)" env JAVA_HOME=/nonexistent PATH=/nonexistent $ROOT/bin/ldirector --no-such-option
  timed "java -version" java -version
  timed "java -Xshare:off -version" java -Xshare:off -version
  timed "ldirector -t ($n reals)" $ROOT/bin/ldirector -t $d/ldirector.cf
  timed "ldirector -t, LDIRECTOR_CDS=off" env LDIRECTOR_CDS=off $ROOT/bin/ldirector -t $d/ldirector.cf
  for mode in archive off; do
    cds=
    [ $mode = off ] && cds=off
    t0=$(now)
    LDIRECTOR_CDS=$cds JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$SBS_OUT/classes-$mode-$round.txt:uptime" \
      LDIRECTOR_RUNDIR=$W $ROOT/bin/ldirector --foreground $d/ldirector.cf start > $W/stdout.log 2>&1 &
    DPID=$!
    up=$($PROBE wait-full $n 120 $t0)
    echo "start, archive $mode, round $round: table full after $up s; peak RSS $(awk '/VmHWM/ {print $2}' /proc/$DPID/status) kB" | tee -a $SBS_OUT/diag-start.txt
    cp $W/daemon.log $SBS_OUT/daemon-$mode-$round.log 2>/dev/null
    for v in status "sync status" reload; do
      # shellcheck disable=SC2086
      timed "verb $v ($mode, round $round)" env LDIRECTOR_RUNDIR=$W $ROOT/bin/ldirector $d/ldirector.cf $v
      # shellcheck disable=SC2086
      timed "verb $v, Java ($mode, round $round)" env LDIRECTOR_FAST_VERBS=off LDIRECTOR_RUNDIR=$W $ROOT/bin/ldirector $d/ldirector.cf $v
    done
    daemon_stop $d start-$mode-$round
  done
done
