"""Reading the logs of `.ci/run` (scripts/record-ci-run.sh) and of scripts/run.sh
(scripts/example-report.sh) into the records scripts/readme_figures.py renders.

What the CI log gives, line by line (everything else is left alone):
    ci: <step>: N s                          .ci/run, after each step that finished
    <part>: <what> in N s                    scripts/test.sh, after each preset
                                             ("release: built and tested in 238 s")
    N% tests passed, N tests failed out of N ctest's totals
    Total Test time (real) = N sec           ctest's time
    reliability (<knobs>): <counts>          the reliability suites (scripts/test.sh)
    gate: N passed, N failed                 memharness gate (scripts/gate.sh)
    fuzz: <target>: N executions in N s, corpus N inputs, <verdict>   scripts/fuzz.sh
A test.sh part gets the ctest totals and reliability lines printed before its line; a
step gets its parts and whatever else was printed before its `ci:` line. What a step
that did not finish printed is kept under "unfinished".

What the run.sh log gives: its `run: <step>: N s` lines.
"""
import re

from .variants import by_knobs

STEP = re.compile(r"^ci: (?P<step>.+): (?P<seconds>\d+) s$")
PART = re.compile(r"^(?P<name>[a-z][a-z0-9_-]*): (?P<what>[^:]+?) in (?P<seconds>\d+) s$")
CTEST = re.compile(r"^\s*(?P<percent>\d+)% tests passed, (?P<failed>\d+) tests? failed out of (?P<total>\d+)$")
CTEST_TIME = re.compile(r"^Total Test time \(real\) = +(?P<seconds>[0-9.]+) sec$")
RELIABILITY = re.compile(r"^reliability \((?P<knobs>[^)]*)\): (?P<text>.*)$")
GATE = re.compile(r"^gate: (?P<passed>\d+) passed, (?P<failed>\d+) failed$")
FUZZ = re.compile(r"^fuzz: (?P<target>[^:\s]+): (?P<executions>\d+|\?) executions in (?P<seconds>\d+) s, "
                  r"corpus (?P<corpus>\d+) inputs, (?P<verdict>.*)$")
NOT_PARTS = {"ci", "fuzz", "gate", "reliability"}


def _empty():
    return {"ctest": [], "reliability": [], "gate": [], "fuzz": []}


def _has_any(found):
    return any(found[key] for key in found)


def parse_ci(lines):
    """The log's lines -> {"steps": [...], "unfinished": {...} or None}."""
    steps = []
    parts = []  # test.sh parts of the step under way
    found = _empty()  # lines since the last part or step line
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = STEP.match(line)
        if m:
            steps.append({"step": m["step"], "seconds": int(m["seconds"]), "parts": parts, **found})
            parts, found = [], _empty()
            continue
        m = PART.match(line)
        if m and m["name"] not in NOT_PARTS:
            parts.append({"name": m["name"], "what": m["what"], "seconds": int(m["seconds"]),
                          "ctest": found["ctest"], "reliability": found["reliability"]})
            found["ctest"], found["reliability"] = [], []
            continue
        m = CTEST.match(line)
        if m:
            total, failed = int(m["total"]), int(m["failed"])
            found["ctest"].append({"passed": total - failed, "failed": failed, "total": total, "seconds": None})
            continue
        m = CTEST_TIME.match(line)
        if m and found["ctest"]:
            found["ctest"][-1]["seconds"] = float(m["seconds"])
            continue
        m = RELIABILITY.match(line)
        if m:
            knobs = m["knobs"].split()
            variant = by_knobs(*knobs) if len(knobs) == 3 else None
            found["reliability"].append({"knobs": m["knobs"], "variant": variant or "custom",
                                         "text": m["text"].strip()})
            continue
        m = GATE.match(line)
        if m:
            found["gate"].append({"passed": int(m["passed"]), "failed": int(m["failed"])})
            continue
        m = FUZZ.match(line)
        if m:
            found["fuzz"].append({"target": m["target"], "seconds": int(m["seconds"]),
                                  "executions": None if m["executions"] == "?" else int(m["executions"]),
                                  "corpus": int(m["corpus"]), "verdict": m["verdict"]})
    unfinished = None
    if parts or _has_any(found):
        unfinished = {"parts": parts, **found}
    return {"steps": steps, "unfinished": unfinished}



RUN_STEP = re.compile(r"^run: (?P<step>.+): (?P<seconds>\d+) s$")


def parse_run(lines):
    """scripts/run.sh's log -> [{"step", "seconds"}], in order."""
    steps = []
    for raw in lines:
        m = RUN_STEP.match(raw.rstrip("\r\n"))
        if m:
            steps.append({"step": m["step"], "seconds": int(m["seconds"])})
    return steps
