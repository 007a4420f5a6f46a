"""The report's tables, as data both renderers share (markdown.py, html.py).

A Table is a title, column headers, which columns are numbers (right-aligned) and rows
of cells; a cell is text, or a Cell that the renderers emphasise (a failed budget, a
missed target, a regression).
"""
from dataclasses import dataclass, field

from .inputs import figure_range, originals as original_scenarios


@dataclass
class Cell:
    text: str
    alarm: bool = False  # over budget, over target, a regression

    def __str__(self):
        return self.text


@dataclass
class Table:
    title: str
    headers: list
    numeric: set  # indexes of right-aligned columns
    rows: list = field(default_factory=list)
    note: str = ""


def _n(value):
    return f"{value:,.0f}"


def _pct(value):
    return f"{value:+.1f} %"


def metadata(results):
    t = Table("What ran: one results file per variant",
              ["variant", "knobs (buffers, writes, locks)", "commit", "branch", "compiler", "build", "allocator", "cpu",
               "started"], set())
    for r in results:
        run = r.run
        knobs = run.get("knobs", {})
        commit = run.get("git_commit", "?")[:12] + (" (dirty)" if run.get("git_dirty") else "")
        t.rows.append([r.variant, ", ".join(knobs.get(k, "?") for k in ("buffers", "writes", "locks")), commit,
                       run.get("git_branch", "?"), run.get("compiler", "?"), run.get("build_type", "?"),
                       run.get("allocator", "?"), run.get("cpu", "?"), run.get("started_at", "?")])
    return t


def _ranged(scenario, key):
    """A totals figure, or "low – high" when the repeats gave different figures."""
    low, high = figure_range(scenario, key)
    return _n(low) if low == high else f"{_n(low)} – {_n(high)}"


def originals(results):
    """The original work's scenarios (those with the original engine's figure): every
    variant's bytes against the target."""
    t = Table("The original scenarios against their targets",
              ["scenario", "target", "original engine"] + [r.variant for r in results],
              set(range(1, 3 + len(results))),
              note="Requested bytes during the measured operations (1 MB = 1,000,000 bytes), lowest – highest "
                   "when the repeats differed; a figure over the target is marked.")
    for name, target, original in original_scenarios(results):
        row = [name, _n(target), _n(original)]
        for r in results:
            s = r.scenarios.get(name)
            row.append(Cell(_ranged(s, "bytes"), s["verdict"] != "met") if s else "-")
        t.rows.append(row)
    return t


def scenarios(results):
    t = Table("Every scenario", ["scenario", "variant", "ops", "threads", "bytes", "bytes/op", "calls", "peak live",
                                 "per-op p50", "per-op p99", "time p50 (µs)", "time p99 (µs)", "repeats",
                                 "target", "verdict"],
              set(range(2, 14)),
              note="bytes, calls: every thread, measured operations only; lowest – highest over the repeats "
                   "when they differed (bytes/op and per-op: the first repeat). peak live: process-wide, above "
                   "where the operations started. per-op: bytes the operation's own thread requested. repeats: "
                   "runs, and whether they were identical. verdict: met or over the target (the highest bytes "
                   "over the repeats), or nondeterministic: a single-threaded scenario whose bytes, calls or "
                   "frees differed between repeats.")
    names = []
    for r in results:
        names += [n for n in r.scenarios if n not in names]
    for name in names:
        for r in results:
            s = r.scenarios.get(name)
            if s is None:
                continue
            totals, per_op, time = s["totals"], s["per_op"]["bytes"], s.get("time_ns", {})
            repeats = f"{s.get('repeats', 1)}" + ("" if s.get("repeats_identical", True) else " (differed)")
            verdict = s["verdict"]
            t.rows.append([name, r.variant, _n(s["ops"]), str(s.get("threads", 1)), _ranged(s, "bytes"),
                           _n(totals["bytes"] / max(s["ops"], 1)), _ranged(s, "calls"), _ranged(s, "peak_live_bytes"),
                           _n(per_op["p50"]), _n(per_op["p99"]), f"{time.get('p50', 0) / 1000:,.1f}",
                           f"{time.get('p99', 0) / 1000:,.1f}", repeats,
                           Cell(_n(s["target_bytes"]), verdict != "met"), Cell(verdict, verdict != "met")])
    return t


