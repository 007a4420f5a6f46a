#!/usr/bin/env bash
# One step of scripts/bisect-budget.sh, run by `git bisect run` (and for GOOD, BAD and
# the first bad commit's parent) in the slot's worktree, at the commit checked out
# there. bisect-budget.sh copies this file and ref-worktree.sh to a temporary
# directory first, so checking commits out never changes the step being run.
# Builds memharness-<variant> (incrementally), runs the one scenario with the commit's
# own binary and scenario file, and gates its results with the current tree's
# memharness against the current tree's budget. Exit 0: within budget (good); 1: over
# it (bad); 125: the commit cannot be judged (no build, the run failed, results the
# gate cannot read, figures that differ between repeats): `git bisect` skips it.
# Everything about the commit goes to $MEMH_BISECT_OUT/<commit>/: results-<variant>.json,
# run.txt, gate.txt (the gate's table and failure lines) and verdict.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
variant=${MEMH_BISECT_VARIANT:?} scenario=${MEMH_BISECT_SCENARIO:?}
gate=${MEMH_BISECT_GATE:?} budgets=${MEMH_BISECT_BUDGETS:?} out_root=${MEMH_BISECT_OUT:?}
stop=${MEMH_BISECT_STOP:?}
variants=$variant
# shellcheck source=ref-worktree.sh
source "$here/ref-worktree.sh"

commit=$(git rev-parse HEAD) || exit 125
short=$(git rev-parse --short HEAD)
out=$out_root/$commit
rm -rf "$out"
mkdir -p "$out"
# Interrupted (bisect-budget.sh made the stop file): exit 255 ends `git bisect run`.
stop_if_asked() { if [[ -e $stop ]]; then echo "== bisect: interrupted" >&2; exit 255; fi; }
skip() {
  stop_if_asked
  echo "skip: $1" >"$out/verdict"
  echo "== bisect: $short: cannot be judged, skipped: $1" >&2
  exit 125
}

stop_if_asked
echo "== bisect: $short $(git log -1 --format=%s HEAD): building memharness-$variant" >&2
ref_worktree_build "$PWD" || skip "the build failed"
status=0
build/release/bin/memharness-"$variant" run "$scenario" --repeat 2 --out "$out" >"$out/run.txt" 2>&1 || status=$?
# 3: the figures differed between repeats; the results are written and the gate says so.
if [[ $status -ne 0 && $status -ne 3 ]] || [[ ! -f "$out/results-$variant.json" ]]; then
  skip "memharness-$variant run $scenario exited $status: $(grep -m 1 '^memharness:' "$out/run.txt" || tail -n 1 "$out/run.txt")"
fi
stop_if_asked
status=0
"$gate" gate "$out/results-$variant.json" --budgets "$budgets" >"$out/gate.txt" 2>&1 || status=$?
# The gate's one-line error for each row over (or under) its budget.
failures=$(grep "^memharness: $scenario $variant " "$out/gate.txt")
case $status in
  0)
    echo good >"$out/verdict"
    echo "== bisect: $short: within budget" >&2
    exit 0
    ;;
  1)
    echo bad >"$out/verdict"
    echo "== bisect: $short: over budget:" >&2
    sed 's/^memharness: /   /' <<<"$failures" >&2
    exit 1
    ;;
  3) skip "its figures differ between repeats (nondeterministic): the gate cannot hold them to a budget" ;;
  *) skip "the gate exited $status: $(grep -m 1 '^memharness:' "$out/gate.txt" || tail -n 1 "$out/gate.txt")" ;;
esac
