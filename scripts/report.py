#!/usr/bin/python3
"""Writes memharness's review report: Markdown + a self-contained HTML file + plots.

    scripts/report.py RESULTS.json... [--gate GATE.json] [--comparison CMP.json]...
                      [--bench RATIO.json] [--heaptrack HEAPTRACK.json]... [--out DIR] [--title TEXT]

RESULTS are results-<variant>.json files from `memharness run` (samples-<variant>.csv
beside them add the per-operation plot); GATE is `memharness gate --json` output;
CMP is `memharness compare --json` output (one or more); RATIO is what scripts/bench.sh
writes (results/bench/ratio.json; with --with-sqlite its "sqlite" section adds a table of
baseline, optimized and SQLite and a plot by store size); HEAPTRACK what scripts/heaptrack.sh writes. The report goes to DIR (default
reports/<run-id>/): report.md, report.html, figures/*.png and *.svg.
Run with /usr/bin/python3 (Debian's, which has matplotlib). Exit 2 on unusable input.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memh_report import html, markdown  # noqa: E402
from memh_report.build import build  # noqa: E402
from memh_report.inputs import (ReportError, check_one_per_variant, header_bytes, load_bench,  # noqa: E402
                                load_comparison, load_gate, load_heaptrack, load_results, order_variants, run_id,
                                scenario_targets)


def main(argv):
    parser = argparse.ArgumentParser(prog="report.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="*", help="results-<variant>.json files")
    parser.add_argument("--gate", help="`memharness gate --json` output")
    parser.add_argument("--comparison", action="append", default=[],
                        help="`memharness compare --json` output (repeatable)")
    parser.add_argument("--bench", help="scripts/bench_ratio.py --json output (the timing table)")
    parser.add_argument("--heaptrack", action="append", default=[],
                        help="scripts/heaptrack.sh's heaptrack.json (repeatable)")
    parser.add_argument("--out", help="report directory (default reports/<run-id>)")
    parser.add_argument("--title", default="memharness allocation report")
    args = parser.parse_args(argv)
    if not args.results and not args.comparison:
        parser.error("give RESULTS.json files, --comparison, or both")
    try:
        results = order_variants([load_results(p) for p in args.results])
        check_one_per_variant(results)
        scenario_targets(results)  # the files agree on every scenario's target
        header_bytes(results)  # and on the meter's header size
        gate = load_gate(args.gate) if args.gate else None
        comparisons = [load_comparison(p) for p in args.comparison]
        bench = load_bench(args.bench) if args.bench else None
        heaptracks = [load_heaptrack(p) for p in args.heaptrack]
    except ReportError as e:
        print(f"report.py: {e}", file=sys.stderr)
        return 2
    if results:
        rid = run_id(results)
    else:
        first = comparisons[0]
        rid = f"compare-{first['base'].get('git_commit', '')[:7]}-{first['head'].get('git_commit', '')[:7]}"
    out = args.out or os.path.join("reports", rid)
    os.makedirs(out, exist_ok=True)
    report = build(results, out, rid, args.title, gate, comparisons, bench, heaptracks)
    with open(os.path.join(out, "report.md"), "w", encoding="utf-8") as f:
        f.write(markdown.render(report))
    with open(os.path.join(out, "report.html"), "w", encoding="utf-8") as f:
        f.write(html.render(report, out))
    print(f"report: {os.path.join(out, 'report.html')} (and report.md, figures/)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
