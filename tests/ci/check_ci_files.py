#!/usr/bin/env python3
"""Checks the CI files of docs/ci_services.md.

    check_ci_files.py SOURCE_DIR VALIDATOR_DIR WORK_DIR

1. .github/workflows/allocation-gate.yml is valid against GitHub's workflow schema
   (SchemaStore's, carried by @action-validator/cli, which ci/install-validators.sh
   installs from npm into VALIDATOR_DIR), and broken copies of it are not (a misspelt
   job key, an unknown event): the validator can fail.
2. Its steps: on pull_request, a full checkout, the permissions the comment and the
   JUnit need, every `run:` step's script exists and is executable, the steps after the
   gate run `if: always()`, and the paths the steps read are those ci/pr-gate.sh writes.
3. ci/gitlab-ci.yml (no offline GitLab validator runs on this Node: checked with a YAML
   parser): the job runs on merge requests with the full history, calls the same
   script, keeps its artifacts when it fails, and its JUnit report and Markdown are
   the files ci/pr-gate.sh writes; a broken copy (no JUnit report) fails the check.

Exit 0 and "check_ci_files: ok"; 1 naming the first problem; 77 (a skip) when the
validator cannot be installed (offline).
"""
import os
import re
import subprocess
import sys

import yaml

OUT = "reports/pr-gate"  # what the workflow passes to ci/pr-gate.sh --out
JUNIT = f"{OUT}/gate/gate.xml"
COMMENT = f"{OUT}/comment.md"


def fail(message):
    sys.exit(f"check_ci_files: {message}")


