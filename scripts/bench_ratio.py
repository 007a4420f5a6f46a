#!/usr/bin/python3
"""Prints, per benchmark, how many times faster the optimized engine is than the baseline,
and what the allocation meter's hooks add to each benchmark's time.

Reads the Google Benchmark JSON files (--benchmark_out, --benchmark_out_format=json)
that scripts/bench.sh writes, any number per side: every repetition of every file
counts (aggregate rows such as _mean or _median are skipped, so files written with
--benchmark_repetitions work too).

  --baseline / --optimized                  the timing builds' files (memh_bench-<variant>:
                                            jemalloc with nothing hooked). Their median
                                            real times give the headline: baseline /
                                            optimized (above 1: the optimized engine is
                                            faster).
  --baseline-metered / --optimized-metered  the metered builds' files
                                            (memh_bench_metered-<variant>: the meter's
                                            hooks in every allocation). They give bytes
                                            and allocation calls per operation (the
                                            bytes_per_op and allocs_per_op counters,
                                            which cover every timed iteration), and
                                            their times against the timing builds' give
                                            the meter's cost: metered / unhooked median
                                            time and the difference, per benchmark and
                                            variant.

Without the metered files the memory columns come from the timing files' counters if
they have them (files of an older, metered-only build) and there is no meter table.

    scripts/bench_ratio.py --baseline results/bench/baseline-r*.json \\
                           --optimized results/bench/optimized-r*.json \\
                           --baseline-metered results/bench/baseline-metered-r*.json \\
                           --optimized-metered results/bench/optimized-metered-r*.json [--json FILE]

  --sqlite / --sqlite-metered               optional: the SQLite target's files
                                            (memh_bench-sqlite, memh_bench_metered-sqlite:
                                            the same benchmarks over SQLite,
                                            docs/sqlite_target.md). Adds a table per
                                            benchmark of baseline, optimized and SQLite
                                            times with both ratios, baseline / optimized
                                            and sqlite / optimized (above 1: the
                                            optimized engine is faster than SQLite), and
                                            the optimized engine's and SQLite's bytes and
                                            calls per operation.

--json also writes the tables as JSON for scripts/report.py --bench: "rows" (the
headline table), "timed_by" and "memory_by" (which binaries the times and the memory
figures came from), "meter_overhead" (one entry per benchmark and variant) and
"geomean"; with --sqlite also "sqlite" ("rows", "timed_by", "memory_by", "geomean"),
the other keys unchanged.

Exits 2 on unusable input: an unreadable file, a file that is not benchmark JSON, a
side without benchmarks, or a benchmark that reported an error.
"""
import argparse
import json
import math
import os
import statistics
import sys

NS_PER_UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
VARIANTS = ("baseline", "optimized")


class InputError(Exception):
    pass


class Side:
    """What one set of files holds: per benchmark name, every run's ns, bytes/op and allocs/op,
    and what the files' contexts say about the program that wrote them."""

    def __init__(self):
        self.runs = {}  # name -> {"ns": [...], "bytes": [...], "allocs": [...]}, in first-seen order
        self.variants = set()
        self.programs = set()  # executable file names
        self.builds = set()  # context memh_build: "timing" | "metered" | "?" (not recorded)
        # index_memory/<size> benchmarks: not timings but the store's memory per block
        # (counter index_bytes_per_block): name -> [value per run]
        self.index_memory = {}


def load(paths):
    side = Side()
    for path in paths:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f"{path}: {e}")
        if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
            raise InputError(f"{path}: no \"benchmarks\" list: not Google Benchmark JSON")
        context = doc.get("context", {})
        side.variants.add(context.get("memh_variant", "?"))
        side.programs.add(os.path.basename(context.get("executable", "?")))
        side.builds.add(context.get("memh_build", "?"))
        for row in doc["benchmarks"]:
            if row.get("run_type", "iteration") != "iteration":
                continue
            name = row["name"]
            if row.get("error_occurred"):
                raise InputError(f"{path}: {name}: {row.get('error_message', 'error')}")
            unit = row.get("time_unit", "ns")
            if unit not in NS_PER_UNIT:
                raise InputError(f"{path}: {name}: unknown time unit {unit!r}")
            if name.startswith("index_memory/"):
                if "index_bytes_per_block" not in row:
                    raise InputError(f"{path}: {name}: no index_bytes_per_block counter")
                side.index_memory.setdefault(name, []).append(row["index_bytes_per_block"])
                continue
            r = side.runs.setdefault(name, {"ns": [], "bytes": [], "allocs": []})
            r["ns"].append(row["real_time"] * NS_PER_UNIT[unit])
            if "bytes_per_op" in row:
                r["bytes"].append(row["bytes_per_op"])
            if "allocs_per_op" in row:
                r["allocs"].append(row["allocs_per_op"])
    if not side.runs:
        raise InputError(f"no benchmarks in {', '.join(paths)}")
    return side


