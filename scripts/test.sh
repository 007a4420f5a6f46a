#!/usr/bin/env bash
# The README's test command: installs what is missing, builds every variant with the
# release preset and runs every test, then builds the engine under ThreadSanitizer
# and runs its concurrency tests (the meter is off in sanitizer builds), and builds the
# system-allocator binary to hold heaptrack's counts to the meter's.
#   scripts/test.sh            everything above
#   scripts/test.sh PRESET     one preset, all of its tests (release, debug, baseline,
#                              optimized, asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

run_preset() {
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" "$@"
}

if [[ $# -gt 0 ]]; then
  run_preset "$1"
  exit 0
fi
start=$SECONDS
run_preset release
echo "release: built and tested in $((SECONDS - start)) s"
start=$SECONDS
run_preset tsan -R Concurrency
echo "tsan: built and ran the concurrency tests in $((SECONDS - start)) s"
start=$SECONDS
cmake --preset heaptrack >/dev/null
cmake --build --preset heaptrack --target memharness-optimized
ctest --preset heaptrack -R heaptrack
echo "heaptrack: built and cross-checked in $((SECONDS - start)) s"
