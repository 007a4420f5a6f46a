#!/usr/bin/env bash
# Finds the first commit between GOOD and BAD whose SCENARIO, run with VARIANT's
# binary, is over its budget: `git bisect run` over GOOD..BAD in one of
# compare-branches.sh's worktrees (build/compare-branches/SLOT, reused with its build,
# so each step rebuilds only what changed), each step building memharness-VARIANT,
# running SCENARIO twice with that commit's binary and scenario file, and gating the
# results with this tree's memharness against this tree's budget (never the checked-out
# commit's: old commits need only `run`).
#   scripts/bisect-budget.sh GOOD BAD [SCENARIO] [VARIANT] [--budgets FILE]
#                            [--memharness BIN] [--slot NAME]
# Defaults: SCENARIO update-500, VARIANT the last variant ci/budgets.toml budgets
# (optimized; scripts/variants.sh --budgeted), --budgets ci/budgets.toml (its
# [SCENARIO.VARIANT] table only), --memharness this tree's
# build/release/bin/memharness-<last variant> (built first), --slot head (the worktree
# compare-branches.sh uses for its head). Paths are relative to where it is called from.
# Prints the first commit over budget (hash, subject), the gate's rows and failure lines
# for it and for its parent, the neighbour within budget. A commit that cannot be built,
# run or judged (results the gate cannot read, figures that differ between repeats) is
# skipped, not called bad. The bisect runs inside the slot's worktree (its own bisect
# state; the calling tree is never checked out) and is reset at the end, also on an
# error or Ctrl-C. Each tested commit's results and gate output stay in
# build/compare-branches/bisect-SLOT/<commit>/.
# Exit 0: found; 1: only skipped commits were left, the first is one of those listed;
# 2: bad arguments, or GOOD over budget, BAD within it, either not measurable.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
root=$PWD
me=bisect-budget

usage="usage: scripts/bisect-budget.sh GOOD BAD [SCENARIO (update-500)] [VARIANT (last budgeted: $(scripts/variants.sh --budgeted | tail -n 1))] [--budgets FILE (ci/budgets.toml)] [--memharness BIN] [--slot NAME (head)]"
die() { echo "$me: $1" >&2; exit 2; }
abs() { [[ $1 == /* ]] && echo "$1" || echo "$caller/$1"; }

positional=()
budgets=$root/ci/budgets.toml
gate_bin=""
slot="head"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --budgets) budgets=$(abs "${2:?--budgets needs a file}"); shift 2 ;;
    --memharness) gate_bin=$(abs "${2:?--memharness needs a binary}"); shift 2 ;;
    --slot) slot=${2:?--slot needs a name}; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    -*) die "unknown option '$1' ($usage)" ;;
    *) positional+=("$1"); shift ;;
  esac
done
if [[ ${#positional[@]} -lt 2 || ${#positional[@]} -gt 4 ]]; then die "GOOD and BAD needed, then at most SCENARIO and VARIANT ($usage)"; fi
good_ref=${positional[0]} bad_ref=${positional[1]}
scenario=${positional[2]:-update-500}
variant=${positional[3]:-$(scripts/variants.sh --budgeted | tail -n 1)}
[[ $slot =~ ^[A-Za-z0-9._-]+$ ]] || die "--slot '$slot': a name of letters, digits, '.', '_' or '-'"
scripts/variants.sh | grep -qxF -- "$variant" || die "'$variant' is not a variant of cmake/variants.txt ($(scripts/variants.sh | tr '\n' ' '))"
good=$(git rev-parse --verify --quiet "$good_ref^{commit}") || die "GOOD '$good_ref' is not a commit of this repository"
bad=$(git rev-parse --verify --quiet "$bad_ref^{commit}") || die "BAD '$bad_ref' is not a commit of this repository"
[[ $good != "$bad" ]] || die "GOOD '$good_ref' and BAD '$bad_ref' are the same commit"
git merge-base --is-ancestor "$good" "$bad" || die "GOOD '$good_ref' is not an ancestor of BAD '$bad_ref'"
[[ -f $budgets ]] || die "--budgets $budgets: no such file"
if [[ -n $gate_bin && ! -x $gate_bin ]]; then die "--memharness $gate_bin: not an executable"; fi

# The budget: only [SCENARIO.VARIANT], since the results hold one scenario and the gate
# refuses a budget for a scenario they lack. Other lines are left empty, so that the
# gate's errors give FILE's line numbers.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bisect-budget.XXXXXX")
tree=""
bisecting=0
interrupted=0
cleanup() {
  if [[ $bisecting -eq 1 ]]; then
    git -C "$tree" bisect reset >/dev/null 2>&1 || echo "$me: could not reset the bisect in $tree: run git -C $tree bisect reset" >&2
    bisecting=0
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# Ctrl-C or TERM: the step running finishes its phase, sees the stop file and ends the
# bisect (exit 255); then cleanup resets it.
trap 'interrupted=1; touch "$tmp/stop"' INT TERM
# in_background CMD...: CMD in the background, waited for, so that a signal reaches the
# trap at once (a foreground child that handles SIGINT itself, as ninja does, would
# keep it from bash); CMD's exit code, or exit 130 once interrupted.
in_background() {
  local job status=0
  "$@" &
  job=$!
  wait "$job" || status=$?
  while [[ $interrupted -eq 1 ]] && kill -0 "$job" 2>/dev/null; do wait "$job" || true; done
  if [[ $interrupted -eq 1 ]]; then
    echo "$me: interrupted${tree:+; $tree is left without a bisect in progress}" >&2
    exit 130
  fi
  return "$status"
}
awk -v want="[$scenario.$variant]" '
  /^[[:space:]]*\[/ { header = $0; sub(/#.*/, "", header); gsub(/[[:space:]]/, "", header); on = (header == want); found = found || on }
  { print on ? $0 : "" }
  END { exit !found }' "$budgets" >"$tmp/budget.toml" ||
  die "$budgets has no [$scenario.$variant] budget"

scripts/install-deps.sh
if [[ -z $gate_bin ]]; then
  # This tree's memharness gates every step, so old commits need not have `gate`.
  cmake --preset release >/dev/null
  newest=$(scripts/variants.sh --ends | tail -n 1)
  cmake --build --preset release --target "memharness-$newest" >&2
  gate_bin=$root/build/release/bin/memharness-$newest
fi

work=build/compare-branches
variants=$variant
mkdir -p "$work"
git worktree prune
source "$root/scripts/lib/ref-worktree.sh"
out=$root/$work/bisect-$slot
rm -rf "$out"
mkdir -p "$out"
cp scripts/lib/bisect-step.sh scripts/lib/ref-worktree.sh "$tmp/"
export MEMH_BISECT_VARIANT=$variant MEMH_BISECT_SCENARIO=$scenario MEMH_BISECT_GATE=$gate_bin
export MEMH_BISECT_BUDGETS=$tmp/budget.toml MEMH_BISECT_OUT=$out MEMH_BISECT_STOP=$tmp/stop

# A bisect left in the slot by an interrupted call is ended first.
if [[ -e $root/$work/$slot/.git ]] && git -C "$root/$work/$slot" bisect log >/dev/null 2>&1; then
  git -C "$root/$work/$slot" bisect reset >/dev/null 2>&1 || true
fi
short() { git rev-parse --short "$1"; }
subject() { git log -1 --format=%s "$1"; }
# step COMMIT: checks COMMIT out in the slot and judges it; returns the step's exit code.
step() {
  git -C "$tree" checkout --quiet --detach "$1"
  in_background bash -c 'cd "$1" && exec "$2"' step "$tree" "$tmp/bisect-step.sh"
}

echo "== $me: $scenario with memharness-$variant, budget [$scenario.$variant] of $budgets" >&2
in_background prepare "$slot" "$good_ref" >"$tmp/tree" || die "GOOD $good_ref ($(short "$good")) cannot be built"
tree=$(cat "$tmp/tree")
status=0
step "$good" || status=$?
case $status in
  0) ;;
  1) die "GOOD $good_ref ($(short "$good")) is over budget already: $(grep -m 1 "^memharness: $scenario $variant " "$out/$good/gate.txt" | sed 's/^memharness: //')" ;;
  *) die "GOOD $good_ref ($(short "$good")) cannot be judged: $(sed 's/^skip: //' "$out/$good/verdict")" ;;