def median(values):
    return statistics.median(values) if values else None


def geomean(values):
    values = [v for v in values if v is not None and 0 < v < math.inf]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def format_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_count(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def describe(side):
    """"memh_bench-baseline (unhooked)": the program(s) of a side and what their times include."""
    what = {"timing": "unhooked", "metered": "metered: times include the meter's hooks"}
    builds = "; ".join(what.get(b, "build not recorded") for b in sorted(side.builds))
    return f"{', '.join(sorted(side.programs))} ({builds})"


def compare(baseline, optimized, baseline_memory=None, optimized_memory=None):
    """Rows (name, base ns, opt ns, ratio, base bytes, opt bytes, base allocs, opt allocs, runs).

    Times come from `baseline` and `optimized`; bytes and allocs from the *_memory sides when
    given (the metered builds), else from the timing sides' own counters."""
    base_mem = baseline_memory.runs if baseline_memory is not None else baseline.runs
    opt_mem = optimized_memory.runs if optimized_memory is not None else optimized.runs
    empty = {"bytes": [], "allocs": []}
    rows = []
    for name, base in baseline.runs.items():
        opt = optimized.runs.get(name)
        if opt is None:
            continue
        base_ns, opt_ns = median(base["ns"]), median(opt["ns"])
        bm, om = base_mem.get(name, empty), opt_mem.get(name, empty)
        rows.append((name, base_ns, opt_ns, base_ns / opt_ns if opt_ns > 0 else math.inf,
                     median(bm["bytes"]), median(om["bytes"]),
                     median(bm["allocs"]), median(om["allocs"]),
                     f"{len(base['ns'])}/{len(opt['ns'])}"))
    return rows


def overhead(variant, timing, metered):
    """The meter's cost per benchmark of one variant: metered / unhooked median time."""
    entries = []
    for name, t in timing.runs.items():
        m = metered.runs.get(name)
        if m is None:
            continue
        unhooked_ns, metered_ns = median(t["ns"]), median(m["ns"])
        entries.append({"benchmark": name, "variant": variant, "unhooked_ns": unhooked_ns, "metered_ns": metered_ns,
                        "ratio": metered_ns / unhooked_ns if unhooked_ns > 0 else None,
                        "extra_ns": metered_ns - unhooked_ns, "runs": f"{len(t['ns'])}/{len(m['ns'])}"})
    return entries


def table(header, body):
    rows = [header] + body
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def render(rows):
    header = ("benchmark", "baseline", "optimized", "ratio", "bytes/op base", "bytes/op opt",
              "calls/op base", "calls/op opt", "runs")
    body = [(name, format_time(base_ns), format_time(opt_ns), f"{ratio:.2f}x",
             format_count(bb), format_count(ob), format_count(ba), format_count(oa), runs)
            for name, base_ns, opt_ns, ratio, bb, ob, ba, oa, runs in rows]
    lines = table(header, body)
    ratios = [row[3] for row in rows if 0 < row[3] < math.inf]
    if ratios:
        lines.append(f"geometric mean of the ratios: {geomean(ratios):.2f}x over {len(ratios)} benchmarks "
                     "(ratio = baseline / optimized median real time; above 1 = optimized faster)")
    return "\n".join(lines)


def render_overhead(entries):
    by_name = {}
    for e in entries:
        by_name.setdefault(e["benchmark"], {})[e["variant"]] = e
    header = ["benchmark"]
    for v in VARIANTS:
        short = "base" if v == "baseline" else "opt"
        header += [f"{short} unhooked", f"{short} metered", f"{short} x", f"{short} extra"]
    body = []
    for name, per_variant in by_name.items():
        cells = [name]
        for v in VARIANTS:
            e = per_variant.get(v)
            if e is None:
                cells += ["-"] * 4
            else:
                cells += [format_time(e["unhooked_ns"]), format_time(e["metered_ns"]),
                          "-" if e["ratio"] is None else f"{e['ratio']:.2f}x",
                          ("+" if e["extra_ns"] >= 0 else "-") + format_time(abs(e["extra_ns"]))]
        body.append(tuple(cells))
    lines = table(tuple(header), body)
    means = [f"{v} {g:.2f}x" for v in VARIANTS
             if (g := geomean([e["ratio"] for e in entries if e["variant"] == v])) is not None]
    if means:
        lines.append("geometric mean of metered / unhooked: " + ", ".join(means) +
                     " (x = metered / unhooked median real time; extra = metered - unhooked)")
    return "\n".join(lines)


def compare_sqlite(baseline, optimized, sqlite, optimized_memory, sqlite_memory):
    """Rows per benchmark in all three timing sides: the three median times, both ratios
    (baseline / optimized, sqlite / optimized) and the optimized engine's and SQLite's
    bytes and calls per operation (from the metered sides when given)."""
    empty = {"bytes": [], "allocs": []}
    opt_mem = (optimized_memory or optimized).runs
    sql_mem = (sqlite_memory or sqlite).runs
    rows = []
    for name, base in baseline.runs.items():
        opt, sql = optimized.runs.get(name), sqlite.runs.get(name)
        if opt is None or sql is None:
            continue
        base_ns, opt_ns, sql_ns = median(base["ns"]), median(opt["ns"]), median(sql["ns"])
        om, sm = opt_mem.get(name, empty), sql_mem.get(name, empty)
        rows.append({"name": name, "baseline_ns": base_ns, "optimized_ns": opt_ns, "sqlite_ns": sql_ns,
                     "ratio": base_ns / opt_ns if opt_ns > 0 else math.inf,
                     "sqlite_ratio": sql_ns / opt_ns if opt_ns > 0 else math.inf,
                     "optimized_bytes_per_op": median(om["bytes"]), "sqlite_bytes_per_op": median(sm["bytes"]),
                     "optimized_allocs_per_op": median(om["allocs"]), "sqlite_allocs_per_op": median(sm["allocs"]),
                     "runs": f"{len(base['ns'])}/{len(opt['ns'])}/{len(sql['ns'])}"})
    return rows


def render_sqlite(rows):
    header = ("benchmark", "baseline", "optimized", "sqlite", "base/opt", "sqlite/opt", "bytes/op opt",
              "bytes/op sqlite", "calls/op opt", "calls/op sqlite", "runs")
    body = [(r["name"], format_time(r["baseline_ns"]), format_time(r["optimized_ns"]), format_time(r["sqlite_ns"]),
             f"{r['ratio']:.2f}x", f"{r['sqlite_ratio']:.2f}x",
             format_count(r["optimized_bytes_per_op"]), format_count(r["sqlite_bytes_per_op"]),
             format_count(r["optimized_allocs_per_op"]), format_count(r["sqlite_allocs_per_op"]), r["runs"])
            for r in rows]
    lines = table(header, body)
    ratios = [r["sqlite_ratio"] for r in rows if 0 < r["sqlite_ratio"] < math.inf]
    if ratios:
        lines.append(f"geometric mean of sqlite / optimized: {geomean(ratios):.2f}x over {len(ratios)} benchmarks "
                     "(above 1 = the optimized engine faster than SQLite)")
    return "\n".join(lines)


def index_memory_rows(sides):
    """Per index_memory benchmark: the median bytes per block of each side that ran it."""
    names = []
    for side in sides.values():
        names += [n for n in side.index_memory if n not in names]
    return [{"name": n, **{label: median(side.index_memory.get(n, [])) for label, side in sides.items()}}
            for n in names]


def render_index_memory(rows, labels):
    body = [[r["name"].split("/iterations")[0]] + [format_count(r[label]) for label in labels] for r in rows]
    return "\n".join(table(["memory to find blocks, bytes per block"] + list(labels), body))


def none_if_inf(value):
    return None if isinstance(value, float) and math.isinf(value) else value


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", nargs="+", required=True, metavar="JSON")
    parser.add_argument("--optimized", nargs="+", required=True, metavar="JSON")
    parser.add_argument("--baseline-metered", nargs="+", metavar="JSON")
    parser.add_argument("--optimized-metered", nargs="+", metavar="JSON")
    parser.add_argument("--sqlite", nargs="+", metavar="JSON")
    parser.add_argument("--sqlite-metered", nargs="+", metavar="JSON")
    parser.add_argument("--json", help="also write the tables here (for scripts/report.py --bench)")
    args = parser.parse_args(argv)
    if (args.baseline_metered is None) != (args.optimized_metered is None):
        print("bench_ratio: give both --baseline-metered and --optimized-metered, or neither", file=sys.stderr)
        return 2
    if args.sqlite_metered is not None and args.sqlite is None:
        print("bench_ratio: --sqlite-metered needs --sqlite (the SQLite timing files)", file=sys.stderr)
        return 2
    try:
        sqlite = load(args.sqlite) if args.sqlite is not None else None
        sqlite_metered = load(args.sqlite_metered) if args.sqlite_metered is not None else None
        timing = {"baseline": load(args.baseline), "optimized": load(args.optimized)}
        metered = None
        if args.baseline_metered is not None:
            metered = {"baseline": load(args.baseline_metered), "optimized": load(args.optimized_metered)}
    except InputError as e:
        print(f"bench_ratio: {e}", file=sys.stderr)
        return 2
    sides = [(f"--{v}", timing[v]) for v in VARIANTS]
    if metered is not None:
        sides += [(f"--{v}-metered", metered[v]) for v in VARIANTS]
    for option, side in sides:
        if len(side.variants) > 1:
            print(f"bench_ratio: warning: {option} files come from several variants: "
                  f"{', '.join(sorted(side.variants))}", file=sys.stderr)
    for v in VARIANTS:
        if "metered" in timing[v].builds:
            print(f"bench_ratio: warning: --{v} files come from a metered build: their times include the meter's hooks",
                  file=sys.stderr)
        if metered is not None and metered[v].builds != {"metered"}:
            print(f"bench_ratio: warning: --{v}-metered files are not (all) from a metered build: "
                  f"{describe(metered[v])}", file=sys.stderr)

    rows = compare(timing["baseline"], timing["optimized"],
                   *((metered["baseline"], metered["optimized"]) if metered is not None else ()))
    for name in timing["baseline"].runs.keys() - timing["optimized"].runs.keys():
        print(f"bench_ratio: warning: {name} only in the baseline files", file=sys.stderr)
    for name in timing["optimized"].runs.keys() - timing["baseline"].runs.keys():
        print(f"bench_ratio: warning: {name} only in the optimized files", file=sys.stderr)
    if not rows:
        print("bench_ratio: no benchmark is in both sides' files", file=sys.stderr)
        return 2
    entries = []
    if metered is not None:
        for v in VARIANTS:
            entries += overhead(v, timing[v], metered[v])
            for name in timing[v].runs.keys() - metered[v].runs.keys():
                print(f"bench_ratio: warning: {name} ({v}) has no metered run", file=sys.stderr)

    timed_by = {v: describe(timing[v]) for v in VARIANTS}
    memory_by = {v: describe((metered or timing)[v]) for v in VARIANTS}
    print(f"times: {timed_by['baseline']} and {timed_by['optimized']}")
    print(f"bytes/op and calls/op: {memory_by['baseline']} and {memory_by['optimized']}")
    print(f"{'/'.join(sorted(timing['baseline'].variants))} vs {'/'.join(sorted(timing['optimized'].variants))}, "
          "medians:")
    print(render(rows))
    metered_ratio = None
    if metered is not None:
        metered_rows = compare(metered["baseline"], metered["optimized"])
        metered_ratio = geomean([r[3] for r in metered_rows])
        if metered_ratio is not None:
            print(f"timed with the meter's hooks instead (the metered builds), the same geometric mean would be "
                  f"{metered_ratio:.2f}x")
        print()
        print("the meter's cost: the same benchmarks timed with the meter's hooks (metered) and without (unhooked), "
              "medians:")
        print(render_overhead(entries))

    sqlite_rows = None
    if sqlite is not None:
        sqlite_rows = compare_sqlite(timing["baseline"], timing["optimized"], sqlite,
                                     metered["optimized"] if metered is not None else None, sqlite_metered)
        print()
        print(f"against SQLite: times: {describe(sqlite)}; bytes/op and calls/op: {describe(sqlite_metered or sqlite)}; "
              "medians:")
        print(render_sqlite(sqlite_rows))
        for name in timing["optimized"].runs.keys() - sqlite.runs.keys():
            print(f"bench_ratio: warning: {name} has no SQLite run", file=sys.stderr)

    memory_sides = {"baseline": timing["baseline"], "optimized": timing["optimized"]}
    if sqlite is not None:
        memory_sides["sqlite"] = sqlite
    memory_rows = index_memory_rows(memory_sides)
    if memory_rows:
        print()
        print("what each store holds in memory to find its blocks (Target::IndexMemoryBytes), per block:")
        print(render_index_memory(memory_rows, list(memory_sides)))

    if args.json:
        keys = ("name", "baseline_ns", "optimized_ns", "ratio", "baseline_bytes_per_op", "optimized_bytes_per_op",
                "baseline_allocs_per_op", "optimized_allocs_per_op", "runs")
        doc = {"kind": "memharness bench ratio",
               "rows": [{k: none_if_inf(v) for k, v in zip(keys, row)} for row in rows],
               "timed_by": timed_by,
               "memory_by": memory_by,
               "meter_overhead": entries,
               "geomean": {"ratio": geomean([r[3] for r in rows]),
                           "ratio_if_metered": metered_ratio,
                           "meter_overhead": {v: geomean([e["ratio"] for e in entries if e["variant"] == v])
                                              for v in VARIANTS}},
               "index_memory": memory_rows}
        if sqlite_rows is not None:
            doc["sqlite"] = {"rows": [{k: none_if_inf(v) for k, v in r.items()} for r in sqlite_rows],
                             "timed_by": describe(sqlite),
                             "memory_by": describe(sqlite_metered or sqlite),
                             "geomean": {"sqlite_ratio": geomean([r["sqlite_ratio"] for r in sqlite_rows])}}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
