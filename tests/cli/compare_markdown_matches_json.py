#!/usr/bin/env python3
"""Checks that `memharness compare --markdown` says what its --json says.

    compare_markdown_matches_json.py COMPARISON.md COMPARISON.json

Every row of the Markdown table must be a row of the JSON, in the same order, with the
same base, head, change and percent (formatted as the table prints them) and the same
regression mark; every site change the JSON lists as grown or shrunk must be a line
under its scenario. Exit 0 and one line when they agree; exit 1 naming the first
difference.
"""
import json
import sys


def fail(message):
    sys.exit(f"compare_markdown_matches_json: {message}")


def signed(value):  # site_deltas.cc's Signed: "+5", "0", "-5"
    return f"+{value}" if value > 0 else str(value)


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def main(md_path, json_path):
    doc = json.load(open(json_path))
    lines = open(md_path).read().splitlines()
    header = "| scenario | metric | base | head | change | % | |"
    if header not in lines:
        fail(f"{md_path}: no comparison table header")
    start = lines.index(header) + 2
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(cells(line))
    rows = [r for r in table if not r[1].startswith("(only in")]
    if len(rows) != len(doc["rows"]):
        fail(f"{len(rows)} table rows, {len(doc['rows'])} in the JSON")
    for got, want in zip(rows, doc["rows"]):
        mark = "**REGRESSION (over --fail-over)**" if want["failing"] else "regression" if want["regression"] else ""
        expected = [want["scenario"], want["metric"], f"{want['base']:.0f}", f"{want['head']:.0f}",
                    f"{want['change']:+.0f}", f"{want['percent']:+.1f} %", mark]
        if got != expected:
            fail(f"{want['scenario']} {want['metric']}: Markdown {got}, JSON {expected}")
    only = sorted(r[0] for r in table if r[1].startswith("(only in"))
    if only != sorted(doc["only_in_base"] + doc["only_in_head"]):
        fail(f"scenarios only on one side: Markdown {only}")
    text = "\n".join(lines)
    changes = 0
    for entry in doc["sites"]:
        for kind in ("grew", "shrank"):
            for d in entry.get(kind, []):
                change = f"{signed(d['bytes_change'])} B, {signed(d['calls_change'])} calls: {d['function']}"
                if f"- {kind} `{change}" not in text:
                    fail(f"{entry['scenario']}: site change '{change}' ({kind}) is not in {md_path}")
                changes += 1
    print(f"compare_markdown_matches_json: {len(rows)} rows and {changes} site changes agree")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
