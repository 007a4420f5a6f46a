#!/usr/bin/env python3
"""Checks that the table `memharness run` printed says what its results file says.

    table_matches_json.py TABLE.txt RESULTS.json

Every row of the table must be a scenario of the results, and every column must equal
the document's figure (bytes as the range over the repeats, per-operation means
rounded as the table prints them). Exit 0 and one line when they agree; exit 1 naming
the first column that differs.
"""
import json
import sys

VERDICT_WORDS = {"met": "met", "over": "OVER", "nondeterministic": "NONDETERMINISTIC"}


def expected_row(s):
    ops = max(s["ops"], 1)
    low, high = s["range"]["bytes"]["min"], s["range"]["bytes"]["max"]
    return {
        "variant": s["variant"],
        "ops": str(s["ops"]),
        "bytes": str(high) if low == high else f"{low}..{high}",
        "bytes/op": f"{s['totals']['bytes'] / ops:.0f}",
        "calls/op": f"{s['totals']['calls'] / ops:.1f}",
        "p99 B/op": str(s["per_op"]["bytes"]["p99"]),
        "peak": str(s["totals"]["peak_live_bytes"]),
        "net": str(s["totals"]["net_bytes"]),
        "target": str(s["target_bytes"]),
        "verdict": VERDICT_WORDS[s["verdict"]],
    }


def main(table_path, results_path):
    lines = [line.split() for line in open(table_path) if line.strip()]
    header, rows = lines[0], lines[1:]
    if header[:3] != ["scenario", "variant", "ops"]:
        sys.exit(f"table_matches_json: {table_path}: no run table header")
    scenarios = {s["name"]: s for s in json.load(open(results_path))["scenarios"]}
    columns = ["variant", "ops", "bytes", "bytes/op", "calls/op", "p99 B/op", "peak", "net", "target", "verdict"]
    for row in rows:
        name = row[0]
        if name not in scenarios:
            sys.exit(f"table_matches_json: the table's {name} is not in {results_path}")
        want = expected_row(scenarios.pop(name))
        got = dict(zip(columns, row[1:len(columns) + 1]))
        for column in columns:
            if got.get(column) != want[column]:
                sys.exit(f"table_matches_json: {name} {column}: table {got.get(column)}, results {want[column]}")
    if scenarios:
        sys.exit(f"table_matches_json: not in the table: {', '.join(scenarios)}")
    print(f"table_matches_json: {len(rows)} rows agree")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
