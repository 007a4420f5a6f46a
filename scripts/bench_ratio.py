#!/usr/bin/python3
"""Prints, per benchmark, how many times faster the optimized engine is than the baseline.

Reads the Google Benchmark JSON files (--benchmark_out, --benchmark_out_format=json)
that scripts/bench.sh writes, any number per side: every repetition of every file
counts (aggregate rows such as _mean or _median are skipped, so files written with
--benchmark_repetitions work too). Per benchmark it takes the median real time of
each side and prints baseline / optimized (above 1: the optimized engine is faster),
beside the median bytes and allocation calls per operation (the bytes_per_op and
allocs_per_op counters, which cover every timed iteration).

    scripts/bench_ratio.py --baseline results/bench/baseline-r*.json \\
                           --optimized results/bench/optimized-r*.json [--json FILE]

--json also writes the table as JSON for scripts/report.py --bench.

Exits 2 on unusable input: an unreadable file, a file that is not benchmark JSON, a
side without benchmarks, or a benchmark that reported an error.
"""
import argparse
import json
import math
import statistics
import sys

NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class InputError(Exception):
    pass


def load(paths):
    """{benchmark name: {"ns": [...], "bytes": [...], "allocs": [...]}} over every file, in first-seen order."""
    runs = {}
    variants = set()
    for path in paths:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f"{path}: {e}")
        if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
            raise InputError(f"{path}: no \"benchmarks\" list: not Google Benchmark JSON")
        variants.add(doc.get("context", {}).get("memh_variant", "?"))
        for row in doc["benchmarks"]:
            if row.get("run_type", "iteration") != "iteration":
                continue
            name = row["name"]
            if row.get("error_occurred"):
                raise InputError(f"{path}: {name}: {row.get('error_message', 'error')}")
            unit = row.get("time_unit", "ns")
            if unit not in NS_PER_UNIT:
                raise InputError(f"{path}: {name}: unknown time unit {unit!r}")
            r = runs.setdefault(name, {"ns": [], "bytes": [], "allocs": []})
            r["ns"].append(row["real_time"] * NS_PER_UNIT[unit])
            if "bytes_per_op" in row:
                r["bytes"].append(row["bytes_per_op"])
            if "allocs_per_op" in row:
                r["allocs"].append(row["allocs_per_op"])
    if not runs:
        raise InputError(f"no benchmarks in {', '.join(paths)}")
    return runs, variants


def median(values):
    return statistics.median(values) if values else None


def format_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_count(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def compare(baseline, optimized):
    """Rows (name, base ns, opt ns, ratio, base bytes, opt bytes, base allocs, opt allocs, runs)."""
    rows = []
    for name, base in baseline.items():
        opt = optimized.get(name)
        if opt is None:
            continue
        base_ns, opt_ns = median(base["ns"]), median(opt["ns"])
        rows.append((name, base_ns, opt_ns, base_ns / opt_ns if opt_ns > 0 else math.inf,
                     median(base["bytes"]), median(opt["bytes"]),
                     median(base["allocs"]), median(opt["allocs"]),
                     f"{len(base['ns'])}/{len(opt['ns'])}"))
    return rows


def render(rows):
    header = ("benchmark", "baseline", "optimized", "ratio", "bytes/op base", "bytes/op opt",
              "allocs/op base", "allocs/op opt", "runs")
    table = [header]
    for name, base_ns, opt_ns, ratio, bb, ob, ba, oa, runs in rows:
        table.append((name, format_time(base_ns), format_time(opt_ns), f"{ratio:.2f}x",
                      format_count(bb), format_count(ob), format_count(ba), format_count(oa), runs))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    ratios = [row[3] for row in rows if 0 < row[3] < math.inf]
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        lines.append(f"geometric mean of the ratios: {geomean:.2f}x over {len(ratios)} benchmarks "
                     "(ratio = baseline / optimized median real time; above 1 = optimized faster)")
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", nargs="+", required=True, metavar="JSON")
    parser.add_argument("--optimized", nargs="+", required=True, metavar="JSON")
    parser.add_argument("--json", help="also write the rows here (for scripts/report.py --bench)")
    args = parser.parse_args(argv)
    try:
        baseline, base_variants = load(args.baseline)
        optimized, opt_variants = load(args.optimized)
    except InputError as e:
        print(f"bench_ratio: {e}", file=sys.stderr)
        return 2
    for side, variants in (("--baseline", base_variants), ("--optimized", opt_variants)):
        if len(variants) > 1:
            print(f"bench_ratio: warning: {side} files come from several variants: {', '.join(sorted(variants))}",
                  file=sys.stderr)
    rows = compare(baseline, optimized)
    for name in baseline.keys() - optimized.keys():
        print(f"bench_ratio: warning: {name} only in the baseline files", file=sys.stderr)
    for name in optimized.keys() - baseline.keys():
        print(f"bench_ratio: warning: {name} only in the optimized files", file=sys.stderr)
    if not rows:
        print("bench_ratio: no benchmark is in both sides' files", file=sys.stderr)
        return 2
    print(f"{'/'.join(sorted(base_variants))} vs {'/'.join(sorted(opt_variants))}, medians:")
    print(render(rows))
    if args.json:
        keys = ("name", "baseline_ns", "optimized_ns", "ratio", "baseline_bytes_per_op", "optimized_bytes_per_op",
                "baseline_allocs_per_op", "optimized_allocs_per_op", "runs")
        doc = {"kind": "memharness bench ratio", "rows": [
            {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in zip(keys, row)} for row in rows]}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