def gate(doc):
    t = Table("Allocation budgets (the CI gate)",
              ["scenario", "variant", "metric", "measured", "budget", "headroom", "verdict"], {3, 4, 5},
              note=f"Budgets from {doc.get('budgets', '?')}.")
    for row in doc["rows"]:
        over = row["measured"] - row["budget"]
        if row["verdict"] == "nondeterministic":
            verdict = Cell("nondeterministic (repeats differed)", True)
        else:
            verdict = Cell(f"over by {over:,}", True) if row["verdict"] == "over" else "ok"
            if row["verdict"] == "under":
                verdict = Cell(f"under its lower bound {row['lower_bound']:,}", True)
            elif row["verdict"] == "loose":
                verdict = "loose (budget more than the margin above the figure)"
        t.rows.append([row["scenario"], row["variant"], row["metric"], _n(row["measured"]), _n(row["budget"]),
                       _pct(row["headroom_percent"]), verdict])
    return t


def comparison(doc):
    base, head = doc["base"], doc["head"]
    fail_over = doc.get("fail_over_percent")
    t = Table(f"{describe(base)} → {describe(head)}",
              ["scenario", "metric", "base", "head", "change", "change %", ""], {2, 3, 4, 5},
              note="A growth is marked; with a --fail-over limit "
                   + (f"({fail_over:g} %) " if fail_over is not None else "(none given) ")
                   + "a growth beyond it fails. A figure that moved between repeats (the peak; any figure of a "
                     "multi-threaded scenario) fails only when head's lowest is over base's highest by more.")
    for row in doc["rows"]:
        mark = Cell("fails", True) if row["failing"] else (Cell("grew", True) if row["regression"] else "")
        t.rows.append([row["scenario"], row["metric"], _n(row["base"]), _n(row["head"]), f"{row['change']:+,.0f}",
                       _pct(row["percent"]), mark])
    for name in doc.get("only_in_base", []):
        t.rows.append([name, "(only in base)", "", "", "", "", ""])
    for name in doc.get("only_in_head", []):
        t.rows.append([name, "(only in head)", "", "", "", "", ""])
    return t


def describe(side):
    """'<variant> @ <short commit>' for one side of a comparison."""
    commit = side.get("git_commit", "")[:7] or "?"
    return f"{side.get('variant', '?')} @ {commit}"


def _time(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def _maybe(value):
    return "-" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.3g}")


def bench(doc):
    t = Table("Timing: baseline against optimized (Google Benchmark)",
              ["benchmark", "baseline", "optimized", "ratio", "bytes/op base", "bytes/op opt", "allocs/op base",
               "allocs/op opt", "runs"], set(range(1, 9)),
              note="Median real time per operation over the rounds of scripts/bench.sh (baseline and optimized "
                   "run in turns in one session); ratio = baseline / optimized, above 1 = optimized faster. "
                   "bytes/op and allocs/op: the meter over every iteration. A ratio below 1 is marked.")
    for row in doc["rows"]:
        ratio = row["ratio"]
        t.rows.append([row["name"], _time(row["baseline_ns"]), _time(row["optimized_ns"]),
                       Cell("∞" if ratio is None else f"{ratio:.2f}x", ratio is not None and ratio < 1),
                       _maybe(row.get("baseline_bytes_per_op")), _maybe(row.get("optimized_bytes_per_op")),
                       _maybe(row.get("baseline_allocs_per_op")), _maybe(row.get("optimized_allocs_per_op")),
                       str(row.get("runs", ""))])
    for key, what in (("timed_by", "Times from"), ("memory_by", "bytes/op and allocs/op from")):
        if doc.get(key):
            t.note += f" {what}: " + "; ".join(f"{variant}: {desc}" for variant, desc in doc[key].items()) + "."
    return t


