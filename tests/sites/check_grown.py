"""The checks of grown_site.sh: memh::engine::ValidateBlockName, where the patched copy
allocates 4,096 bytes per call, is the top grown site (new, +4,096 bytes a call) in
`compare`'s table and --json, in the gate's output, JUnit failure text and Markdown,
and in the report (the differential graph's boxes, the site-delta table); and the
gate's whole output stays short."""
import os
import json
import re
import sys
from xml.etree import ElementTree

FUNCTION = "memh::engine::ValidateBlockName"


def fail(message):
    print(f"grown_site: {message}")
    sys.exit(1)


def main(out, source_dir):
    comparison = json.load(open(f"{out}/comparison.json"))
    sites = {s["scenario"]: s for s in comparison["sites"]}
    if not sites.get("update-500", {}).get("available"):
        fail("compare --json has no sites for update-500")
    top = sites["update-500"]["grew"][0]
    if top["function"] != FUNCTION or not top["new"] or top["role"] != "client":
        fail(f"compare --json: top grown site is {top['function']} (new: {top['new']}), expected new {FUNCTION}")
    calls = top["calls_change"]
    if calls <= 0 or top["bytes_change"] != 4096 * calls:
        fail(f"compare --json: {top['bytes_change']} bytes in {calls} calls, expected 4096 bytes a call")
    line = f"+{4096 * calls} B, +{calls} calls: {FUNCTION} <- "

    table = open(f"{out}/compare.txt").read()
    grew = re.findall(r"^update-500: sites.*\n  grew    (.*)$", table, re.M)
    if not grew or not grew[0].startswith(line):
        fail(f"compare: first grown site of update-500 is {grew[:1]}, expected '{line}...'")

    gate = open(f"{out}/gate.txt").read()
    first_grew = re.search(r"^  grew: (.*)$", gate, re.M)
    if first_grew is None or not first_grew.group(1).startswith(line):
        fail(f"gate: first grown site is {first_grew and first_grew.group(1)!r}, expected '{line}...'")
    if len(gate.splitlines()) > 20:
        fail(f"gate: {len(gate.splitlines())} lines of output for one scenario, expected at most 20")
    failure = ElementTree.parse(f"{out}/gate.xml").getroot().find("testcase/failure")
    if failure is None or f"grew: {line}" not in (failure.text or ""):
        fail(f"gate --junit: the failure text does not name '{line}'")
    if f"grew: {line}" not in open(f"{out}/gate.md").read():
        fail(f"gate --markdown does not name '{line}'")
    # The report: the differential graph is drawn from these boxes (flame.differential);
    # the innermost box that grew most must be the function's, and the figure written.
    sys.path.insert(0, os.path.join(source_dir, "scripts"))
    from memh_report import flame
    entry = sites["update-500"]
    nodes = flame._tree(((d["role"],) + tuple(reversed(d["frames"])), [d["base_bytes"], d["head_bytes"]])
                        for d in entry["all"])
    leaves = [(n[1] - n[0], p[-1]) for p, n in nodes.items() if len(p) > 1 and not any(
        q[:-1] == p for q in nodes)]
    growth, leaf = max(leaves)
    if leaf != FUNCTION:
        fail(f"report: the differential graph's most grown box is {leaf} (+{growth}), expected {FUNCTION}")
    for ext in ("svg", "png"):
        if not os.path.exists(f"{out}/report/figures/comparison_sites.{ext}"):
            fail(f"report: no figures/comparison_sites.{ext}")
    report = open(f"{out}/report/report.md").read()
    first = re.search(r"^\| update-500 \| \*?\*?grew\*?\*? \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$", report, re.M)
    if first is None or not first.group(3).strip().startswith(FUNCTION):
        fail(f"report: the site-delta table's first grown site of update-500 is "
             f"{first and first.group(3).strip()!r}, expected {FUNCTION}")
    print(f"grown_site: ok: {line}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
