#!/usr/bin/env bash
# A pull request's (or merge request's) allocation check, the same in any CI and by hand:
# the allocation gate (scripts/gate.sh), the comparison of the base with the head
# (scripts/compare-branches.sh), then the job summary and a short comment body
# (ci/pr_summary.py). .github/workflows/allocation-gate.yml and ci/gitlab-ci.yml call it.
#   ci/pr-gate.sh [--base REF] [--head REF] [--variants "V..."] [--scenarios "S..."]
#                 [--fail-over PCT] [--out DIR] [--artifact-url URL]
#                 [--gate-dir DIR] [--comparison-dir DIR]
# --base: default the pull request's base commit from $GITHUB_EVENT_PATH
# (pull_request.base.sha), else $CI_MERGE_REQUEST_DIFF_BASE_SHA (GitLab). --head: HEAD.
# --variants, --scenarios, --fail-over: passed to compare-branches.sh (default: the
# optimized engine, every scenario, report only). --out: default reports/pr-gate.
# --artifact-url: the link in the comment; default the run's page
# ($GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID, or GitLab's
# $CI_JOB_URL/artifacts/browse), where the artifact is listed.
# --gate-dir DIR / --comparison-dir DIR: use a gate already run (DIR as scripts/gate.sh
# leaves results/ci/: gate.json, gate.md, gate.xml) or comparisons already made (DIR as
# compare-branches.sh leaves build/compare-branches/results/) instead of running them.
# Writes OUT/gate/ (the gate's files, gate.xml the JUnit), OUT/comparison/ (results,
# comparison-V.json and .md), OUT/comparison-report/ (compare-branches.sh's report),
# OUT/summary.md and OUT/comment.md; appends summary.md to $GITHUB_STEP_SUMMARY and
# writes gate=, comparison=, summary= and comment= to $GITHUB_OUTPUT when they are set.
# Exit 0 when the gate held and the comparison ran (and, with --fail-over, nothing grew
# by more); otherwise the gate's or the comparison's exit status, after writing
# everything it could. Bad arguments or a missing ref: one line, exit 2.
set -euo pipefail
cd "$(dirname "$0")/.."

usage='usage: ci/pr-gate.sh [--base REF] [--head REF] [--variants "V..."] [--scenarios "S..."] [--fail-over PCT] [--out DIR] [--artifact-url URL] [--gate-dir DIR] [--comparison-dir DIR]'
die() { echo "pr-gate: $*" >&2; exit 2; }
need() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value ($usage)"; }

base="" head=HEAD out=reports/pr-gate artifact_url="" gate_dir="" comparison_dir=""
compare_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) need "$@"; base=$2; shift 2 ;;
    --head) need "$@"; head=$2; shift 2 ;;
    --variants|--scenarios|--fail-over) need "$@"; compare_args+=("$1" "$2"); shift 2 ;;
    --out) need "$@"; out=$2; shift 2 ;;
    --artifact-url) need "$@"; artifact_url=$2; shift 2 ;;
    --gate-dir) need "$@"; gate_dir=$2; shift 2 ;;
    --comparison-dir) need "$@"; comparison_dir=$2; shift 2 ;;
    *) die "unknown argument '$1' ($usage)" ;;
  esac
done

py=/usr/bin/python3
for dir in "$gate_dir" "$comparison_dir"; do
  [[ -z "$dir" || -d "$dir" ]] || die "'$dir' is not a directory"
done
if [[ -z "$comparison_dir" && -z "$base" ]]; then
  if [[ -n "${GITHUB_EVENT_PATH:-}" ]]; then
    [[ -r "$GITHUB_EVENT_PATH" ]] || die "GITHUB_EVENT_PATH: cannot read '$GITHUB_EVENT_PATH'"
    base=$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("pull_request", {}).get("base", {}).get("sha", ""))' \
      "$GITHUB_EVENT_PATH") || die "GITHUB_EVENT_PATH: '$GITHUB_EVENT_PATH' is not a JSON event"
    [[ -n "$base" ]] || die "GITHUB_EVENT_PATH: '$GITHUB_EVENT_PATH' has no pull_request.base.sha (not a pull_request event?)"
  elif [[ -n "${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}" ]]; then
    base=$CI_MERGE_REQUEST_DIFF_BASE_SHA
  else
    die "no base: give --base REF, or set GITHUB_EVENT_PATH (a pull_request event) or CI_MERGE_REQUEST_DIFF_BASE_SHA"
  fi