def ratio(value):
    """A ratio of times: "∞" for none (a zero denominator), two decimals, or two significant
    figures below 0.1 so that a small ratio does not read 0.00x."""
    if value is None:
        return "∞"
    return f"{value:.2f}x" if value >= 0.095 else f"{value:.2g}x"


def sqlite_rows(doc):
    """The "sqlite" section's rows (scripts/bench.sh --with-sqlite), each with the baseline's
    bytes and calls per operation joined in from the headline rows (the section carries the
    optimized engine's and SQLite's)."""
    baseline = {row["name"]: row for row in doc["rows"]}
    rows = []
    for row in doc["sqlite"]["rows"]:
        base = baseline.get(row["name"], {})
        rows.append(dict(row, baseline_bytes_per_op=base.get("baseline_bytes_per_op"),
                         baseline_allocs_per_op=base.get("baseline_allocs_per_op")))
    return rows


STORES = (("baseline", "baseline"), ("optimized", "optimized"), ("sqlite", "SQLite"))


def bench_sqlite(doc):
    """Baseline, optimized and SQLite per benchmark: the three median times, both ratios
    against the optimized engine, and bytes and calls per operation of each."""
    t = Table("Timing: baseline, optimized and SQLite (Google Benchmark)",
              ["benchmark", "baseline", "optimized", "SQLite", "baseline / optimized", "SQLite / optimized",
               "bytes/op base", "bytes/op opt", "bytes/op SQLite", "allocs/op base", "allocs/op opt",
               "allocs/op SQLite", "runs"], set(range(1, 13)),
              note="The same benchmarks over SQLite (memh_bench-sqlite, docs/sqlite_target.md), run in the same "
                   "rounds of scripts/bench.sh --with-sqlite. Median real time per operation; both ratios are "
                   "against the optimized engine, above 1 = the optimized engine faster; a ratio below 1 is "
                   "marked. bytes/op and allocs/op: the metered binaries over every iteration.")
    for row in sqlite_rows(doc):
        cells = [row["name"]] + [_time(row[f"{store}_ns"]) for store, _label in STORES]
        for key in ("ratio", "sqlite_ratio"):
            cells.append(Cell(ratio(row[key]), row[key] is not None and row[key] < 1))
        for what in ("bytes", "allocs"):
            cells += [_maybe(row.get(f"{store}_{what}_per_op")) for store, _label in STORES]
        t.rows.append(cells + [str(row.get("runs", ""))])
    sqlite = doc["sqlite"]
    for key, what in (("timed_by", "Times from"), ("memory_by", "bytes/op and allocs/op from")):
        sources = dict(doc.get(key) or {})
        if sqlite.get(key):
            sources["SQLite"] = sqlite[key]
        if sources:
            t.note += f" {what}: " + "; ".join(f"{store}: {desc}" for store, desc in sources.items()) + "."
    return t


NO_SQLITE = ("SQLite: not in this run (the benchmark ratio file has no \"sqlite\" section; "
             "scripts/bench.sh --with-sqlite adds it).")


def signed_time(ns):
    return ("+" if ns >= 0 else "-") + _time(abs(ns))


def meter_overhead(doc):
    """What the meter's hooks add to a timed operation: the same benchmark with the
    unhooked and the metered binary (scripts/bench_ratio.py's meter_overhead)."""
    t = Table("The meter's cost: metered against unhooked binaries",
              ["benchmark", "variant", "unhooked", "metered", "metered / unhooked", "extra per op", "runs"],
              {2, 3, 4, 5},
              note="Median real time per operation of the same benchmark without the meter's hooks (the timing "
                   "binaries) and with them (the metered binaries, whose bytes/op and allocs/op the timing table "
                   "shows); the difference is what the hooks cost the timed operation.")
    for row in doc.get("meter_overhead") or []:
        t.rows.append([row["benchmark"], row["variant"], _time(row["unhooked_ns"]), _time(row["metered_ns"]),
                       "-" if row["ratio"] is None else f"{row['ratio']:.2f}x", signed_time(row["extra_ns"]),
                       str(row.get("runs", ""))])
    return t


