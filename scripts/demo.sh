#!/usr/bin/env bash
# The quick start: set up this machine, then reproduce the canonical incident (ExpressRoute added
# beside the internet link; the reply comes back through the other stateful firewall) and prove it.
#   sudo ./scripts/demo.sh [LAB]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
lab=${1:-labs/expressroute/er-return-via-internet/lab.yaml}
exec ./bin/asymlab.js run "$lab"
