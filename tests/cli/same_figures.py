#!/usr/bin/env python3
"""Checks that two results documents hold the same allocation figures.

    same_figures.py A.json B.json

Every scenario of A must be in B with equal ops, threads, verdict, totals, ranges and
per-operation distributions: every figure that repeats to the byte
(docs/results_schema.md, "Repeats"). Left out: time, and the peak, which depends on
how the writer thread's short-lived buffers overlap the client's (valgrind runs
threads one at a time, so its peaks differ from a plain run's as two plain runs' may).
Exit 0 and one line when they agree; exit 1 naming the first figure that differs.
"""
import json
import sys

FIGURES = ("ops", "threads", "verdict", "totals", "range", "per_op")


def flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, value


def main(a_path, b_path):
    a, b = (json.load(open(p)) for p in (a_path, b_path))
    b_scenarios = {s["name"]: s for s in b["scenarios"]}
    compared = 0
    for s in a["scenarios"]:
        other = b_scenarios.get(s["name"])
        if other is None:
            sys.exit(f"same_figures: {b_path} has no scenario {s['name']}")
        for key in FIGURES:
            mine, theirs = dict(flatten(s[key], key)), dict(flatten(other[key], key))
            for name in sorted(set(mine) | set(theirs)):
                if "peak_live_bytes" in name:
                    continue
                if mine.get(name) != theirs.get(name):
                    sys.exit(f"same_figures: {s['name']} {name}: {mine.get(name)} in {a_path}, "
                             f"{theirs.get(name)} in {b_path}")
                compared += 1
    if compared == 0:
        sys.exit(f"same_figures: {a_path} holds no scenario")
    print(f"same_figures: {compared} figures of {len(a['scenarios'])} scenarios agree")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
