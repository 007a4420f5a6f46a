#!/usr/bin/env python3
"""The pull-request workflow's scripts end to end, as GitHub runs them: ci/pr-gate.sh
then ci/pr-comment.py, with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and GITHUB_EVENT_PATH
pointed at files in WORK_DIR and GITHUB_API_URL at a local stand-in (mock_github.py).

    pr_workflow_e2e.py SOURCE_DIR BIN_DIR WORK_DIR --results DIR
    pr_workflow_e2e.py SOURCE_DIR BIN_DIR WORK_DIR --history [--scenarios "S..."]

--results DIR (the default ctest run): real results already measured (DIR holds
results-baseline.json and results-optimized.json, the CLI tests' differential run). The
gate (`memharness gate` of the optimized results against tests/cli/data/budgets.toml)
and the comparison (baseline as the base, optimized as the head) are made here, and
ci/pr-gate.sh takes them (--gate-dir, --comparison-dir): everything after measuring.
Then a failing gate (tests/cli/data/results-doctored.json): exit 1, still a summary and
a comment, and the same comment updated.

--history (ctest label `history`): the whole of it on this repository's history:
ci/pr-gate.sh runs scripts/gate.sh and scripts/compare-branches.sh from the pull
request's base (HEAD~1, from the event file) to HEAD with the optimized engine.

Both check: the job summary holds the gate's and the comparison's tables, GITHUB_OUTPUT
the verdicts and paths, the comment body the marker, the verdict per variant, the
biggest changes and the link to the run, the JUnit exists; the comment is created once
and then updated; bad arguments give one line and exit 2. Prints "pr_workflow_e2e: ok".
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mock_github import MockGitHub  # noqa: E402

MARKER = "<!-- memharness-allocation-gate -->"
RUN_URL = "https://github.test/owner/repo/actions/runs/4242"


def fail(message):
    sys.exit(f"pr_workflow_e2e: {message}")


def run(cmd, env=None, cwd=None, check=True, timeout=3600):
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def read(path):
    with open(path) as f:
        return f.read()


def expect_in(text, needle, where):
    if needle not in text:
        fail(f"{where} lacks {needle!r}:\n{text[:4000]}")


def github_env(work, server, base_sha):
    event = os.path.join(work, "event.json")
    with open(event, "w") as f:
        json.dump({"pull_request": {"number": 12, "base": {"sha": base_sha}}}, f)
    files = {}
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        files[name] = os.path.join(work, name.lower())
        open(files[name], "w").close()
    env = {**os.environ, **files, "GITHUB_EVENT_PATH": event, "GITHUB_API_URL": server.url,
           "GITHUB_TOKEN": "token", "GITHUB_REPOSITORY": "owner/repo", "GITHUB_SERVER_URL": "https://github.test",
           "GITHUB_RUN_ID": "4242"}
    return env, files


def check_outputs(out, files, gate_verdict, comparison_md_header):
    summary = read(files["GITHUB_STEP_SUMMARY"])
    expect_in(summary, "## Allocation gate", "the job summary")
    expect_in(summary, "| scenario | variant | metric | measured | budget | headroom | verdict |", "the job summary")
    expect_in(summary, comparison_md_header, "the job summary")
    expect_in(summary, "| scenario | metric | base | head | change | % | |", "the job summary")
    if summary != read(os.path.join(out, "summary.md")):
        fail("the job summary is not summary.md")
    outputs = read(files["GITHUB_OUTPUT"])
    expect_in(outputs, f"gate={gate_verdict}\n", "GITHUB_OUTPUT")
    expect_in(outputs, f"comment={out}/comment.md\n", "GITHUB_OUTPUT")
    comment = read(os.path.join(out, "comment.md"))
    if not comment.startswith(MARKER + "\n"):
        fail(f"the comment does not start with the marker:\n{comment[:500]}")
    expect_in(comment, f"**Allocation gate: {'passed' if gate_verdict == 'passed' else 'FAILED'}**", "the comment")
    expect_in(comment, f"- `optimized`: {'passed' if gate_verdict == 'passed' else '**2 failed**'}", "the comment")
    expect_in(comment, f"[the run's artifact]({RUN_URL})", "the comment")
    if not os.path.getsize(os.path.join(out, "gate", "gate.xml")):
        fail("no JUnit")
    if len(comment) > 6000:
        fail(f"the comment is not short: {len(comment)} characters")
    return comment


def post(src, env, out, server, expect_verb):
    result = run([sys.executable, os.path.join(src, "ci", "pr-comment.py"), os.path.join(out, "comment.md")], env=env)
    expect_in(result.stdout, f"pr-comment: {expect_verb} comment ", "pr-comment's output")
    ours = [c for c in server.comments if MARKER in c["body"]]
    if len(ours) != 1:
        fail(f"{len(ours)} comments carry the marker after the comment was {expect_verb}")
    if ours[0]["body"] != read(os.path.join(out, "comment.md")):
        fail("the posted comment is not comment.md")
    return ours[0]["id"]


def check_errors(src, env):
    gate = os.path.join(src, "ci", "pr-gate.sh")
    bare = {k: v for k, v in env.items() if k not in ("GITHUB_EVENT_PATH", "CI_MERGE_REQUEST_DIFF_BASE_SHA")}
    for args, environment, start in (
        ([], bare, "pr-gate: no base: give --base REF"),
        (["--base", "no-such-ref-xyz"], env, "pr-gate: 'no-such-ref-xyz' is not a commit of this repository"),
        (["--bogus"], env, "pr-gate: unknown argument '--bogus'"),
        (["--out"], env, "pr-gate: --out needs a value"),
        (["--gate-dir", "/nonexistent-dir"], env, "pr-gate: '/nonexistent-dir' is not a directory"),
    ):
        result = run([gate, *args], env=environment, check=False, timeout=60)
        lines = result.stderr.splitlines()
        if result.returncode != 2 or len(lines) != 1 or not lines[0].startswith(start):
            fail(f"ci/pr-gate.sh {' '.join(args)}: expected exit 2 and one line '{start}...', "
                 f"got {result.returncode}: {result.stderr!r}")
    push = os.path.join(os.path.dirname(env["GITHUB_EVENT_PATH"]), "push.json")
    with open(push, "w") as f:
        json.dump({"ref": "refs/heads/main"}, f)
    result = run([gate], env={**env, "GITHUB_EVENT_PATH": push}, check=False, timeout=60)
    if result.returncode != 2 or "has no pull_request.base.sha" not in result.stderr:
        fail(f"a push event: {result.returncode} {result.stderr!r}")


def from_results(src, bin_dir, work, results):
    memharness = os.path.join(bin_dir, "memharness-optimized")
    data = os.path.join(src, "tests", "cli", "data")
    server = MockGitHub(token="token")
    try:
        env, files = github_env(work, server, "0" * 40)
        check_errors(src, env)
        gate_dir, comparison_dir = os.path.join(work, "gate"), os.path.join(work, "comparison")
        os.makedirs(gate_dir)
        os.makedirs(comparison_dir)
        run([memharness, "gate", os.path.join(results, "results-optimized.json"), "--budgets",
             os.path.join(data, "budgets.toml"), "--junit", f"{gate_dir}/gate.xml", "--markdown",
             f"{gate_dir}/gate.md", "--json", f"{gate_dir}/gate.json"])
        run([memharness, "compare", os.path.join(results, "results-baseline.json"),
             os.path.join(results, "results-optimized.json"), "--json", f"{comparison_dir}/comparison-optimized.json",
             "--markdown", f"{comparison_dir}/comparison-optimized.md"])
        out = os.path.join(work, "out")
        run([os.path.join(src, "ci", "pr-gate.sh"), "--gate-dir", gate_dir, "--comparison-dir", comparison_dir,
             "--out", out], env=env)
        comment = check_outputs(out, files, "passed", "### Allocations: optimized")
        # Baseline to optimized: update-500's bytes shrink most, by a site named.
        expect_in(comment, "| scenario | bytes: base | head | change | % | site that moved most |", "the comment")
        expect_in(comment, "| update-500 | ", "the comment")
        expect_in(comment, " memh::", "the comment")
        first = post(src, env, out, server, "created")

        # The gate fails: exit 1, and still the summary and the comment, updated.
        failed_gate = os.path.join(work, "gate-failed")
        os.makedirs(failed_gate)
        run([memharness, "gate", os.path.join(data, "results-doctored.json"), "--budgets",
             os.path.join(data, "budgets.toml"), "--junit", f"{failed_gate}/gate.xml", "--markdown",
             f"{failed_gate}/gate.md", "--json", f"{failed_gate}/gate.json"], check=False)
        for name in files.values():
            open(name, "w").close()
        status = run([os.path.join(src, "ci", "pr-gate.sh"), "--gate-dir", failed_gate, "--comparison-dir",
                      comparison_dir, "--out", out], env=env, check=False)
        if status.returncode != 1:
            fail(f"a failed gate: ci/pr-gate.sh exit {status.returncode}, expected 1\n{status.stderr}")
        comment = check_outputs(out, files, "failed", "### Allocations: optimized")
        expect_in(comment, "update-500 optimized bytes: over, measured 4,447,568, budget 155,000", "the comment")
        if post(src, env, out, server, "updated") != first:
            fail("the second run did not update the first comment")
    finally:
        server.close()


def from_history(src, work, scenarios):
    base = run(["git", "-C", src, "rev-parse", "HEAD~1"]).stdout.strip()
    server = MockGitHub(token="token")
    try:
        env, files = github_env(work, server, base)
        out = os.path.join(work, "out")
        started = time.monotonic()
        result = run([os.path.join(src, "ci", "pr-gate.sh"), "--variants", "optimized", "--scenarios", scenarios,
                      "--out", out], env=env, check=False)
        if result.returncode != 0:
            fail(f"ci/pr-gate.sh on HEAD~1..HEAD: exit {result.returncode}\n{result.stderr[-4000:]}")
        comment = check_outputs(out, files, "passed", "### Allocations: optimized, base `")
        comparison = json.load(open(os.path.join(out, "comparison", "comparison-optimized.json")))
        if not base.startswith(comparison["base"]["git_commit"][:7]):
            fail(f"the comparison's base is {comparison['base']['git_commit']}, not HEAD~1 {base}")
        expect_in(comment, "**Against the base, `optimized`**", "the comment")
        if not os.path.isdir(os.path.join(out, "comparison-report")):
            fail("no comparison report")
        post(src, env, out, server, "created")
        post(src, env, out, server, "updated")
        print(f"pr_workflow_e2e: ci/pr-gate.sh took {time.monotonic() - started:.0f} s")
    finally:
        server.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("src")
    parser.add_argument("bin_dir")
    parser.add_argument("work")
    parser.add_argument("--results")
    parser.add_argument("--history", action="store_true")
    parser.add_argument("--scenarios", default="update-500 select-1000")
    args = parser.parse_args()
    if bool(args.results) == args.history:
        sys.exit("pr_workflow_e2e: give --results DIR or --history")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    if args.history:
        from_history(args.src, args.work, args.scenarios)
    else:
        from_results(args.src, args.bin_dir, args.work, args.results)
    print("pr_workflow_e2e: ok")


if __name__ == "__main__":
    main()
