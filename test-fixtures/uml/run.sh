#!/usr/bin/env bash
# Boots User-Mode Linux with the host's filesystem as a read-only root, runs SCRIPT inside as root and
# exits with the script's exit code. Output of the script (and of the kernel, if it complains) streams
# to stdout.
#
#   test-fixtures/uml/run.sh SCRIPT [TIMEOUT_SECONDS]      (default 300)
#
# Environment:
#   UML_OUT   writable scratch dir, visible at the same path inside UML (kept; when unset, a
#             temporary one is made and removed at the end)
#   UML_MEM   UML memory (default 2G; only touched pages cost host memory)
#   UML_PRELOAD  library preloaded into the UML process (default: the xstate shim built from
#             xstate-shim.c; empty: none)
# Exit codes: the script's own; 124 on timeout; 125 when UML could not run or the script did not finish.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=uml-group.sh
source "$here/uml-group.sh"
script=${1:?usage: run.sh SCRIPT [TIMEOUT_SECONDS]}
timeout_s=${2:-300}
linux=${UML_LINUX:-/usr/bin/linux}
[ -x "$linux" ] || { echo "run.sh: no User-Mode Linux at $linux (apt-get install user-mode-linux)" >&2; exit 125; }
[ -r "$script" ] || { echo "run.sh: cannot read $script" >&2; exit 125; }
script=$(readlink -f "$script")

own_out=0
if [ -z "${UML_OUT:-}" ]; then UML_OUT=$(mktemp -d "${TMPDIR:-/tmp}/uml-out.XXXXXX"); own_out=1; fi
mkdir -p "$UML_OUT"
UML_OUT=$(readlink -f "$UML_OUT")
case "$UML_OUT$script$here" in
  *[[:space:]]*) echo "run.sh: paths with whitespace cannot go through the kernel command line" >&2; exit 125;;
esac
rm -f "$UML_OUT/.uml-exit"
# The guest's /tmp is its own tmpfs, so the script travels through the scratch dir.
cp "$script" "$UML_OUT/.uml-script"
script=$UML_OUT/.uml-script
# UML keeps its pid file and management socket in uml_dir; a private one leaves nothing behind.
umldir=$(mktemp -d "${TMPDIR:-/tmp}/uml-dir.XXXXXX")

# Debian's UML 6.1 hands the host 832-byte FPU images, which hosts with AVX-512 or AMX refuse (the
# guest's init dies: "ptrace set fp regs failed, errno = 14"). xstate-shim.c gives every guest thread
# a full-size image; built once per checkout, harmless where the host's image is small.
preload=${UML_PRELOAD-}
if [ -z "${UML_PRELOAD+set}" ]; then
  shim_dir=$here/../../target/uml-shim
  preload=$shim_dir/xstate-shim.so
  if [ ! -s "$preload" ] || [ "$here/xstate-shim.c" -nt "$preload" ]; then
    command -v gcc >/dev/null || { echo "run.sh: gcc is needed to build $here/xstate-shim.c (apt-get install gcc)" >&2; exit 125; }
    mkdir -p "$shim_dir"
    tmp_so=$(mktemp "$shim_dir/.xstate-shim.XXXXXX")
    gcc -O2 -shared -fPIC -o "$tmp_so" "$here/xstate-shim.c" -ldl || { rm -f "$tmp_so"; echo "run.sh: cannot build the xstate shim" >&2; exit 125; }
    mv -f "$tmp_so" "$preload"  # atomic: parallel boots never see half a file
  fi
  preload=$(readlink -f "$preload")
fi

# Boot chatter of this kernel build that says nothing about the script.
noise='^(SELinux: |mmapper_init - find_iomem failed|Failed to initialize ubd device 0 |Powering off\.$|reboot: System halted$|sysrq: Power Off$|reboot: Power down$)'

# setsid: a new process group for the kernel and its processes (uml-group.sh).
# Unknown key=value kernel arguments become init's environment.
LD_PRELOAD=$preload setsid "$linux" mem="${UML_MEM:-2G}" root=/dev/root rootfstype=hostfs rootflags=/ ro quiet \
  init="$here/init.sh" uml_dir="$umldir" umid=run \
  con=null con0=fd:0,fd:1 \
  UML_OUT="$UML_OUT" UML_SCRIPT="$script" UML_ROOT="$(cd "$here/../.." && pwd)" </dev/null 2>&1 | tr -d '\r' | grep --line-buffered -vE "$noise" &
pipe_pid=$!
# The pid of the linux process itself: the leader of the new session.
sleep 0.05
uml_find_group "$linux"

cleanup() { rm -rf "$umldir"; [ "$own_out" = 0 ] || rm -rf "$UML_OUT"; }
trap 'kill_uml; cleanup; exit 130' INT TERM

deadline=$(( $(date +%s) + timeout_s ))
timed_out=0
while kill -0 "$pipe_pid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then timed_out=1; echo "run.sh: timeout after ${timeout_s}s, killing UML" >&2; kill_uml; break; fi
  sleep 0.2
done
wait "$pipe_pid" 2>/dev/null || true
# A guest that powered off leaves no process; one that panicked or was killed may leave stubs.
kill_uml
rc=125
if [ "$timed_out" = 1 ]; then rc=124
elif [ -s "$UML_OUT/.uml-exit" ]; then rc=$(cat "$UML_OUT/.uml-exit")
else echo "run.sh: the script did not finish (UML crashed or powered off early); see output above" >&2
fi
cleanup
exit "$rc"