fi
if [[ -z "$comparison_dir" ]]; then
  for ref in "$base" "$head"; do
    git rev-parse --verify --quiet "$ref^{commit}" >/dev/null ||
      die "'$ref' is not a commit of this repository (a shallow clone? fetch with depth 0)"
  done
fi
if [[ -z "$artifact_url" ]]; then
  if [[ -n "${GITHUB_RUN_ID:-}" ]]; then
    artifact_url=${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}/actions/runs/$GITHUB_RUN_ID
  elif [[ -n "${CI_JOB_URL:-}" ]]; then
    artifact_url=$CI_JOB_URL/artifacts/browse
  fi
fi

rm -rf "$out"
mkdir -p "$out/gate" "$out/comparison"

# The gate: the whole of scripts/gate.sh, or a gate already run.
gate_exit=0
if [[ -z "$gate_dir" ]]; then
  echo "== pr-gate: the allocation gate (scripts/gate.sh)" >&2
  scripts/gate.sh || gate_exit=$?
  gate_dir=results/ci
fi
cp -r "$gate_dir"/. "$out/gate/"
[[ -f "$out/gate/gate.json" ]] || { echo "pr-gate: the gate wrote no gate.json (exit $gate_exit)" >&2; exit $((gate_exit ? gate_exit : 2)); }
if [[ $gate_exit -eq 0 ]]; then
  # A gate run elsewhere (--gate-dir): its verdicts say whether it held.
  gate_exit=$("$py" -c 'import json, sys; rows = json.load(open(sys.argv[1]))["rows"]; v = {r["verdict"] for r in rows}; print(3 if "nondeterministic" in v else 1 if v & {"over", "under"} else 0)' \
    "$out/gate/gate.json") || die "$out/gate/gate.json: not the rows memharness gate --json writes"
fi

# The comparison with the base.
comparison_exit=0
if [[ -z "$comparison_dir" ]]; then
  echo "== pr-gate: $base against $head (scripts/compare-branches.sh)" >&2
  rm -rf build/compare-branches/results  # no earlier call's comparisons, should this one fail early
  scripts/compare-branches.sh "$base" "$head" "${compare_args[@]}" --report "$out/comparison-report" ||
    comparison_exit=$?
  comparison_dir=build/compare-branches/results
fi
if [[ -d "$comparison_dir" ]]; then cp -r "$comparison_dir"/. "$out/comparison/"; fi

summary_args=(--gate "$out/gate" --gate-exit "$gate_exit" --out "$out" --artifact-url "$artifact_url"
  --base-label "${base:0:12}")
if compgen -G "$out/comparison/comparison-*.json" >/dev/null; then
  summary_args+=(--comparison "$out/comparison" --comparison-exit "$comparison_exit")
else
  echo "pr-gate: no comparison to summarize (compare-branches.sh exit $comparison_exit)" >&2
  [[ $comparison_exit -ne 0 ]] || comparison_exit=2
fi
"$py" ci/pr_summary.py "${summary_args[@]}"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    echo "gate=$([[ $gate_exit -eq 0 ]] && echo passed || echo failed)"
    echo "comparison=$([[ $comparison_exit -eq 0 ]] && echo passed || echo failed)"
    echo "summary=$out/summary.md"
    echo "comment=$out/comment.md"
  } >>"$GITHUB_OUTPUT"
fi
echo "pr-gate: gate exit $gate_exit, comparison exit $comparison_exit; $out/summary.md, $out/comment.md" >&2
if [[ $gate_exit -ne 0 ]]; then exit "$gate_exit"; fi
exit "$comparison_exit"
