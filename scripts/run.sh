#!/usr/bin/env bash
# The README's run command: installs what is missing, builds every engine variant, and
# runs every scenario with the baseline and the optimized binaries. Results go to
# results/latest/ (JSON and per-operation CSV per variant).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run
cmake --preset release >/dev/null
cmake --build --preset release

out=results/latest
mkdir -p "$out"
status=0
for variant in baseline optimized; do
  echo
  echo "== $variant"
  build/release/bin/memharness-"$variant" run --out "$out" || status=$?
done
echo
echo "results: $out/results-baseline.json, $out/results-optimized.json (and samples-*.csv)"
exit "$status"
