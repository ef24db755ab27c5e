#!/usr/bin/env bash
# Runs the README's two commands the way a new operator meets them: in a fresh minimal Debian 12 root
# (debootstrap --variant=minbase bookworm), with this checkout cloned as root into /root/ldirector.
# A machine that has gathered packages over time hides missing install steps; this root does not.
#
#   test-fixtures/fresh-root.sh [--root DIR] [--keep] [--reuse] [--tests-only|--demo-only] [-- ARGS for run-tests.sh]
#
#   --root DIR    where the root is built (default /var/tmp/ldirector-fresh-root); DIR is removed first
#   --keep        leave the root (and its mounts undone) for a look afterwards
#   --reuse       use an existing root as it is (to re-run after a fix; not a fresh check)
#   --demo-only / --tests-only   run only one of the two commands
#
# Only what cannot come from the README is carried in: the host's apt sources (the same archive
# the host uses) and the host's local CA certificates (/usr/local/share/ca-certificates), which
# Maven needs where outbound TLS is re-signed by a local CA. The root's /proc, /sys, /dev,
# /dev/pts and /dev/shm are the host's, bound in; User-Mode Linux runs from the root as from /.
# Prints each command's time and its last lines; exits non-zero when either command fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/.." && pwd)
root=/var/tmp/ldirector-fresh-root
keep=0 reuse=0 demo=1 tests=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=$2; shift 2;;
    --keep) keep=1; shift;;
    --reuse) reuse=1; shift;;
    --demo-only) tests=0; shift;;
    --tests-only) demo=0; shift;;
    --) shift; break;;
    -h|--help) sed -n '2,17p' "$0"; exit 0;;
    *) echo "fresh-root.sh: unknown argument '$1' (see --help)" >&2; exit 2;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-root.sh: must run as root (debootstrap, chroot, mounts)" >&2; exit 2; }
case "$root" in /|"") echo "fresh-root.sh: refusing root '$root'" >&2; exit 2;; esac
command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

mounts=(proc sys dev dev/pts dev/shm)
unmount_all() {
  # Processes left inside (a test's server, a UML guest) keep the mounts busy: end them first.
  local pids
  pids=$(for p in /proc/[0-9]*; do [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"; done || true)
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  local i
  for (( i=${#mounts[@]}-1; i>=0; i-- )); do
    mountpoint -q "$root/${mounts[$i]}" && umount -l "$root/${mounts[$i]}" || true
  done
}
cleanup() {
  unmount_all
  [ "$keep" = 1 ] || [ "$reuse" = 1 ] || rm -rf --one-file-system "$root"
}

# The archive the host uses: the first URI of its Debian sources (deb822 or one-line form).
host_mirror() {
  { sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\)[[:space:]]\+bookworm[[:space:]].*/\2/p' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
  } | grep -v -- '-security' | head -n 1
}

if [ "$reuse" = 0 ]; then
  unmount_all
  rm -rf --one-file-system "$root"
  mkdir -p "$(dirname "$root")"
  echo "== debootstrap --variant=minbase bookworm $root"
  t0=$(date +%s)
  # shellcheck disable=SC2046
  debootstrap --variant=minbase bookworm "$root" $(host_mirror) > "$root.debootstrap.log" 2>&1 \
    || { tail -n 20 "$root.debootstrap.log" >&2; exit 1; }
  echo "   $(( $(date +%s) - t0 )) s"
  # The host's way to the archive: its sources (replacing debootstrap's one-line list, which would
  # name the same suites twice) and its Acquire settings (proxies, snapshot validity).
  rm -f "$root/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && cp "$f" "$root$f"
  done
  for f in /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -q '^[[:space:]]*Acquire' "$f" && cp "$f" "$root$f"
  done
  # Installed into Java's trust store by ca-certificates' own hook when the tests install a JDK.
  if [ -d /usr/local/share/ca-certificates ]; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  git clone -q --no-hardlinks "$checkout" "$root/root/ldirector"
fi
[ -d "$root/root/ldirector" ] || { echo "fresh-root.sh: no checkout in $root/root/ldirector" >&2; exit 2; }
trap cleanup EXIT
for m in "${mounts[@]}"; do
  mkdir -p "$root/$m"
  mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"
done

# Runs one README command inside the root, as a new root login would, and reports its time.
status=0
run_in_root() {
  local name=$1; shift
  local log=$root.$name.log t0 rc
  echo "== $name: $*   (output: $log)"
  t0=$(date +%s)
  set +e
  chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c 'cd /root/ldirector && "$@"' bash "$@" > "$log" 2>&1 < /dev/null
  rc=$?
  set -e
  echo "   exit $rc after $(( $(date +%s) - t0 )) s; last lines:"
  tail -n 25 "$log" | sed 's/^/   | /'
  [ "$rc" = 0 ] || status=1
}
[ "$demo" = 0 ] || run_in_root demo test-fixtures/demo.sh
[ "$tests" = 0 ] || run_in_root tests test-fixtures/run-tests.sh "$@"
exit $status
