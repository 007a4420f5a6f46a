#!/usr/bin/env bash
# Installs the Debian packages memharness needs, if any are missing.
#   scripts/install-deps.sh
# (everything: compile, test, report, profile; one list, so every command finds it all)
# As root it runs apt-get itself; otherwise it prints the exact command and fails.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git
  binutils  # addr2line: names the meter's call sites (harness/runner/symbolize.h)
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libjemalloc-dev libsqlite3-dev libssl-dev
  libtomlplusplus-dev nlohmann-json3-dev libxxhash-dev
  python3-matplotlib chromium  # the report (scripts/report.py) and its render test
  heaptrack zstd  # scripts/heaptrack.sh and its cross-check test
  valgrind  # the meter-bypass tests (tests/cli: valgrind_refused, valgrind_nouserintercepts)
  clang libclang-rt-14-dev  # libFuzzer (scripts/fuzz.sh)
  nodejs npm python3-yaml  # the CI files' checks (tests/ci: ci/install-validators.sh, the YAML)
)
want=("${packages[@]}")

missing=()
for pkg in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done
# npm ships inside some nodejs packages (NodeSource's): an npm command is enough, and
# Debian's npm package would conflict with those.
if command -v npm >/dev/null; then
  for i in "${!missing[@]}"; do [[ ${missing[$i]} != npm ]] || unset 'missing[i]'; done
fi
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
