#!/usr/bin/python3
"""Prints the waterfall table (original scenarios x engine variants) in Markdown.

Reads results-<variant>.json files written by `memharness run` (docs/results_schema.md)
and prints, per scenario, each variant's total bytes and bytes per operation, its
change against the baseline, and the target verdict.

    scripts/waterfall_table.py results/waterfall/results-*.json
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memh_report.inputs import ORIGINALS, ReportError, load_results, order_variants  # noqa: E402


def main(paths):
    if not paths:
        sys.exit("usage: waterfall_table.py RESULTS.json...")
    try:
        results = order_variants([load_results(p) for p in paths])
    except ReportError as e:
        sys.exit(f"waterfall_table: {e}")
    by_variant = {r.variant: r.scenarios for r in results}
    variants = [r.variant for r in results]
    print("| scenario | variant | bytes | bytes/op | vs baseline | target | verdict |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name in ORIGINALS:
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
