#!/bin/bash
# PID 1 inside User-Mode Linux (started by run.sh via init=). The root filesystem is the host's, read
# only, over hostfs; everything writable is a tmpfs or the hostfs scratch dir $UML_OUT.
# Arguments come from run.sh through the kernel command line as environment variables:
#   UML_OUT     scratch dir (same path inside and outside), UML_SCRIPT  the user script to run,
#   UML_ROOT    the checkout (re-mounted when it lies under a directory the guest replaces).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
umask 022

# A minimal root has no poweroff (systemd-sysv brings it); the kernel's sysrq 'o' does the same.
# PID 1 must not exit meanwhile: the kernel panics when init dies.
power_off() {
  poweroff -f 2>/dev/null || echo o > /proc/sysrq-trigger
  while :; do sleep 1; done
}
die() { echo "uml-init: $*" >&2; power_off; }

mount -t proc proc /proc || die "cannot mount /proc"
mount -t sysfs sys /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null || true
mount -t tmpfs tmpfs /dev/shm 2>/dev/null || true
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mount -t tmpfs tmpfs /tmp || die "cannot mount /tmp"
chmod 1777 /tmp
# 0755 as on a real system: ldirector refuses a run dir that others may write to.
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lock /run/netns /run/sshd
# /var/run is a symlink to /run on current Debian; older layouts have a real directory.
[ -L /var/run ] || mount -t tmpfs -o mode=0755 tmpfs /var/run
for d in /var/lock /var/tmp /var/log; do
  [ -d "$d" ] && [ ! -L "$d" ] && mount -t tmpfs tmpfs "$d"
done

# A checkout under /tmp (CI may clone there) was hidden by the tmpfs above too: mount it back at the
# same path, before the scratch dir that usually lives inside it (target/uml).
case "${UML_ROOT:-}" in
  /tmp/*|/run/*|/var/tmp/*|/var/log/*)
    mkdir -p "$UML_ROOT" && mount -t hostfs none "$UML_ROOT" -o "$UML_ROOT" || die "cannot mount checkout $UML_ROOT" ;;
esac

# The scratch dir may live under /tmp, which the tmpfs above just hid: recreate the mount point.
mkdir -p "$UML_OUT" 2>/dev/null
mount -t hostfs none "$UML_OUT" -o "$UML_OUT" || die "cannot mount scratch dir $UML_OUT"

# Kernel modules: the UML package ships them under /usr/lib/uml/modules/<ver>, modprobe looks in
# /lib/modules/<ver>. A fresh machine (or container) may have no /lib/modules at all, and the read-only
# root cannot get a new mount point, so then /lib's real directory gets a tmpfs-backed overlay.
ver=$(uname -r)
mods=/usr/lib/uml/modules/$ver
[ -d "$mods" ] || die "no UML modules at $mods"
if [ -d /lib/modules ]; then
  mount -t tmpfs tmpfs /lib/modules
else
  libdir=$(readlink -f /lib)
  insmod "$mods/kernel/fs/overlayfs/overlay.ko" 2>/dev/null
  mkdir -p /run/libovl/upper /run/libovl/work
  mount -t overlay overlay -o "lowerdir=$libdir,upperdir=/run/libovl/upper,workdir=/run/libovl/work" "$libdir" \
    || die "cannot create /lib/modules (overlay on $libdir failed); create it on the host: mkdir -p /lib/modules"
  mkdir -p /lib/modules
  mount -t tmpfs tmpfs /lib/modules
fi
mkdir -p "/lib/modules/$ver"
mount --bind "$mods" "/lib/modules/$ver"

ip link set lo up
# A name the host's read-only /etc/hosts resolves: with an unresolvable one, every JVM's log4j
# prints an UnknownHostException stack trace at start-up.
hostname localhost 2>/dev/null

cd /tmp
bash "$UML_SCRIPT" </dev/null
echo $? > "$UML_OUT/.uml-exit"
sync
power_off