esac
status=0
step "$bad" || status=$?
case $status in
  1) ;;
  0) die "BAD $bad_ref ($(short "$bad")) is within budget: $(awk -v s="$scenario" -v v="$variant" '$1 == s && $2 == v { printf "%s%s %s (budget %s)", sep, $3, $4, $5; sep = ", " }' "$out/$bad/gate.txt")" ;;
  *) die "BAD $bad_ref ($(short "$bad")) cannot be judged: $(sed 's/^skip: //' "$out/$bad/verdict")" ;;
esac

# The bisect, inside the slot's worktree: its bisect state is the worktree's own.
bisecting=1
git -C "$tree" bisect start "$bad" "$good" >&2
status=0
in_background bash -o pipefail -c 'cd "$1" && git bisect run "$2" 2>&1 | tee "$3" >&2' bisect "$tree" "$tmp/bisect-step.sh" \
  "$tmp/bisect.log" || status=$?
first=$(sed -n 's/^\([0-9a-f]\{40\}\) is the first bad commit$/\1/p' "$tmp/bisect.log")
git -C "$tree" bisect reset >/dev/null 2>&1 || true
bisecting=0
if [[ -z $first ]]; then
  if grep -q "only 'skip'ped commits left" "$tmp/bisect.log"; then
    echo "$me: the first commit over budget is one of these, which could not be judged (see $out/<commit>/verdict):" >&2
    sed -n '/could be any of:/,/cannot bisect more/p' "$tmp/bisect.log" | grep -E '^[0-9a-f]{40}$' |
      while read -r c; do
        echo "  $(short "$c") $(subject "$c"): $(sed 's/^skip: /cannot be judged: /; s/^good$/within budget/; s/^bad$/over budget/' "$out/$c/verdict" 2>/dev/null || echo 'not tested')"
      done >&2
    exit 1
  fi
  die "git bisect run exited $status without naming a first commit (its output is above)"
fi

# Its parent within budget: tested already unless the bisect never needed it.
parent=$(git rev-parse "$first^1")
if [[ ! -f $out/$parent/verdict ]]; then
  step "$parent" || true
fi
git -C "$tree" checkout --quiet --detach "$bad"

steps=$(find "$out" -mindepth 2 -maxdepth 2 -name verdict | wc -l)
skipped=$(cat "$out"/*/verdict | grep -c '^skip' || true)
echo
echo "First commit over budget: $first $(subject "$first")"
echo "$scenario with memharness-$variant, gated by $gate_bin against [$scenario.$variant] of $budgets; $steps commits tested, $skipped skipped; results in $out/"
echo
echo "== $(short "$first") (first over budget):"
cat "$out/$first/gate.txt"
echo
echo "== $(short "$parent") $(subject "$parent") (its parent, $(sed 's/^skip: /cannot be judged: /; s/^good$/within budget/; s/^bad$/over budget/' "$out/$parent/verdict")):"
cat "$out/$parent/gate.txt" 2>/dev/null || true
