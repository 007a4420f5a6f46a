#!/usr/bin/python3
"""Prints the waterfall table (the original scenarios x every engine variant) in Markdown.

Reads results-<variant>.json files written by `memharness run` (docs/results_schema.md)
and prints, per scenario with the original engine's figure, each variant's total bytes
and bytes per operation, its change against the baseline, the target and the verdict:
the same table the README shows from the committed example run
(scripts/memh_report/readme.py renders both).

    scripts/waterfall_table.py results/waterfall/results-*.json
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memh_report.inputs import ReportError, load_results, order_variants  # noqa: E402
from memh_report.readme import waterfall_table  # noqa: E402


def main(paths):
    if not paths:
        sys.exit("usage: waterfall_table.py RESULTS.json...")
    try:
        print("\n".join(waterfall_table(order_variants([load_results(p) for p in paths]))))
    except ReportError as e:
        sys.exit(f"waterfall_table: {e}")


if __name__ == "__main__":
    main(sys.argv[1:])
