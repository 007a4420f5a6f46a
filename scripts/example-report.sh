#!/usr/bin/env bash
# Regenerates the committed example report, reports/example/, from a real run of the
# main job (scripts/run.sh) at the current commit. Never edit its files by hand; run
# this on a clean tree (the report shows the commit, and "dirty" if it was not) and
# commit what it writes.
#   scripts/example-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  echo "example-report: the tree has uncommitted changes; the example would name a dirty commit" >&2
  exit 2
fi
scripts/run.sh --report reports/example --results results/example
scripts/check-report-render.sh reports/example/report.html results/example/report.png
