# Inside UML (run by DifferentialTest through run.sh): for every DIR/NAME.perl.cf, run the Perl
# ldirectord until its IPVS table is stable and record `ipvsadm -Sn` in DIR/NAME.perl.sn; then load
# DIR/NAME.expected (ldirector's derivation, ipvsadm -R input) into the kernel and record its
# `ipvsadm -Sn` in DIR/NAME.ldirector.sn, so both sides are rendered by the same kernel and ipvsadm.
#   bash differential.sh DIR
# Per fixture also: NAME.perl.log (start output, daemon exit), NAME.status ("ok" or why not).
set -u
dir=${1:?usage: differential.sh DIR}
modprobe ip_vs || exit 1
# Scheduler modules ldirectord's ipvsadm would autoload; loading them up front keeps timings even.
for s in rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh; do modprobe "ip_vs_$s" 2>/dev/null; done

cpu_ticks() { # utime+stime+cutime+cstime of a process (0 when gone)
  local f; f=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  f=${f##*) }
  set -- $f
  echo $(( ${12} + ${13} + ${14} + ${15} ))
}

# Waits (at most 90 s) until ldirectord's start-up is over: the table is unchanged for 2 s and the
# daemon used almost no CPU meanwhile. The table alone is not enough: at start ldirectord adds and
# removes reals and the fallback for seconds (forking ipvsadm for each), with plateaus between.
stable_table() {
  local pid=$1 prev="" cur same=0 c0 c1 end=$(( $(date +%s) + 90 ))
  c0=$(cpu_ticks "$pid")
  while [ "$(date +%s)" -lt "$end" ]; do
    sleep 0.5
    cur=$(ipvsadm -Sn 2>&1)
    if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; prev=$cur; c0=$(cpu_ticks "$pid"); fi
    if [ "$same" -ge 4 ]; then
      c1=$(cpu_ticks "$pid")
      [ $(( c1 - c0 )) -le 10 ] && return 0
      same=0; c0=$c1
    fi
  done
  return 1
}

for cf in "$dir"/*.perl.cf; do
  [ -e "$cf" ] || continue
  name=$(basename "$cf" .perl.cf)
  t0=$(date +%s%N)
  ipvsadm -C
  pidfile=/var/run/ldirectord.$(basename "$cf").pid
  rm -f "$pidfile"
  # In the background: with supervised=yes ldirectord does not detach and `start` never returns.
  setsid /usr/sbin/ldirectord "$cf" start > "$dir/$name.perl.log" 2>&1 &
  launcher=$!
  # supervised=yes: no detaching and no pid file; the launcher is the daemon. Told by the config,
  # not by how long the launcher lives: compiling ldirectord takes more than 10 s on a slow host's
  # UML, and a launcher still compiling was once taken for the daemon.
  supervised=no
  grep -Eq '^[[:space:]]*supervised[[:space:]]*=[[:space:]]*yes' "$cf" && supervised=yes
  pid=""; launcher_rc=""; end=$(( $(date +%s) + 120 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if [ -s "$pidfile" ]; then pid=$(cat "$pidfile"); break; fi
    if [ "$supervised" = yes ] && kill -0 "$launcher" 2>/dev/null; then
      pid=$launcher; break
    fi
    # The launcher of a detaching daemon exits 0, possibly before the daemon wrote its pid file.
    if [ -z "$launcher_rc" ] && ! kill -0 "$launcher" 2>/dev/null; then
      wait "$launcher"; launcher_rc=$?
      [ "$launcher_rc" != 0 ] && break
    fi
    sleep 0.2
  done
  if [ -z "$pid" ] && [ -n "$launcher_rc" ] && [ "$launcher_rc" != 0 ]; then
    echo "ldirectord start exited $launcher_rc" > "$dir/$name.status"
  elif [ -z "$pid" ]; then
    echo "ldirectord wrote no pid file $pidfile within 120 s" > "$dir/$name.status"
  elif ! stable_table "$pid"; then
    echo "IPVS table not stable after 90 s" > "$dir/$name.status"
  elif ! kill -0 "$pid" 2>/dev/null; then
    echo "ldirectord daemon exited after start" > "$dir/$name.status"
  else
    echo ok > "$dir/$name.status"
  fi
  ipvsadm -Sn > "$dir/$name.perl.sn" 2>&1; ipvsadm -Ln --thresholds > "$dir/$name.perl.thresholds" 2>&1
  # TERM is what `ldirectord stop` sends; calling the verb would compile the Perl script again,
  # which costs seconds in UML.
  for p in $pid $launcher; do
    kill -TERM "$p" 2>/dev/null
    end=$(( $(date +%s) + 30 ))
    while kill -0 "$p" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
    kill -KILL "$p" 2>/dev/null
  done
  [ -n "$launcher_rc" ] || wait "$launcher" 2>/dev/null
  rm -f "$pidfile"
  ipvsadm -C
  if [ -f "$dir/$name.expected" ]; then
    if ipvsadm -R < "$dir/$name.expected" > "$dir/$name.expected.err" 2>&1; then
      ipvsadm -Sn > "$dir/$name.ldirector.sn" 2>&1; ipvsadm -Ln --thresholds > "$dir/$name.ldirector.thresholds" 2>&1
    else
      echo "ipvsadm -R rejected the expected rules" >> "$dir/$name.expected.err"
    fi
    ipvsadm -C
  fi
  echo "differential: $name: $(cat "$dir/$name.status") ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
done
