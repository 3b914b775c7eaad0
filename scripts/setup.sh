#!/usr/bin/env bash
# Installs what asymlab needs on a fresh Debian (bookworm) machine, then builds asymlab.
# Safe to run twice: it installs only what is missing and rebuilds the TypeScript.
#
#   sudo ./scripts/setup.sh            netns runtime: FRR, iptables, nftables, iproute2, tcpdump, conntrack
#   sudo ./scripts/setup.sh --docker   also docker.io + debootstrap, a dockerd that leaves host
#                                      networking alone, and the asymlab/node image (built offline)
#   sudo ./scripts/setup.sh --dev      also Debian's chromium, for the tests that open report.html,
#                                      and gcc for the static flow agent (--attach --via exec)
#
# It changes nothing in the host's network: no interface, route, iptables rule or sysctl.
set -euo pipefail
cd "$(dirname "$0")/.."

want_docker=0
want_dev=0
for arg in "$@"; do
  case $arg in
    --docker) want_docker=1 ;;
    --dev) want_dev=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: run it as root (sudo ./scripts/setup.sh): it installs Debian packages" >&2
  exit 3
fi

# Debian packages: the binary that proves each one is there, then the package.
pkgs=(
  "/usr/lib/frr/zebra frr"
  "/usr/bin/vtysh frr"
  "/usr/sbin/iptables-restore iptables"
  "/usr/sbin/nft nftables"
  "/usr/sbin/ip iproute2"
  "/usr/bin/tcpdump tcpdump"
  "/usr/sbin/conntrack conntrack"
  "/usr/sbin/sysctl procps"
  "/usr/bin/ping iputils-ping"
  "/usr/sbin/traceroute traceroute"
)
if [[ $want_docker -eq 1 ]]; then
  pkgs+=("/usr/sbin/dockerd docker.io" "/usr/sbin/debootstrap debootstrap")
fi
if [[ $want_dev -eq 1 ]]; then
  # The browser tests drive this chromium through playwright-core; no browser is downloaded. A
  # font, or the screenshots the tests check would show boxes for text.
  pkgs+=("/usr/bin/chromium chromium" "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core")
  # The static flow agent (run --attach --via exec) is built with the machine's C compiler.
  pkgs+=("/usr/bin/cc gcc" "/usr/lib/x86_64-linux-gnu/libc.a libc6-dev")
fi
missing=()
for p in "${pkgs[@]}"; do
  read -r bin pkg <<<"$p"
  [[ -x $bin ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The frr package would start FRR in the host's namespace where systemd runs: asymlab starts its
  # own daemons in lab namespaces only, so the host service is kept off.
  if [[ -d /run/systemd/system ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages: all present"
fi

# Node.js 20 or newer (Debian bookworm's own nodejs is 18: too old).
if ! command -v node >/dev/null || (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
  echo "setup.sh: asymlab needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 3
fi

say "npm dependencies and build"
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build

if [[ $want_docker -eq 1 ]]; then
  say "docker daemon (no iptables, no bridge)"
  ./scripts/docker-daemon.sh
  say "asymlab/node image (offline build; cached after the first time)"
  ./bin/asymlab.js images build
fi
say "done: ./bin/asymlab.js --help"
