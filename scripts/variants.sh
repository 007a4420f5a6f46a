#!/usr/bin/env bash
# Prints the engine's named variants from cmake/variants.txt (the one list CMake, the
# scripts and the report read), one per line, in waterfall order.
#   scripts/variants.sh             every variant: baseline, the steps, optimized
#   scripts/variants.sh --ends      the first and the last (baseline and optimized)
#   scripts/variants.sh --budgeted  those ci/budgets.toml has budgets for (what the gate runs)
#   scripts/variants.sh --knobs     "name buffers writes locks" per variant
# In a script: mapfile -t variants < <(scripts/variants.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
file=$root/cmake/variants.txt
mode=${1:-all}

names=()
knobs=()
while read -r name buffers writes locks rest; do
  [[ -z $name || $name == \#* ]] && continue
  if [[ -z $locks || ( -n $rest && $rest != \#* ) ]]; then
    echo "variants.sh: $file: '$name $buffers $writes $locks $rest': expected a name and three knobs" >&2
    exit 2
  fi
  names+=("$name")
  knobs+=("$name $buffers $writes $locks")
done <"$file"
[[ ${#names[@]} -gt 0 ]] || { echo "variants.sh: $file: no variants" >&2; exit 2; }

case "$mode" in
  all) printf '%s\n' "${names[@]}" ;;
  --ends) printf '%s\n' "${names[0]}" "${names[-1]}" ;;
  --knobs) printf '%s\n' "${knobs[@]}" ;;
  --budgeted)
    # Budget tables are [<scenario>.<variant>].
    budgeted=$(sed -n 's/^\[[^].]*\.\([^].]*\)\].*/\1/p' "$root/ci/budgets.toml" | sort -u)
    found=0
    for name in "${names[@]}"; do
      if grep -qxF -- "$name" <<<"$budgeted"; then echo "$name"; found=1; fi
    done
    [[ $found -eq 1 ]] || { echo "variants.sh: ci/budgets.toml budgets none of the variants" >&2; exit 2; }
    ;;
  *) echo "variants.sh: unknown argument '$mode' (usage: scripts/variants.sh [--ends|--budgeted|--knobs])" >&2; exit 2 ;;
esac
