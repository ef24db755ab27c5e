#!/usr/bin/env bash
# The main job on a fresh Debian/Ubuntu machine (as root): install what is needed, build ldirector,
# boot a real Linux kernel as a user process (User-Mode Linux), build an LVS cluster inside it and
# narrate what the director does. Nothing touches the host's network.
#
#   test-fixtures/demo.sh [--perl-reference] [--no-install] [--no-build]
#
# --perl-reference  run the same stages against the Perl ldirectord (what ldirector replaces)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
director=ldirector install=1 build=1
for a in "$@"; do
  case "$a" in
    --perl-reference) director=perl ;;
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
config=$root/test-fixtures/uml/demo/ldirectord.cf
start=$(date +%s)

if [ "$install" = 1 ]; then
  say "Installing packages (JDK, Maven, User-Mode Linux, ipvsadm, iproute2, curl, python3, ldirectord)"
  bash test-fixtures/install-deps.sh test-fixtures/deps/base.txt test-fixtures/deps/uml.txt
fi
if [ "$build" = 1 ]; then
  say "Building ldirector (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
  ls -l target/ldirector.jar | awk '{print "   " $NF ", " $5 " bytes"}'
fi

say "The config (test-fixtures/uml/demo/ldirectord.cf), checked by ldirector -t"
sed 's/^/   | /' "$config"
# bin/ldirector is the launcher; until it is in the checkout, the jar is run directly.
ldirector() { if [ -x bin/ldirector ]; then bin/ldirector "$@"; else java -jar target/ldirector.jar "$@"; fi; }
echo "   ldirector -t says:"
if ! ldirector -t "$config" > "${TMPDIR:-/tmp}/ldirector-t.$$" 2>&1; then
  sed 's/^/   > /' "${TMPDIR:-/tmp}/ldirector-t.$$"; rm -f "${TMPDIR:-/tmp}/ldirector-t.$$"
  echo "   ldirector -t rejected the demo config" >&2; exit 1
fi
sed 's/^/   > /' "${TMPDIR:-/tmp}/ldirector-t.$$"; rm -f "${TMPDIR:-/tmp}/ldirector-t.$$"

say "Booting User-Mode Linux (a Linux 6.1 kernel as an ordinary process)"
out=$(mktemp -d "${TMPDIR:-/tmp}/ldirector-demo.XXXXXX")
trap 'rm -rf "$out"' EXIT
boot=$(date +%s)
set +e
printf 'export DEMO_ROOT=%q DEMO_CONFIG=%q DEMO_DIRECTOR=%q\n. %q\n' \
  "$root" "$config" "$director" "$root/test-fixtures/uml/demo/inside.sh" > "$out/demo.sh"
UML_OUT=$out test-fixtures/uml/run.sh "$out/demo.sh" 600
rc=$?
set -e
say "Done: UML ran $(( $(date +%s) - boot ))s, the whole demo $(( $(date +%s) - start ))s (exit $rc)"
exit "$rc"
