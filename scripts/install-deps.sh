#!/usr/bin/env bash
# Installs the Debian packages memharness needs, if any are missing.
#   scripts/install-deps.sh [build|run]   (build: compile, test, report; run: also heaptrack)
# As root it runs apt-get itself; otherwise it prints the exact command and fails.
set -euo pipefail

build_packages=(
  g++ cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libjemalloc-dev libssl-dev
  libtomlplusplus-dev nlohmann-json3-dev
  python3-matplotlib chromium  # the report (scripts/report.py) and its render test
)
run_packages=(heaptrack)

want=("${build_packages[@]}")
if [[ "${1:-build}" == run ]]; then want+=("${run_packages[@]}"); fi

missing=()
for pkg in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi

if [[ $(id -u) -ne 0 ]]; then
  echo "memharness needs these Debian packages: ${missing[*]}" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
