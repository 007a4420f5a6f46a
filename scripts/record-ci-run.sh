#!/usr/bin/env bash
# Records what CI does on a fresh clone, for the README: clones HEAD into a new
# temporary directory, runs `CI=true bash .ci/run` there (every build from scratch),
# keeps the log (results/ci-run/ci.log) and writes reports/example/data/ci-run.json
# (scripts/ci_run_log.py: each step's seconds, the test presets' times, ctest's
# totals, the reliability suites' counts, the gate's and the fuzzers' lines), then
# rewrites the README's generated blocks (scripts/readme_figures.py). Commit the JSON
# and README.md together. Takes as long as CI does (the README's CI block says how long
# the recorded run took).
#   scripts/record-ci-run.sh [--keep]     --keep: leave the clone (and its builds) in place
# Exit status: .ci/run's (the record is written either way, and says whether it finished).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

keep=0
case "${1:-}" in
  "") ;;
  --keep) keep=1 ;;
  *) echo "record-ci-run.sh: unknown argument '$1' (usage: scripts/record-ci-run.sh [--keep])" >&2; exit 2 ;;
esac

commit=$(git rev-parse HEAD)
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  echo "record-ci-run.sh: note: uncommitted changes are not in the record; it is of HEAD ($(git rev-parse --short HEAD))" >&2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/memh-ci-run.XXXXXX")
if [[ $keep -eq 0 ]]; then trap 'rm -rf "$work"' EXIT; fi
git clone --quiet --no-checkout "$root" "$work/clone"
git -C "$work/clone" checkout --quiet --detach "$commit"

mkdir -p results/ci-run
log=$root/results/ci-run/ci.log
echo "record-ci-run.sh: .ci/run on a fresh clone of $(git rev-parse --short HEAD) in $work/clone; log: $log"
start=$SECONDS
set +e
(cd "$work/clone" && CI=true bash .ci/run) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
total=$((SECONDS - start))
echo "record-ci-run.sh: .ci/run exited $status after $total s"

/usr/bin/python3 scripts/ci_run_log.py "$log" --commit "$commit" --exit-status "$status" --total-seconds "$total" \
  --out reports/example/data/ci-run.json
/usr/bin/python3 scripts/readme_figures.py
if [[ $keep -eq 1 ]]; then echo "record-ci-run.sh: the clone is kept in $work/clone"; fi
exit "$status"
