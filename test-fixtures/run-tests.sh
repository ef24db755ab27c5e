#!/usr/bin/env bash
# Installs what the tests need (Debian/Ubuntu, as root) and runs every test: unit tests, then the
# real-kernel tests inside User-Mode Linux (mvn verify -Puml).
set -euo pipefail
# The daemons the tests start reload and reopen their log on SIGHUP. Run under nohup, or by a parent
# that ignores SIGHUP, every child inherits the ignore and its JVM never installs the handler (the
# reload tests then wait in vain); bash cannot undo an inherited ignore, env(1) can.
if [[ "$(trap -p HUP)" == "trap -- '' SIGHUP" ]]; then
    if env --default-signal=HUP true 2>/dev/null; then
        exec env --default-signal=HUP bash "$0" "$@"
    fi
    echo "run-tests.sh: SIGHUP is ignored (nohup?) and env cannot restore it: the reload tests will fail" >&2
fi
cd "$(dirname "$0")/.."
bash test-fixtures/install-deps.sh test-fixtures/deps/*.txt
exec mvn -B verify -Puml "$@"
