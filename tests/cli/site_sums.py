"""Checks that every scenario's call sites sum exactly to its totals.

usage: site_sums.py RESULTS.json [--min-sites N]

For every scenario of a results document (schema 3): the sites' bytes, calls, frees
and bytes_freed equal the totals; the client sites' bytes and calls equal the totals
less the background's, and the background sites' equal background_bytes and
background_calls. Exit 1 with one line per difference, 0 when all hold.
"""
import json
import sys


def main(argv):
    path = argv[1]
    min_sites = int(argv[argv.index("--min-sites") + 1]) if "--min-sites" in argv else 1
    doc = json.load(open(path))
    problems = []
    if doc.get("schema_version") != 3:
        problems.append(f"{path}: schema_version {doc.get('schema_version')!r}, expected 3")
    for s in doc.get("scenarios", []):
        name = s["name"]
        if "sites" not in s:
            problems.append(f"{name}: no sites")
            continue
        sites = s["sites"]["list"]
        totals = s["totals"]
        if len(sites) < min_sites:
            problems.append(f"{name}: {len(sites)} sites, expected at least {min_sites}")
        for key in ("bytes", "calls", "frees", "bytes_freed"):
            got = sum(site[key] for site in sites)
            if got != totals[key]:
                problems.append(f"{name}: sites' {key} sum to {got}, totals.{key} is {totals[key]}")
        for key in ("bytes", "calls"):
            background = sum(site[key] for site in sites if site["role"] == "background")
            client = sum(site[key] for site in sites if site["role"] == "client")
            if background != totals["background_" + key]:
                problems.append(f"{name}: background sites' {key} {background} != background_{key} "
                                f"{totals['background_' + key]}")
            if client != totals[key] - totals["background_" + key]:
                problems.append(f"{name}: client sites' {key} {client} != {totals[key] - totals['background_' + key]}")
        if any(site["key"].startswith("(untracked") for site in sites):
            problems.append(f"{name}: some stacks were untracked (the table was full)")
    for p in problems:
        print(p)
    if not problems:
        print(f"{path}: {len(doc['scenarios'])} scenarios, sites sum to the totals")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
