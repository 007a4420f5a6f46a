#!/usr/bin/python3
"""Prints the waterfall table (original scenarios x engine variants) in Markdown.

Reads results-<variant>.json files written by `memharness run` (docs/results_schema.md)
and prints, per scenario, each variant's total bytes and bytes per operation, its
change against the baseline, and the target verdict.

    scripts/waterfall_table.py results/waterfall/results-*.json
"""
import json
import sys

ORDER = ["baseline", "plus-buffers", "plus-writes", "optimized"]
SCENARIOS = ["update-500", "select-1000", "insert-1000"]


def load(paths):
    by_variant = {}
    for path in paths:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"waterfall_table: {path}: {e}")
        if doc.get("schema_version") != 1:
            sys.exit(f"waterfall_table: {path}: schema_version {doc.get('schema_version')!r}, expected 1")
        by_variant[doc["run"]["variant"]] = {s["name"]: s for s in doc["scenarios"]}
    return by_variant


def main(paths):
    if not paths:
        sys.exit("usage: waterfall_table.py RESULTS.json...")
    by_variant = load(paths)
    variants = [v for v in ORDER if v in by_variant] + sorted(set(by_variant) - set(ORDER))
    print("| scenario | variant | bytes | bytes/op | vs baseline | target | verdict |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name in SCENARIOS:
        base = by_variant.get("baseline", {}).get(name)
        for variant in variants:
            s = by_variant[variant].get(name)
            if s is None:
                continue
            total = s["totals"]["bytes"]
            change = f"{100.0 * (total - base['totals']['bytes']) / base['totals']['bytes']:+.1f} %" if base else ""
            verdict = "met" if s["met_target"] else "over"
            print(f"| {name} | {variant} | {total:,} | {total / s['ops']:,.0f} | {change} | "
                  f"{s['target_bytes']:,} | {verdict} |")


if __name__ == "__main__":
    main(sys.argv[1:])
