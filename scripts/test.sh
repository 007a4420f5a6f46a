#!/usr/bin/env bash
# The README's test command: installs what is missing, builds every variant with the
# release preset, and runs every test with ctest.
#   scripts/test.sh [PRESET]   (default: release; also debug, asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"

scripts/install-deps.sh build
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