def validate(validator, path):
    result = subprocess.run([validator, path], capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def load(path):
    with open(path) as f:
        # PyYAML reads the key `on` as True (YAML 1.1); name it back.
        doc = yaml.safe_load(f)
    if isinstance(doc, dict) and True in doc:
        doc["on"] = doc.pop(True)
    return doc


def check_github(src, validator, work):
    path = os.path.join(src, ".github/workflows/allocation-gate.yml")
    code, output = validate(validator, path)
    if code != 0:
        fail(f"{path} is not valid against the workflow schema:\n{output}")
    text = open(path).read()
    broken = {
        "runs-on misspelt": text.replace("runs-on:", "runs-onn:", 1),
        "unknown event": text.replace("  pull_request:\n", "  pull_requestt:\n", 1),
    }
    for what, copy in broken.items():
        if copy == text:
            fail(f"cannot make the broken copy ({what}): the workflow changed shape")
        broken_path = os.path.join(work, "broken-" + re.sub(r"\W+", "-", what) + ".yml")
        with open(broken_path, "w") as f:
            f.write(copy)
        code, output = validate(validator, broken_path)
        if code == 0:
            fail(f"the validator accepted a broken workflow ({what}): {broken_path}")

    doc = load(path)
    if "pull_request" not in (doc["on"] if isinstance(doc["on"], (dict, list)) else [doc["on"]]):
        fail("the workflow does not run on pull_request")
    permissions = doc.get("permissions", {})
    for scope, level in (("contents", "read"), ("pull-requests", "write"), ("checks", "write")):
        if permissions.get(scope) != level:
            fail(f"permissions.{scope} is not {level}")
    (job,) = doc["jobs"].values()
    steps = job["steps"]
    checkout = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    if not checkout or checkout[0].get("with", {}).get("fetch-depth") != 0:
        fail("no checkout with fetch-depth 0 (the base commit is needed)")
    gate_index = None
    for i, step in enumerate(steps):
        run = step.get("run")
        if run is None:
            continue
        first = run.split()[0]
        if first.startswith(("ci/", "scripts/")):
            script = os.path.join(src, first)
            if not os.access(script, os.X_OK):
                fail(f"step '{step.get('name')}' runs {first}, which is not an executable file of the repository")
        if first == "ci/pr-gate.sh":
            gate_index = i
            if f"--out {OUT}" not in run:
                fail(f"the gate step does not write to {OUT}")
    if gate_index is None:
        fail("no step runs ci/pr-gate.sh")
    for step in steps[gate_index + 1:]:
        if not str(step.get("if", "")).startswith("always()"):
            fail(f"step '{step.get('name')}' after the gate does not run when the gate fails (if: always())")
    uses = {str(s.get("uses", "")).split("@")[0]: s for s in steps if "uses" in s}
    if "actions/upload-artifact" not in uses or "reports/" not in uses["actions/upload-artifact"]["with"]["path"]:
        fail("no upload of reports/")
    junit = [s for s in steps if "junit" in str(s.get("uses", "")).lower()]
    if not junit or junit[0]["with"].get("report_paths") != JUNIT:
        fail(f"the JUnit published is not {JUNIT}")
    comment = [s for s in steps if str(s.get("run", "")).startswith("ci/pr-comment.py")]
    if not comment or COMMENT not in comment[0]["run"] or "GITHUB_TOKEN" not in comment[0].get("env", {}):
        fail(f"no comment step posting {COMMENT} with GITHUB_TOKEN")


def gitlab_problem(doc):
    """The first thing the GitLab job lacks, or None."""
    if not isinstance(doc, dict) or "allocation-gate" not in doc:
        return "no job allocation-gate"
    job = doc["allocation-gate"]
    rules = job.get("rules", [])
    if not any("merge_request_event" in str(r.get("if", "")) for r in rules):
        return "the job does not run on merge requests"
    if str(job.get("variables", {}).get("GIT_DEPTH")) != "0":
        return "GIT_DEPTH is not 0 (the base commit is needed)"
    if not any(str(line).startswith("ci/pr-gate.sh") and f"--out {OUT}" in str(line) for line in job.get("script", [])):
        return f"the script does not run ci/pr-gate.sh --out {OUT}"
    artifacts = job.get("artifacts", {})
    if artifacts.get("when") != "always":
        return "artifacts are not kept when the gate fails (when: always)"
    if artifacts.get("reports", {}).get("junit") != JUNIT:
        return f"artifacts.reports.junit is not {JUNIT}"
    if not any(f"{OUT}/".startswith(p.rstrip("/") + "/") for p in artifacts.get("paths", [])):
        return f"the artifacts do not hold {OUT}/ (the Markdown and the reports)"
    known = {"image", "rules", "variables", "timeout", "before_script", "script", "artifacts", "stage", "tags"}
    unknown = set(job) - known
    if unknown:
        return f"unknown job keys: {sorted(unknown)}"
    return None


def check_gitlab(src):
    path = os.path.join(src, "ci/gitlab-ci.yml")
    doc = load(path)
    problem = gitlab_problem(doc)
    if problem:
        fail(f"{path}: {problem}")
    for line in doc["allocation-gate"]["before_script"] + doc["allocation-gate"]["script"]:
        script = os.path.join(src, str(line).split()[0])
        if not os.access(script, os.X_OK):
            fail(f"{path}: {line.split()[0]} is not an executable file of the repository")
    broken = load(path)
    del broken["allocation-gate"]["artifacts"]["reports"]
    if gitlab_problem(broken) is None:
        fail("the GitLab check accepted a job without its JUnit report")


def main(src, validator_dir, work):
    os.makedirs(work, exist_ok=True)
    installed = subprocess.run([os.path.join(src, "ci/install-validators.sh"), validator_dir],
                               capture_output=True, text=True, timeout=300)
    if installed.returncode != 0:
        print(f"check_ci_files: SKIPPED: {installed.stderr.strip()}")
        sys.exit(77)
    validator = installed.stdout.strip().splitlines()[-1]
    check_github(src, validator, work)
    check_gitlab(src)
    print("check_ci_files: ok (the workflow is valid against the schema, broken copies are not; GitLab job complete)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
