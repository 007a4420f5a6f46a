#!/usr/bin/env bash
# Regenerates the committed example report, reports/example/, from a real run of the
# main job (scripts/run.sh) at the current commit, keeps the run's inputs in
# reports/example/data/ (every variant's results, the gate's and the comparison's JSON,
# the timing ratios, the heaptrack reports of update-500, and run.json: the commit and
# how long each step took), and rewrites the README's generated blocks from them
# (scripts/readme_figures.py). Never edit these files by hand; run this on a clean tree
# (the report shows the commit, and "dirty" if it was not) and commit what it writes
# (reports/example/ and README.md). reports/example/data/ci-run.json is
# scripts/record-ci-run.sh's and is left as it is.
#   scripts/example-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  echo "example-report: the tree has uncommitted changes; the example would name a dirty commit" >&2
  exit 2
fi
commit=$(git rev-parse HEAD)
built_before=false
if [[ -f build/release/build.ninja ]]; then built_before=true; fi

results=results/example
data=reports/example/data
mkdir -p results
log=results/example-run.log
# run.sh rewrites reports/example/ from scratch; the CI record is not its to drop.
kept=$(mktemp -d)
trap 'rm -rf "$kept"' EXIT
if [[ -f "$data/ci-run.json" ]]; then cp "$data/ci-run.json" "$kept/"; fi
start=$SECONDS
set +e
# --full-bench: the README's timing tables include the million-block stores.
scripts/run.sh --report reports/example --results "$results" --full-bench 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
total=$((SECONDS - start))
mkdir -p "$data"
if [[ -f "$kept/ci-run.json" ]]; then cp "$kept/ci-run.json" "$data/"; fi
# 1: a budget was exceeded; the report is still written and says which.
if [[ $status -gt 1 ]]; then echo "example-report: scripts/run.sh failed (exit $status)" >&2; exit "$status"; fi
scripts/check-report-render.sh reports/example/report.html results/example/report.png

rm -f "$data"/results-*.json "$data"/heaptrack-*.json "$data"/gate.json "$data"/comparison.json \
  "$data"/bench-ratio.json "$data"/run.json
cp "$results"/results-*.json "$results"/gate.json "$results"/comparison.json "$data"/
if [[ -f "$results"/bench-ratio.json ]]; then cp "$results"/bench-ratio.json "$data"/; fi
for dir in "$results"/heaptrack-*/; do
  [[ -f "$dir/heaptrack.json" ]] || continue
  cp "$dir/heaptrack.json" "$data/$(basename "$dir").json"  # heaptrack-<variant>.json
done
/usr/bin/python3 - "$log" "$data/run.json" "$commit" "$built_before" "$total" "$status" <<'PY'
import json, os, sys
sys.path.insert(0, "scripts")
from memh_report.logs import parse_run
log, out, commit, built_before, total, status = sys.argv[1:]
with open(log, encoding="utf-8", errors="replace") as f:
    steps = parse_run(f)
doc = {"kind": "memharness example run", "git_commit": commit, "git_dirty": False,
       "command": "scripts/run.sh --report reports/example --results results/example --full-bench (scripts/example-report.sh)",
       "build_dir_existed": built_before == "true", "exit_status": int(status), "total_seconds": int(total),
       "cpus": os.cpu_count(), "steps": steps}
with open(out, "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
PY
/usr/bin/python3 scripts/readme_figures.py
echo "example-report: reports/example/ (data/ holds the run's inputs) and README.md's generated blocks; commit them"
