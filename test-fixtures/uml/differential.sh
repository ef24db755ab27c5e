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

stable_table() { # waits until ipvsadm -Sn is unchanged for 2 s (checks every 0.5 s), at most 60 s
  local prev="" cur same=0 end=$(( $(date +%s) + 60 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    cur=$(ipvsadm -Sn 2>&1)
    if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; prev=$cur; fi
    [ "$same" -ge 4 ] && return 0
    sleep 0.5
  done
  return 1
}

for cf in "$dir"/*.perl.cf; do
  [ -e "$cf" ] || continue
  name=$(basename "$cf" .perl.cf)
  t0=$(date +%s%N)
  ipvsadm -C
  pidfile=/var/run/ldirectord.$(basename "$cf").pid
  /usr/sbin/ldirectord "$cf" start > "$dir/$name.perl.log" 2>&1
  rc=$?
  if [ "$rc" != 0 ]; then
    echo "ldirectord start exited $rc" > "$dir/$name.status"
  elif ! stable_table; then
    echo "IPVS table not stable after 60 s" > "$dir/$name.status"
  elif ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
    echo "ldirectord daemon exited after start" > "$dir/$name.status"
  else
    echo ok > "$dir/$name.status"
  fi
  ipvsadm -Sn > "$dir/$name.perl.sn" 2>&1; ipvsadm -Ln --thresholds > "$dir/$name.perl.thresholds" 2>&1
  # TERM is what `ldirectord stop` sends; calling the verb would compile the Perl script again,
  # which costs seconds in UML.
  if [ -s "$pidfile" ]; then
    kill -TERM "$(cat "$pidfile")" 2>/dev/null
    pid=$(cat "$pidfile"); end=$(( $(date +%s) + 30 ))
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$pidfile"
  fi
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
