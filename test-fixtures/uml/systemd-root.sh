#!/usr/bin/env bash
# Prepares a Debian 12 root that boots under User-Mode Linux with systemd as PID 1, for the .deb's
# install-and-run test (SystemdPackageUmlTest, systemd-boot.sh): debootstrap --variant=minbase
# bookworm, then systemd, a Java 17 runtime, Postfix (local delivery only) and the few tools the
# test's guest script uses. Prints the root's path.
#
#   test-fixtures/uml/systemd-root.sh [CACHE_DIR]      (default $LDIRECTOR_TEST_CACHE or /var/cache/ldirector-test)
#
# The root is kept in CACHE_DIR under a name keyed by this script's content (its package list and
# settings): a missing or half-built one is built again, an up-to-date one is used as it is, and
# roots of other versions of this script are removed. Callers copy it before booting, so it stays
# pristine. A build takes 1.5-2 minutes here (most of it downloading). Needs root (debootstrap,
# chroot, mounts).
# Like test-fixtures/fresh-root.sh, it carries in the host's apt sources, Acquire settings and local
# CA certificates, and binds the host's /proc, /sys and /dev while packages are installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${LDIRECTOR_TEST_CACHE:-/var/cache/ldirector-test}}
[ "$(id -u)" -eq 0 ] || { echo "systemd-root.sh: must run as root (debootstrap, chroot, mounts)" >&2; exit 2; }

# What the guest needs: systemd as init, the package's Depends (a Java 17 runtime), kmod for the
# unit's modprobe, iproute2 for the reals' addresses, busybox's httpd as the reals, Postfix for
# the email alert, procps for the test's checks, ipvsadm for a virtual's connection counter (the
# test's, not the package's: ldirector does not use it), rpm to install the RPM as well (--nodeps:
# its Requires name RHEL's packages).
packages="systemd systemd-sysv dbus openjdk-17-jre-headless kmod iproute2 busybox postfix procps ipvsadm rpm"
key=$( { cat "$0"; echo "$packages"; } | sha256sum | cut -c1-16)
root=$cache/systemd-root-$key
if [ -f "$root/.ready" ]; then
  echo "$root"
  exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
mkdir -p "$cache"
build=$cache/.building-$key.$$
mounts=(proc sys dev dev/pts)
cleanup() {
  local i
  for (( i=${#mounts[@]}-1; i>=0; i-- )); do
    mountpoint -q "$build/${mounts[$i]}" 2>/dev/null && umount -l "$build/${mounts[$i]}" || true
  done
  [ -d "$build" ] && rm -rf --one-file-system "$build" || true
}
trap cleanup EXIT

# The archive the host uses: the first URI of its Debian sources (deb822 or one-line form).
host_mirror() {
  { sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\)[[:space:]]\+bookworm[[:space:]].*/\2/p' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
  } | grep -v -- '-security' | head -n 1
}

log=$cache/systemd-root-$key.log
echo "systemd-root.sh: building $root (log: $log)" >&2
# shellcheck disable=SC2046
debootstrap --variant=minbase bookworm "$build" $(host_mirror) > "$log" 2>&1 \
  || { tail -n 20 "$log" >&2; exit 1; }
rm -f "$build/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && cp "$f" "$build$f"
done
for f in /etc/apt/apt.conf.d/*; do
  [ -f "$f" ] && grep -q '^[[:space:]]*Acquire' "$f" && cp "$f" "$build$f"
done
if [ -d /usr/local/share/ca-certificates ]; then
  mkdir -p "$build/usr/local/share/ca-certificates"
  cp -a /usr/local/share/ca-certificates/. "$build/usr/local/share/ca-certificates/"
fi
cp /etc/resolv.conf "$build/etc/resolv.conf" 2>/dev/null || true
for m in "${mounts[@]}"; do
  mkdir -p "$build/$m"
  mount --bind "/$m" "$build/$m"
done
# No service starts inside the chroot while packages are installed.
printf '#!/bin/sh\nexit 101\n' > "$build/usr/sbin/policy-rc.d"
chmod 0755 "$build/usr/sbin/policy-rc.d"
in_root() {
  chroot "$build" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# Postfix for local delivery only: nothing leaves the guest.
printf '%s\n' "postfix postfix/main_mailer_type select Local only" "postfix postfix/mailname string localhost" \
  | in_root debconf-set-selections
{ in_root apt-get update -qq && in_root apt-get install -y -qq --no-install-recommends $packages; } >> "$log" 2>&1 \
  || { tail -n 30 "$log" >&2; exit 1; }
in_root apt-get clean >> "$log" 2>&1
rm -f "$build/usr/sbin/policy-rc.d"

cat > "$build/etc/postfix/main.cf" <<'EOF'
# Local delivery only (SystemdPackageUmlTest): mail for root lands in /var/mail/root.
compatibility_level = 3.6
myhostname = localhost
myorigin = localhost
mydestination = localhost, localhost.localdomain
inet_interfaces = loopback-only
inet_protocols = ipv4
relayhost =
default_transport = error:this test guest sends no mail out
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
mailbox_size_limit = 0
EOF
in_root newaliases >> "$log" 2>&1
# Postfix's master chmods the UNIX sockets it makes in its queue, which hostfs (the guest's root)
# refuses: the queue lives on a tmpfs in the guest, seeded at boot with the package's tree.
mv "$build/var/spool/postfix" "$build/var/lib/postfix-spool-seed"
mkdir -m 0755 "$build/var/spool/postfix"
echo "tmpfs /var/spool/postfix tmpfs mode=0755 0 0" > "$build/etc/fstab"
cat > "$build/etc/systemd/system/postfix-spool-seed.service" <<'UNIT'
[Unit]
Description=Postfix queue on tmpfs, seeded (hostfs refuses chmod on sockets)
RequiresMountsFor=/var/spool/postfix
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/cp -a /var/lib/postfix-spool-seed/. /var/spool/postfix/
UNIT
mkdir -p "$build/etc/systemd/system/postfix@.service.d"
printf '[Unit]\nRequires=postfix-spool-seed.service\nAfter=postfix-spool-seed.service\n' \
  > "$build/etc/systemd/system/postfix@.service.d/spool-seed.conf"
echo localhost > "$build/etc/hostname"
# Units that wait for hardware or the network that a UML guest without interfaces never gets, and
# ipvsadm's own service (its saved table is not this test's).
in_root systemctl mask systemd-networkd-wait-online.service getty@tty1.service serial-getty@ttyS0.service \
  systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer ipvsadm.service \
  >> "$log" 2>&1 || true

for (( i=${#mounts[@]}-1; i>=0; i-- )); do umount -l "$build/${mounts[$i]}"; done
mounts=()
touch "$build/.ready"
rm -rf --one-file-system "$root"
mv "$build" "$root"
# Roots built by other versions of this script are of no more use.
for old in "$cache"/systemd-root-*; do
  case "$old" in "$root"|"$root.log") ;; *) rm -rf --one-file-system "$old" ;; esac
done
echo "$root"
