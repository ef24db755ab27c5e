#!/usr/bin/env bash
# Builds the Debian/Ubuntu package from target/ldirector.jar (run `mvn -B package` first):
#   rpm/build-deb.sh [OUTDIR]        -> OUTDIR/ldirector_VERSION_all.deb (default target/deb)
# DEB_VERSION=V overrides the version taken from pom.xml (the systemd test's upgrade builds a second one).
# The same files in the same places as the RPM (rpm/ldirector.spec), plus Debian's copyright file;
# control file and maintainer scripts in rpm/deb/. Needs only dpkg-deb, gzip and md5sum.
set -euo pipefail
umask 022
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/target/deb}
jar=$repo/target/ldirector.jar
[[ -f $jar ]] || { echo "build-deb: $jar missing; run 'mvn -B package' first" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb missing (apt-get install dpkg)" >&2; exit 1; }

# 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT-1 (sorts before the final 0.1.0-1, as the RPM's release does)
pomver=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$repo/pom.xml" | head -1)
version=${pomver%%-*}
[[ $pomver == *-* ]] && version=$version~${pomver#*-}
version=$version-1
version=${DEB_VERSION:-$version}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
pkg=$root/pkg
install -d -m 0755 "$pkg"
# the paths of rpm/ldirector.spec's %install, with Debian's values of its macros
install -D -m 0644 "$jar" "$pkg/usr/share/ldirector/ldirector.jar"
install -D -m 0755 "$repo/bin/ldirector" "$pkg/usr/sbin/ldirector"
install -D -m 0644 "$repo/systemd/ldirector.service" "$pkg/usr/lib/systemd/system/ldirector.service"
install -D -m 0644 "$repo/systemd/ldirector@.service" "$pkg/usr/lib/systemd/system/ldirector@.service"
install -D -m 0600 "$repo/etc/ha.d/ldirectord.cf" "$pkg/etc/ha.d/ldirectord.cf"
install -D -m 0644 "$repo/etc/logrotate.d/ldirector" "$pkg/etc/logrotate.d/ldirector"
install -D -m 0755 "$repo/ocf/ldirector" "$pkg/usr/lib/ocf/resource.d/ldirector/ldirector"
install -D -m 0644 "$repo/README.md" "$pkg/usr/share/doc/ldirector/README.md"
install -D -m 0644 "$repo/LICENSE" "$pkg/usr/share/licenses/ldirector/LICENSE"
install -d -m 0755 "$pkg/usr/share/man/man8" "$pkg/usr/share/man/man5"
gzip -9n < "$repo/src/main/man/ldirector.8" > "$pkg/usr/share/man/man8/ldirector.8.gz"
gzip -9n < "$repo/src/main/man/ldirector.cf.5" > "$pkg/usr/share/man/man5/ldirector.cf.5.gz"
chmod 0644 "$pkg"/usr/share/man/man*/*.gz
# Debian policy: every package has a copyright file; the license text is the RPM's LICENSE.
cat > "$pkg/usr/share/doc/ldirector/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ldirector

Files: *
Copyright: ldirector developers
License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 is in
 /usr/share/common-licenses/Apache-2.0 (and in /usr/share/licenses/ldirector/LICENSE).
EOF
chmod 0644 "$pkg/usr/share/doc/ldirector/copyright"

mkdir -m 0755 "$pkg/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@INSTALLED_SIZE@|$size|" "$repo/rpm/deb/control.in" > "$pkg/DEBIAN/control"
printf '%s\n' /etc/ha.d/ldirectord.cf /etc/logrotate.d/ldirector > "$pkg/DEBIAN/conffiles"
sample_md5=$(md5sum < "$repo/etc/ha.d/ldirectord.cf" | cut -d' ' -f1)
for script in preinst postinst prerm postrm; do
  sed -e "s|@SAMPLE_MD5@|$sample_md5|" "$repo/rpm/deb/$script" > "$pkg/DEBIAN/$script"
  chmod 0755 "$pkg/DEBIAN/$script"
done
(cd "$pkg" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' | sort -z \
  | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/ldirector_${version}_all.deb
# gzip: the jar is a zip already, and xz takes ten times as long for 1% less
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$deb" >/dev/null
echo "$deb"
