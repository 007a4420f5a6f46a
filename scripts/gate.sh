#!/usr/bin/env bash
# The allocation gate CI runs after the tests: every scenario with the binary of each
# variant ci/budgets.toml has budgets for (scripts/variants.sh --budgeted: the baseline
# and the optimized engine), then `memharness gate` against ci/budgets.toml. Exit 1
# names each scenario, variant and metric over its budget and by how much; results/ci/
# keeps the results, gate.xml (JUnit), gate.md (for a review) and gate.json (the rows, for
# ci/pr-gate.sh's pull-request comment).
# The scale scenarios (<original>-1m) are what fail a commit that allocates in
# proportion to the store; their million-block filler store is made once per variant
# and copied for each repeat (docs/scenario_format.md, "Filler: stores at scale").
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

gated=$(scripts/variants.sh --budgeted)
out=results/ci
rm -rf "$out"
inputs=()
for variant in $gated; do
  build/release/bin/memharness-"$variant" run --out "$out" --repeat 2
  inputs+=("$out/results-$variant.json")
done
build/release/bin/memharness gate "${inputs[@]}" \
  --budgets ci/budgets.toml --junit "$out"/gate.xml --markdown "$out"/gate.md --json "$out"/gate.json
