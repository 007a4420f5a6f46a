"""Assembles the report from loaded inputs: which sections, in which order, and the
summary lines a reviewer reads first."""
from . import figures, flame, tables
from .document import Report, Section
from .inputs import figure_range, geometric_mean, originals


def _size(n):
    return f"{n / 1e6:.2f} MB" if n >= 10_000 else f"{n:,} bytes"


def _megabytes(scenario):
    low, high = figure_range(scenario, "bytes")
    return _size(low) if low == high else f"{_size(low)} – {_size(high)}"


def _summary(results, gate, comparisons, bench, heaptracks):
    lines = []
    for name, target, _original in originals(results):
        figures_ = [f"{r.variant} {_megabytes(r.scenarios[name])}" for r in results if name in r.scenarios]
        lines.append(f"{name} (target {target / 1e6:g} MB): " + ", ".join(figures_)
                     if target >= 10_000 else f"{name} (target {target:,} bytes): " + ", ".join(figures_))
    unsteady = [f"{name} ({r.variant})" for r in results for name, s in r.scenarios.items()
                if s["verdict"] == "nondeterministic"]
    if unsteady:
        lines.append("nondeterministic (a single-threaded scenario's figures differed between repeats): "
                     + ", ".join(unsteady))
    if gate is not None:
        over = [r for r in gate["rows"] if r["verdict"] == "over"]
        unsure = [r for r in gate["rows"] if r["verdict"] == "nondeterministic"]
        under = [r for r in gate["rows"] if r["verdict"] == "under"]
        loose = [r for r in gate["rows"] if r["verdict"] == "loose"]
        lines.append(f"gate: {len(gate['rows']) - len(over) - len(unsure) - len(under)} budgets held, "
                     f"{len(over)} exceeded"
                     + (f", {len(under)} under their lower bound" if under else "")
                     + (f", {len(loose)} loose" if loose else "")
                     + (f", {len(unsure)} nondeterministic" if unsure else "")
                     + "".join(f"; {r['scenario']} {r['variant']} {r['metric']} over by "
                               f"{r['measured'] - r['budget']:,}" for r in over)
                     + "".join(f"; {r['scenario']} {r['variant']} {r['metric']} nondeterministic" for r in unsure))
    for comparison in comparisons:
        grew = [r for r in comparison["rows"] if r["regression"]]
        failing = [r for r in comparison["rows"] if r["failing"]]
        lines.append(f"comparison {tables.describe(comparison['base'])} → {tables.describe(comparison['head'])}: "
                     f"{len(grew)} of {len(comparison['rows'])} figures grew, "
                     f"{len(failing)} beyond the --fail-over limit")
    if bench is not None:
        ratios = [r["ratio"] for r in bench["rows"] if r["ratio"]]
        if ratios:
            geomean = geometric_mean(ratios)
            lines.append(f"timing: optimized is {geomean:.2f}x the baseline's speed (geometric mean over "
                         f"{len(ratios)} benchmarks; {min(ratios):.2f}x to {max(ratios):.2f}x)")
        sqlite = [r["sqlite_ratio"] for r in (bench.get("sqlite") or {}).get("rows", []) if r["sqlite_ratio"]]
        if sqlite:
            mean = tables.ratio(geometric_mean(sqlite))
            lines.append(f"timing against SQLite: SQLite's time is {mean} the optimized engine's (geometric mean "
                         f"over {len(sqlite)} benchmarks; {tables.ratio(min(sqlite))} to {tables.ratio(max(sqlite))}; "
                         "above 1 = the optimized engine faster)")
    for h in heaptracks:
        held = all(c["holds"] for c in h["checks"])
        lines.append(f"heaptrack {h['scenario']} ({h['variant']}): counts "
                     + ("agree exactly with the meter" if held else "DISAGREE with the meter"))
    return lines


def build(results, out_dir, run_id, title, gate=None, comparisons=(), bench=None, heaptracks=()):
    report = Report(title, run_id, _summary(results, gate, comparisons, bench, heaptracks))
    if results:
        report.sections.append(Section("Run", [tables.metadata(results)]))
        original = tables.originals(results)
        blocks = ([original] if original.rows else []) + figures.waterfall(results, out_dir)
        if blocks:
            report.sections.append(Section("Targets", blocks))
    if gate is not None:
        report.sections.append(Section("Gate", [tables.gate(gate)]))
    for i, comparison in enumerate(comparisons):
        name = "comparison_deltas" + (f"-{i + 1}" if len(comparisons) > 1 else "")
        report.sections.append(Section(f"Comparison: {tables.describe(comparison['base'])} → "
                                        f"{tables.describe(comparison['head'])}",
                                        figures.comparison_deltas(comparison, out_dir, name)
                                        + [tables.comparison(comparison)]
                                        + flame.differential(comparison, out_dir, name.replace("deltas", "sites"))
                                        + [t for t in [tables.comparison_sites(comparison)] if t is not None]))
    if results:
        report.sections.append(Section("Scenarios", [tables.scenarios(results)]
                                       + figures.distributions(results, out_dir)))
        sites = tables.top_sites(results)
        if sites is not None:
            report.sections.append(Section("Where the bytes come from", [sites] + flame.icicles(results, out_dir)))
    if bench is not None:
        blocks = [tables.bench(bench)]
        if bench.get("meter_overhead"):
            blocks.append(tables.meter_overhead(bench))
        if "sqlite" not in bench:
            blocks.append(tables.NO_SQLITE)
        report.sections.append(Section("Timing", blocks))
        if "sqlite" in bench:
            report.sections.append(Section("Timing against SQLite", [tables.bench_sqlite(bench)]
                                           + figures.sqlite_sizes(bench, out_dir)))
    for h in heaptracks:
        report.sections.append(Section(f"Who allocates: {h['scenario']} ({h['variant']}, heaptrack)", [
            tables.heaptrack_checks(h),
            tables.heaptrack_sites(h, "sites_by_bytes", "by bytes"),
            tables.heaptrack_sites(h, "sites_by_calls", "by calls")]))
    return report
