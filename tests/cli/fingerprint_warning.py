#!/usr/bin/env python3
"""The fingerprint warning (harness/runner/fingerprint.h), end to end: from a real results
file, a copy whose run was measured with another compiler and allocator version. compare
and gate --base must print exactly one warning line naming both items, in the fixed
item order, and nothing for the same results on both sides.

usage: fingerprint_warning.py MEMHARNESS RESULTS.json WORK_DIR"""
import json
import os
import subprocess
import sys


def run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    return done.stdout + done.stderr


def main(memharness, results, work):
    os.makedirs(work, exist_ok=True)
    with open(results, encoding="utf-8") as f:
        doc = json.load(f)
    fingerprint = dict(doc["run"].get("fingerprint") or {})  # a copy: the head's is changed below
    if not fingerprint.get("compiler"):
        print(f"fingerprint_warning: {results}: no run.fingerprint with a compiler")
        return 1
    base = os.path.join(work, "base.json")
    head = os.path.join(work, "head.json")
    with open(base, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    doc["run"]["fingerprint"]["compiler"] = "g++ 99.1"
    doc["run"]["fingerprint"]["allocator_version"] = "9.9.9"
    with open(head, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    scenario = doc["scenarios"][0]["name"]
    budgets = os.path.join(work, "budgets.toml")
    with open(budgets, "w", encoding="utf-8") as f:
        f.write(f"[{scenario}.{doc['run']['variant']}]\nbytes = 1_000_000_000_000\n")

    expected = (f"warning: base and head differ in what can move the figures without a code change: "
                f"compiler ({fingerprint['compiler']} vs g++ 99.1); allocator_version ("
                f"{fingerprint['allocator_version']} vs 9.9.9)")
    problems = []
    for what, output in (("compare", run([memharness, "compare", base, head])),
                         ("gate --base", run([memharness, "gate", head, "--budgets", budgets, "--base", base]))):
        warnings = [line for line in output.splitlines() if line.startswith("warning: base and head")]
        if len(warnings) != 1 or not warnings[0].startswith(expected):
            problems.append(f"{what}: expected one line starting {expected!r}, got {warnings!r}")
    for what, output in (("compare", run([memharness, "compare", base, base])),
                         ("gate --base", run([memharness, "gate", base, "--budgets", budgets, "--base", base]))):
        if "warning: base and head" in output:
            problems.append(f"{what} of the same results warned: {output.splitlines()[0]!r}")
    for p in problems:
        print(f"fingerprint_warning: {p}")
    if not problems:
        print("fingerprint_warning: one line naming compiler and allocator_version from compare and gate --base; "
              "none for the same results")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
