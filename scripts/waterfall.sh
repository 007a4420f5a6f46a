#!/usr/bin/env bash
# Measures the original work's scenarios (those in scenarios/ with an original_bytes)
# with every waterfall step (cmake/variants.txt) in this tree, now, and prints the
# waterfall table (scripts/waterfall_table.py). Run after a release build. It does
# not touch README.md: the README's table comes from the committed example run
# (scripts/example-report.sh, then scripts/readme_figures.py).
#   scripts/waterfall.sh
set -euo pipefail
cd "$(dirname "$0")/.."
variants=$(scripts/variants.sh)
scenarios=()
for file in scenarios/*.toml; do
  if grep -q '^original_bytes *=' "$file"; then scenarios+=("$(basename "$file" .toml)"); fi
done
[[ ${#scenarios[@]} -gt 0 ]] || { echo "waterfall.sh: no scenario in scenarios/ has an original_bytes" >&2; exit 2; }
out=results/waterfall
rm -rf "$out"
for variant in $variants; do
  build/release/bin/memharness-"$variant" run "${scenarios[@]}" --repeat 3 --out "$out" >/dev/null
done
/usr/bin/python3 scripts/waterfall_table.py "$out"/results-*.json
