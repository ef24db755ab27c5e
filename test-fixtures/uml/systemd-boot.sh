#!/usr/bin/env bash
# Boots a prepared Debian root (systemd-root.sh, copied first: the guest writes to it) in
# User-Mode Linux with systemd as PID 1, over hostfs, read-write:
#   linux mem=2G root=/dev/root rootfstype=hostfs rootflags=ROOT rw init=/lib/systemd/systemd con=null con0=fd:0,fd:1
# The console (systemd's and the units' output) streams to stdout. The guest ends itself
# (systemctl poweroff); a guest still running after TIMEOUT seconds is killed.
#
#   test-fixtures/uml/systemd-boot.sh ROOT [TIMEOUT_SECONDS]     (default 900)
#
# Before booting, the UML kernel's modules are linked into ROOT/lib/modules/VERSION, where modprobe
# (the units' ExecStartPre) looks. Exit codes: 0 when the guest powered off by itself, 124 on
# timeout, 125 when UML could not run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=uml-group.sh
source "$here/uml-group.sh"
root=${1:?usage: systemd-boot.sh ROOT [TIMEOUT_SECONDS]}
timeout_s=${2:-900}
linux=${UML_LINUX:-/usr/bin/linux}
[ -x "$linux" ] || { echo "systemd-boot.sh: no User-Mode Linux at $linux (apt-get install user-mode-linux)" >&2; exit 125; }
root=$(readlink -f "$root")
[ -x "$root/lib/systemd/systemd" ] || { echo "systemd-boot.sh: no systemd in $root" >&2; exit 125; }
case "$root" in *[[:space:]]*) echo "systemd-boot.sh: a root path with whitespace cannot go through the kernel command line" >&2; exit 125;; esac

# The modules of the one UML kernel installed (hard links where the file system allows).
ver=""
for d in /usr/lib/uml/modules/*; do [ -d "$d/kernel" ] && ver=${d##*/}; done
[ -n "$ver" ] || { echo "systemd-boot.sh: no UML modules under /usr/lib/uml/modules" >&2; exit 125; }
mkdir -p "$root/lib/modules"
if [ ! -d "$root/lib/modules/$ver/kernel" ]; then
  rm -rf "$root/lib/modules/$ver"
  cp -al "/usr/lib/uml/modules/$ver" "$root/lib/modules/$ver" 2>/dev/null \
    || cp -a "/usr/lib/uml/modules/$ver" "$root/lib/modules/$ver"
fi

# As run.sh: the xstate shim for hosts with AVX-512 or AMX (see xstate-shim.c).
preload=${UML_PRELOAD-}
if [ -z "${UML_PRELOAD+set}" ]; then
  shim_dir=$here/../../target/uml-shim
  preload=$shim_dir/xstate-shim.so
  if [ ! -s "$preload" ] || [ "$here/xstate-shim.c" -nt "$preload" ]; then
    command -v gcc >/dev/null || { echo "systemd-boot.sh: gcc is needed to build $here/xstate-shim.c (apt-get install gcc)" >&2; exit 125; }
    mkdir -p "$shim_dir"
    tmp_so=$(mktemp "$shim_dir/.xstate-shim.XXXXXX")
    gcc -O2 -shared -fPIC -o "$tmp_so" "$here/xstate-shim.c" -ldl || { rm -f "$tmp_so"; echo "systemd-boot.sh: cannot build the xstate shim" >&2; exit 125; }
    mv -f "$tmp_so" "$preload"
  fi
  preload=$(readlink -f "$preload")
fi

umldir=$(mktemp -d "${TMPDIR:-/tmp}/uml-dir.XXXXXX")
LD_PRELOAD=$preload setsid "$linux" mem="${UML_MEM:-2G}" root=/dev/root rootfstype=hostfs rootflags="$root" rw \
  init=/lib/systemd/systemd uml_dir="$umldir" umid=systemd \
  con=null con0=fd:0,fd:1 systemd.show_status=1 </dev/null 2>&1 | tr -d '\r' \
  | grep --line-buffered -av 'Job [^ ]* running (\|A start job is running\|A stop job is running' &
pipe_pid=$!
sleep 0.05
uml_find_group "$linux"
trap 'kill_uml; rm -rf "$umldir"; exit 130' INT TERM

deadline=$(( $(date +%s) + timeout_s ))
rc=0
while kill -0 "$pipe_pid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then rc=124; echo "systemd-boot.sh: timeout after ${timeout_s}s, killing UML" >&2; kill_uml; break; fi
  sleep 0.2
done
wait "$pipe_pid" 2>/dev/null || true
kill_uml
rm -rf "$umldir"
exit "$rc"
