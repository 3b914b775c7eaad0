#!/usr/bin/env bash
# Sets up this machine (with the docker runtime) and runs every test: unit, golden, integration.
#   sudo ./scripts/test.sh [vitest args]
# Ends with one line "N passed, N failed, N skipped". Leaves no lab, daemon or container behind.
set -euo pipefail
cd "$(dirname "$0")/.."
# --dev: the tests also need Debian's chromium (report.html is checked in a real browser).
./scripts/setup.sh --dev
# The docker runtime's tests need a daemon and the image. In CI they must run; elsewhere a machine
# without them still runs everything else (those tests then say why they skip).
if ! ./scripts/setup.sh --docker; then
  if [[ -n ${CI:-} ]]; then echo "test.sh: docker setup failed" >&2; exit 3; fi
  echo "test.sh: docker setup failed: docker runtime tests will be skipped" >&2
fi
started_dockerd=0
if ./scripts/docker-daemon.sh status 2>/dev/null | grep -q 'started by this script'; then started_dockerd=1; fi
results=$(mktemp /tmp/asymlab-vitest.XXXXXX.json)
cleanup() {
  ./bin/asymlab.js clean --quiet >/dev/null 2>&1 || true
  [[ $started_dockerd -eq 1 ]] && ./scripts/docker-daemon.sh stop >/dev/null 2>&1 || true
  rm -f "$results"
}
trap cleanup EXIT
rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + (r.numTodoTests ?? 0);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$results" || echo "0 passed, 1 failed"
exit $rc
