# Sourced by run.sh and systemd-boot.sh: the process group of a User-Mode Linux kernel started with
# setsid (UML forks a host process per guest address space, all in that group, so one kill of the
# group takes them all, whatever state the kernel is in).

# Sets uml_pgid to the pid of this shell's child running $1 (the kernel binary): the leader of the
# new session. Waits up to 5 s for it to appear; empty if it never did.
uml_find_group() {
  uml_pgid=""
  for _ in $(seq 1 100); do
    uml_pgid=$(ps -o pid=,args= --ppid $$ | awk -v l="$1" '$2 == l || $2 ~ /linux$/ {print $1; exit}')
    [ -n "$uml_pgid" ] && return 0
    sleep 0.05
  done
}

# Kills the group, but only while it is still this UML (its processes carry the private
# uml_dir=$umldir): after the guest powered off, the number may already be someone else's group.
kill_uml() {
  if [ -n "$uml_pgid" ] && pgrep -g "$uml_pgid" -f "uml_dir=$umldir" >/dev/null 2>&1; then
    kill -KILL -- "-$uml_pgid" 2>/dev/null || true
  fi
}
