#!/usr/bin/env bash
# Measures the three original scenarios with every waterfall step (baseline,
# plus-buffers, plus-writes, optimized) and rewrites the README's table between its
# markers with what the tool printed. Run after a release build.
#   scripts/waterfall.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/waterfall
rm -rf "$out"
for variant in baseline plus-buffers plus-writes optimized; do
  build/release/bin/memharness-"$variant" run update-500 select-1000 insert-1000 --repeat 3 --out "$out" >/dev/null
done
table=$(/usr/bin/python3 scripts/waterfall_table.py "$out"/results-*.json)
commit=$(git rev-parse --short HEAD)
/usr/bin/python3 - "$table" "$commit" <<'PY'
import re, sys
table, commit = sys.argv[1], sys.argv[2]
readme = open("README.md").read()
block = (f"<!-- waterfall:begin (scripts/waterfall.sh writes this; commit {commit}) -->\n"
         f"{table}\n<!-- waterfall:end -->")
new, count = re.subn(r"<!-- waterfall:begin.*?<!-- waterfall:end -->", lambda m: block, readme, flags=re.S)
if count != 1:
    sys.exit("waterfall.sh: README.md has no waterfall markers")
open("README.md", "w").write(new)
PY
echo "$table"
