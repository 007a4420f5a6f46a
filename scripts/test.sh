#!/usr/bin/env bash
# The README's test command: installs what is missing, builds every variant with the
# release preset and runs every test (printing the reliability suites' counts), then
# the whole suite of the tsan preset under ThreadSanitizer (engine, integration and
# reliability tests; the meter is off in sanitizer builds, so the harness and its
# tests are not built there; the tsan test preset leaves out the script tests, which
# run nothing built with TSan), and heaptrack's counts against the meter's on the
# system-allocator build. Each part prints how long it took.
#   scripts/test.sh            everything above
#   scripts/test.sh PRESET     one preset, all of its tests (release, debug, baseline,
#                              optimized, asan, tsan, heaptrack)
# .ci/run adds the gate, the full AddressSanitizer + UBSan suite and a short fuzzing run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

run_preset() {
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" --output-junit "$PWD/build/$preset/ctest.xml" "$@"
}

# The counts the reliability suites print (crash states, bytes flipped, failure points).
print_counts() {
  grep -o 'reliability ([^)]*): [^&<]*' "build/$1/ctest.xml" | sort || true
}

if [[ $# -gt 0 ]]; then
  run_preset "$1"
  print_counts "$1"
  exit 0
fi
start=$SECONDS
run_preset release
print_counts release
echo "release: built and tested in $((SECONDS - start)) s"
start=$SECONDS
run_preset tsan
echo "tsan: built and ran the whole suite in $((SECONDS - start)) s"
start=$SECONDS
cmake --preset heaptrack >/dev/null
cmake --build --preset heaptrack --target memharness-optimized
ctest --preset heaptrack -R heaptrack
echo "heaptrack: built and cross-checked in $((SECONDS - start)) s"