def heaptrack_checks(doc):
    t = Table(f"heaptrack against the meter: {doc['scenario']} ({doc['variant']})",
              ["check", "heaptrack", "meter", "difference", "holds", "how the meter's figure is made"], {1, 2, 3})
    for c in doc["checks"]:
        t.rows.append([c["check"], _n(c["heaptrack"]), _n(c["meter"]), f"{c['difference']:+,}",
                       Cell("yes" if c["holds"] else "NO", not c["holds"]), c["how"]])
    return t


def heaptrack_sites(doc, key, title):
    t = Table(f"{doc['scenario']} ({doc['variant']}): top allocation sites of the measured phase, {title}",
              ["calls", "bytes", "where", "called from"], {0, 1},
              note="heaptrack's record of the measured phase; bytes as requested (the meter's "
                   f"{doc['meter_header_bytes']}-byte header per call taken off); allocator plumbing left out of "
                   "the stacks.")
    for site in doc[key]:
        first, rest = site["stack"][0], site["stack"][1:]
        t.rows.append([_n(site["calls"]), _n(site["bytes"]), f"{first['function']}  {first['where']}",
                       " ← ".join(f"{f['function']} {f['where']}" for f in rest)])
    return t


def _site_where(site):
    where = f"{site['function']} [{site['role']}]"
    return f"{where}  {site['location']}" if site.get("location") else where


def comparison_sites(doc):
    """Per scenario, the call sites that grew and shrank most, and the new and vanished
    ones (`memh compare --json`, "sites"); None when neither side had sites."""
    entries = [s for s in doc.get("sites", []) if s.get("available")]
    if not entries:
        return None
    t = Table(f"Where the change comes from: call sites, {describe(doc['base'])} → {describe(doc['head'])}",
              ["scenario", "", "bytes change", "calls change", "site (innermost project function, thread role)"],
              {2, 3},
              note="Sites are matched by key (the innermost project function and its callers, by name) and thread "
                   "role; the 5 that grew and the 5 that shrank most by bytes, then sites only in head (new) or "
                   "only in base (vanished).")
    for entry in entries:
        for kind, label in (("grew", "grew"), ("shrank", "shrank"), ("new", "new"), ("vanished", "vanished")):
            for site in entry.get(kind, []):
                t.rows.append([entry["scenario"], Cell(label, kind in ("grew", "new")),
                               f"{site['bytes_change']:+,}", f"{site['calls_change']:+,}", _site_where(site)])
        if not any(entry.get(k) for k in ("grew", "shrank", "new", "vanished")):
            t.rows.append([entry["scenario"], "", "0", "0", "no site changed"])
    return t


def top_sites(results, limit=5):
    """Per scenario and variant, the call sites with the most bytes (results schema 3);
    None when no results file has sites."""
    t = Table("Where the bytes come from: top call sites per scenario and variant",
              ["scenario", "variant", "bytes", "calls", "frees", "bytes/op", "site (innermost project function, thread role)"],
              {2, 3, 4, 5},
              note=f"The {limit} sites with the most bytes of the measured steps; every scenario's sites sum "
                   "exactly to its totals (docs/results_schema.md, \"Sites\").")
    for r in results:
        for name, s in r.scenarios.items():
            for site in (s.get("sites") or {}).get("list", [])[:limit]:
                t.rows.append([name, r.variant, _n(site["bytes"]), _n(site["calls"]), _n(site["frees"]),
                               f"{site['bytes_per_op']:,.1f}", _site_where(site)])
    return t if t.rows else None
