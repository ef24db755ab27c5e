#!/usr/bin/env bash
# Builds the noarch RPM from target/ldirector.jar (run `mvn -B package` first):
#   rpm/build-rpm.sh [OUTDIR]        -> OUTDIR/ldirector-VERSION-RELEASE.noarch.rpm (default target/rpm)
# Works with Debian's rpm package (rpmbuild) as well as on RHEL/Fedora. RPM_RELEASE=R overrides the release.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/target/rpm}
jar=$repo/target/ldirector.jar
[[ -f $jar ]] || { echo "build-rpm: $jar missing; run 'mvn -B package' first" >&2; exit 1; }
command -v rpmbuild >/dev/null || { echo "build-rpm: rpmbuild missing (Debian: apt-get install rpm)" >&2; exit 1; }

# 0.1.0-SNAPSHOT -> version 0.1.0, release 0.1.SNAPSHOT (sorts before the final 0.1.0-1)
pomver=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' "$repo/pom.xml" | head -1)
version=${pomver%%-*}
release=1
[[ $pomver == *-* ]] && release=0.1.${pomver#*-}
# RPM_RELEASE=R overrides it (the systemd test's upgrade builds a second one)
release=${RPM_RELEASE:-$release}

top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
mkdir -p "$top"/{SOURCES,SPECS,BUILD,RPMS,SRPMS,BUILDROOT}
cp "$jar" "$repo/bin/ldirector" "$repo/systemd/ldirector.service" "$repo/systemd/ldirector@.service" \
   "$repo/etc/ha.d/ldirectord.cf" "$repo/README.md" "$repo/LICENSE" "$top/SOURCES/"
cp "$repo/etc/logrotate.d/ldirector" "$top/SOURCES/ldirector.logrotate"
cp "$repo/ocf/ldirector" "$top/SOURCES/ldirector.ocf"
cp "$repo/src/main/man/ldirector.8" "$repo/src/main/man/ldirector.cf.5" "$top/SOURCES/"
rpmbuild -bb --quiet \
  --define "_topdir $top" \
  --define "ldirector_version $version" \
  --define "ldirector_release $release" \
  "$repo/rpm/ldirector.spec"
mkdir -p "$out"
find "$top/RPMS" -name '*.rpm' -exec cp {} "$out/" \;
ls "$out"/*.rpm
