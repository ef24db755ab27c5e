#!/usr/bin/env bash
# Installs what the tests need (Debian/Ubuntu, as root) and runs every test: unit tests, then the
# real-kernel tests inside User-Mode Linux (mvn verify -Puml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash test-fixtures/install-deps.sh test-fixtures/deps/*.txt
exec mvn -B verify -Puml "$@"
