#!/usr/bin/env bash
# The allocation gate CI runs after the tests: every scenario with the baseline and the
# optimized binaries, then `memharness gate` against ci/budgets.toml. Exit 1 names each
# scenario, variant and metric over its budget and by how much; results/ci/ keeps the
# results, gate.xml (JUnit) and gate.md (for a review).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

out=results/ci
rm -rf "$out"
for variant in baseline optimized; do
  build/release/bin/memharness-"$variant" run --out "$out" --repeat 2
done
build/release/bin/memharness gate "$out"/results-baseline.json "$out"/results-optimized.json \
  --budgets ci/budgets.toml --junit "$out"/gate.xml --markdown "$out"/gate.md
