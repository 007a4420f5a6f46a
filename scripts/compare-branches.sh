#!/usr/bin/env bash
# Compares the allocations of two git refs of this repository: each ref is checked out
# into its own worktree under build/compare-branches/ (reused, and its build with it,
# between calls), built with the release preset, and run on its own scenarios with
# each chosen variant; then `memharness compare` per variant and one comparison report.
#   scripts/compare-branches.sh REF_A REF_B [--variants "baseline optimized"]
#                               [--fail-over PCT] [--report DIR] [--scenarios "S..."]
# REF_A is the base, REF_B the head. Default variants: the last of cmake/variants.txt
# (the optimized engine; scripts/variants.sh lists them). Default report:
# reports/compare-<a>-<b>/. Exit 1 when --fail-over is given and some figure grew by
# more than PCT %; 2 on bad arguments or a ref that cannot be built or run.
# --scenarios runs only the named scenarios (default: each ref's every scenario).
# build/compare-branches/results/ keeps the results and, per variant, comparison-V.json
# and comparison-V.md (`memharness compare --json --markdown`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage="usage: scripts/compare-branches.sh REF_A REF_B [--variants \"V...\"] [--fail-over PCT] [--report DIR] [--scenarios \"S...\"]"
refs=()
variants=$(scripts/variants.sh --ends | tail -n 1)
fail_over=()
report=""
scenarios=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --variants) variants=${2:?--variants needs a list}; shift 2 ;;
    --fail-over) fail_over=(--fail-over "${2:?--fail-over needs a percentage}"); shift 2 ;;
    --report) report=${2:?--report needs a directory}; shift 2 ;;
    --scenarios) read -r -a scenarios <<<"${2:?--scenarios needs a list}"; shift 2 ;;
    -*) echo "compare-branches: unknown option '$1' ($usage)" >&2; exit 2 ;;
    *) refs+=("$1"); shift ;;
  esac
done
if [[ ${#refs[@]} -ne 2 ]]; then echo "compare-branches: two refs needed ($usage)" >&2; exit 2; fi

scripts/install-deps.sh
# This tree's own memharness compares and reports, so old refs need not have `compare`.
cmake --preset release >/dev/null
newest=$(scripts/variants.sh --ends | tail -n 1)
cmake --build --preset release --target "memharness-$newest"
compare=build/release/bin/memharness-$newest
work=build/compare-branches
mkdir -p "$work"
git worktree prune

# prepare SLOT REF (scripts/lib/ref-worktree.sh): the worktree build/compare-branches/SLOT at REF, built.
source "$root/scripts/lib/ref-worktree.sh"

# Two worktrees, one per side, so switching refs rebuilds only what changed.
base_tree=$(prepare base "${refs[0]}") || exit 2
head_tree=$(prepare head "${refs[1]}") || exit 2

out=$work/results
rm -rf "$out"
mkdir -p "$out/base" "$out/head"
for side in base head; do
  tree=${side}_tree
  for v in $variants; do
    echo "== $side: run $v" >&2
    (cd "${!tree}" && build/release/bin/memharness-"$v" run "${scenarios[@]}" --repeat 2 --out "$root/$out/$side" >/dev/null) || {
      echo "compare-branches: $side (${refs[$([[ $side == base ]] && echo 0 || echo 1)]}): memharness-$v run failed" >&2
      exit 2
    }
  done
done

status=0
comparisons=()
for v in $variants; do
  echo
  "$compare" compare "$out/base/results-$v.json" "$out/head/results-$v.json" \
    "${fail_over[@]}" --json "$out/comparison-$v.json" --markdown "$out/comparison-$v.md" || status=$?
  [[ $status -le 1 ]] || exit "$status"
  comparisons+=(--comparison "$out/comparison-$v.json")
done

short() { git rev-parse --short "$1^{commit}"; }
report=${report:-reports/compare-$(short "${refs[0]}")-$(short "${refs[1]}")}
rm -rf "$report"
echo
/usr/bin/python3 scripts/report.py "$out"/head/results-*.json "${comparisons[@]}" --out "$report" \
  --title "memharness comparison: ${refs[0]} → ${refs[1]}"
exit "$status"
