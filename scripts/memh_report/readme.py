"""The README's generated blocks (scripts/readme_figures.py writes them), each rendered
from the committed example run's inputs in reports/example/data/ (scripts/example-report.sh
and scripts/record-ci-run.sh write them), the scenario files and cmake/variants.txt.
A block whose inputs are missing says so ("not recorded yet") instead of a figure.

Every block is (provenance, Markdown). The provenance names where its figures came from:
"commit abc1234" (the commit the data's own metadata names), "not recorded yet", or
"from <file>" for blocks that are configuration rather than measurement.
"""
import glob
import json
import os
import re
import tomllib

from . import variants as variant_list
from .inputs import (ReportError, figure_range, geometric_mean, load_bench, load_comparison, load_gate,
                     load_heaptrack, load_results, order_variants, originals)

NOT_RECORDED = "not recorded yet"


def _n(value):
    return f"{value:,.0f}"


def _pct(value):
    return f"{value:+.1f} %"


def _cell(text):
    return str(text).replace("|", "\\|")


def _row(cells):
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _table(headers, numeric, rows):
    lines = [_row(headers), "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|"]
    return lines + [_row(r) for r in rows]


def _duration(seconds):
    if seconds < 120:
        return f"{seconds:,} s"
    return f"{seconds / 60:.1f} min ({seconds:,} s)"


def _time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def _ranged(scenario, key):
    low, high = figure_range(scenario, key)
    return _n(low) if low == high else f"{_n(low)} – {_n(high)}"


def _load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read {what}: {e.strerror}") from None


class Data:
    """What reports/example/data/ holds; None for each input that is not there."""

    def __init__(self, directory):
        self.dir = directory
        path = lambda name: os.path.join(directory, name)  # noqa: E731
        exists = lambda name: os.path.exists(path(name))  # noqa: E731
        self.results = order_variants([load_results(p) for p in sorted(glob.glob(path("results-*.json")))])
        self.gate = load_gate(path("gate.json")) if exists("gate.json") else None
        self.comparison = load_comparison(path("comparison.json")) if exists("comparison.json") else None
        self.bench = load_bench(path("bench-ratio.json")) if exists("bench-ratio.json") else None
        heaptracks = [load_heaptrack(p) for p in sorted(glob.glob(path("heaptrack-*.json")))]
        rank = {v: i for i, v in enumerate(variant_list.WATERFALL)}
        self.heaptracks = sorted(heaptracks, key=lambda h: (rank.get(h["variant"], len(rank)), h["variant"]))
        self.run = self._record(path("run.json"), "memharness example run") if exists("run.json") else None
        self.ci = self._record(path("ci-run.json"), "memharness ci run") if exists("ci-run.json") else None
        self.commit = self._one_commit()

    @staticmethod
    def _record(path, kind):
        doc = _load_json(path, kind)
        if not isinstance(doc, dict) or doc.get("kind") != kind or not isinstance(doc.get("git_commit"), str):
            raise ReportError(f"{path}: not a {kind} record (kind and git_commit)")
        return doc

    def _one_commit(self):
        """The commit of the example run: every input of it must name the same one."""
        named = []
        for r in self.results:
            named.append((r.path, r.run.get("git_commit", "?"), r.run.get("git_dirty", False)))
        for h in self.heaptracks:
            run = h.get("run", {})
            named.append((f"{self.dir}/heaptrack-{h['variant']}.json", run.get("git_commit", "?"), run.get("git_dirty")))
        if self.comparison is not None:
            for side in ("base", "head"):
                named.append((os.path.join(self.dir, "comparison.json"), self.comparison[side].get("git_commit", "?"),
                              self.comparison[side].get("git_dirty")))
        if self.run is not None:
            named.append((os.path.join(self.dir, "run.json"), self.run["git_commit"], self.run.get("git_dirty")))
        if not named:
            if self.gate or self.bench:
                raise ReportError(f"{self.dir}: gate or timing data without the run's results")
            return None
        commits = {c for _path, c, _dirty in named}
        if len(commits) > 1:
            # The comparison names commits as `compare` was given them, possibly short.
            full = max(commits, key=len)
            if not all(full.startswith(c) for c in commits):
                listing = ", ".join(f"{os.path.basename(p)}: {c[:12]}" for p, c, _d in named)
                raise ReportError(f"{self.dir}: the inputs come from different commits ({listing}); "
                                  "rerun scripts/example-report.sh")
        commit = max(commits, key=len)
        dirty = any(d for _p, _c, d in named)
        return commit[:7] + (" (dirty)" if dirty else "")

    def provenance(self):
        return f"commit {self.commit}" if self.commit else NOT_RECORDED

    def first(self):
        return self.results[0] if self.results else None


def read_scenario_files(root):
    """[(name, description, target_bytes, original_bytes or None)] from scenarios/*.toml,
    the originals first, each group by name."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, "scenarios", "*.toml"))):
        try:
            with open(path, "rb") as f:
                doc = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ReportError(f"{path}: cannot read the scenario: {e}") from None
        for key in ("name", "description", "target_bytes"):
            if key not in doc:
                raise ReportError(f"{path}: {key} is missing")
        found.append((doc["name"], doc["description"], doc["target_bytes"], doc.get("original_bytes")))
    return sorted(found, key=lambda s: (s[3] is None, s[0]))


# --- the blocks ----------------------------------------------------------------------


def block_main_job_time(data, _root):
    run = data.run
    if run is None:
        return NOT_RECORDED, ("How long the main job takes: not recorded yet (`scripts/example-report.sh` records "
                              "it, step by step).")
    steps = ", ".join(f"{s['step']} {_duration(s['seconds'])}" for s in run["steps"])
    built = ("`build/release/` already held a build, so its build step only brought it up to date"
             if run.get("build_dir_existed") else "`build/release/` was empty, so it built everything")
    return f"commit {data.commit}", (
        f"The example run (`scripts/example-report.sh` at commit {data.commit}, {run.get('cpus', '?')} CPUs; "
        f"{built}) took {_duration(run['total_seconds'])} in all: {steps}; exit status {run['exit_status']}.")


def block_scenarios(data, root):
    base = data.first()
    base_name = base.variant if base else variant_list.WATERFALL[0]
    rows = []
    for name, what, target, original in read_scenario_files(root):
        measured = vs_original = share = "-"
        s = base.scenarios.get(name) if base else None
        target_text = _n(target)
        if base is None:
            measured = NOT_RECORDED
        elif s is None:
            measured = "not in the run"
        else:
            measured = _ranged(s, "bytes")
            high = figure_range(s, "bytes")[1]
            if original:
                vs_original = _pct(100.0 * (high - original) / original)
            share = f"{100.0 * s['target_bytes'] / high:.1f} %" if high else "-"
            if s["target_bytes"] != target:
                target_text += f" (the run's: {_n(s['target_bytes'])})"
        rows.append([f"`{name}`", what, target_text, _n(original) if original else "-", measured, vs_original, share])
    lines = _table(["scenario", "what", "target", "original engine", f"{base_name} (measured)", "vs original",
                    "target / measured"], {2, 3, 4, 5, 6}, rows)
    source = (f"the {base_name}'s total requested bytes in the example run at commit {data.commit} "
              f"(`reports/example/data/results-{base_name}.json`)" if base else "not recorded yet")
    lines += ["", f"Scenario, what, target and the original engine's figure: `scenarios/*.toml`. Measured: {source}."]
    return data.provenance(), "\n".join(lines)


def waterfall_table(results):
    """The original scenarios x every variant: bytes, bytes/op, change against the
    first (the baseline), target, verdict. Markdown lines."""
    rows = []
    by_variant = {r.variant: r for r in results}
    first = results[0].variant if results else None
    for name, target, _original in originals(results):
        base = by_variant[first].scenarios.get(name) if first else None
        for r in results:
            s = r.scenarios.get(name)
            if s is None:
                continue
            total = s["totals"]["bytes"]
            change = _pct(100.0 * (total - base["totals"]["bytes"]) / base["totals"]["bytes"]) if base else ""
            rows.append([name, r.variant, _ranged(s, "bytes"), _n(total / max(s["ops"], 1)), change, _n(target),
                         s["verdict"]])
    return _table(["scenario", "variant", "bytes", "bytes/op", f"vs {first}", "target", "verdict"],
                  {2, 3, 4, 5}, rows)


def block_waterfall(data, _root):
    if not data.results:
        return NOT_RECORDED, "The waterfall: not recorded yet (`scripts/example-report.sh` records it)."
    lines = waterfall_table(data.results)
    wanted = {name for name, _t, _o in originals(data.results)}
    scenarios = [s for r in data.results for name, s in r.scenarios.items() if name in wanted]
    repeats = sorted({s.get("repeats", 1) for s in scenarios})
    differed = [s for s in scenarios if figure_range(s, "bytes")[0] != figure_range(s, "bytes")[1]]
    lines += ["", f"Example run at commit {data.commit}; each variant ran every scenario "
              f"{' or '.join(str(n) for n in repeats)} times (`--repeat`): "
              + ("bytes identical over the repeats in every row." if not differed else
                 f"in {len(differed)} rows the bytes differed between repeats (lowest – highest shown).")]
    return data.provenance(), "\n".join(lines)


def block_per_op(data, _root):
    if not data.results:
        return NOT_RECORDED, "What each operation requested on its own thread: not recorded yet."
    rows = []
    for name, _target, _original in originals(data.results):
        for r in (data.results[0], data.results[-1]) if len(data.results) > 1 else data.results:
            s = r.scenarios.get(name)
            if s is None:
                continue
            d = s["per_op"]["bytes"]
            rows.append([name, r.variant, _n(s["ops"]), _n(d["min"]), _n(d["p50"]), _n(d["p90"]), _n(d["p99"]),
                         _n(d["max"])])
    lines = _table(["scenario", "variant", "operations", "min", "p50", "p90", "p99", "max"], {2, 3, 4, 5, 6, 7}, rows)
    lines += ["", f"Bytes per operation on the operation's own thread, first repeat of the example run at commit "
              f"{data.commit} (nearest-rank percentiles)."]
    return data.provenance(), "\n".join(lines)


def block_variants(_data, _root):
    rows = [[f"`{v.name}`"] + [f"`{v.knobs[k]}`" for k in variant_list.KNOBS] + [f"`memharness-{v.name}`"]
            for v in variant_list.VARIANTS]
    return "from cmake/variants.txt", "\n".join(_table(["variant"] + list(variant_list.KNOBS) + ["binary"], set(), rows))


def block_repeatability(data, _root):
    if not data.results:
        return NOT_RECORDED, "How much the figures moved between repeats: not recorded yet."
    peaks, unsteady, multi = [], [], []
    for r in data.results:
        for name, s in r.scenarios.items():
            low, high = figure_range(s, "peak_live_bytes")
            peaks.append(((high - low) / low * 100.0 if low else 0.0, name, r.variant, low, high))
            moved = [k for k in s["range"] if k != "peak_live_bytes" and s["range"][k]["min"] != s["range"][k]["max"]]
            if s.get("threads", 1) > 1:
                b_low, b_high = figure_range(s, "bytes")
                multi.append(((b_high - b_low) / b_low * 100.0 if b_low else 0.0, name, r.variant))
            elif moved:
                unsteady.append(f"{name} ({r.variant}: {', '.join(moved)})")
    pct, name, variant, low, high = max(peaks)
    repeats = sorted({s.get("repeats", 1) for r in data.results for s in r.scenarios.values()})
    text = [f"In the example run at commit {data.commit} ({' or '.join(str(n) for n in repeats)} repeats of every "
            f"scenario and variant): the peak moved by at most {pct:.1f} % between repeats"
            + (f" ({name}, {variant}: {_n(low)} – {_n(high)})" if high != low else "") + "; "]
    text.append("every other figure of every single-threaded scenario was identical over the repeats"
                if not unsteady else "figures other than the peak differed in: " + "; ".join(unsteady))
    if multi:
        pct_m, name_m, variant_m = max(multi)
        text.append(f"; the multi-threaded scenarios' bytes moved by at most {pct_m:.1f} % ({name_m}, {variant_m})")
    return data.provenance(), "".join(text) + "."


def _signed_time(ns):
    return ("+" if ns >= 0 else "-") + _time(abs(ns))


def block_timing(data, _root):
    bench = data.bench
    if bench is None:
        return data.provenance() if data.commit else NOT_RECORDED, (
            "Timing: " + ("not in this run (`scripts/run.sh --quick`)." if data.commit else "not recorded yet."))
    ratios = [r["ratio"] for r in bench["rows"] if r["ratio"]]
    mean = (bench.get("geomean") or {}).get("ratio") or geometric_mean(ratios)
    seconds = next((s["seconds"] for s in (data.run or {}).get("steps", []) if s["step"].startswith("timing")), None)
    full = any("/blocks:1000000/" in r["name"] for r in bench["rows"])  # bench.sh --full
    lines = [f"In the example run at commit {data.commit} ("
             + ("`scripts/bench.sh --full`, stores of up to a million blocks" if full else "`scripts/bench.sh`'s default run")
             + (f", {_duration(seconds)}" if seconds is not None else "") + "): the optimized engine was "
             f"{mean:.2f}x as fast as the baseline on the geometric mean of {len(ratios)} "
             f"benchmarks, from {min(ratios):.2f}x to {max(ratios):.2f}x (baseline / optimized median real time)."]
    for key, what in (("timed_by", "Times from"), ("memory_by", "Bytes and calls per operation (in the report) from")):
        if bench.get(key):
            lines[0] += f" {what}: " + "; ".join(f"{v}: {desc}" for v, desc in bench[key].items()) + "."
    if_metered = (bench.get("geomean") or {}).get("ratio_if_metered")
    if if_metered:
        lines[0] += f" Timed with the meter's hooks instead, the geometric mean would be {if_metered:.2f}x."
    lines.append("")
    rows = [[r["name"], _time(r["baseline_ns"]), _time(r["optimized_ns"]),
             "∞" if r["ratio"] is None else f"{r['ratio']:.2f}x"] for r in bench["rows"]]
    lines += _table(["benchmark", "baseline", "optimized", "baseline / optimized"], {1, 2, 3}, rows)
    return data.provenance(), "\n".join(lines)


def _size_rows(rows):
    """{operation: {blocks: row}} for the store benchmarks ("op/blocks:N/real_time")."""
    by_op = {}
    for r in rows:
        parts = r["name"].split("/")
        if len(parts) < 2 or not parts[1].startswith("blocks:") or "threads:" in r["name"]:
            continue
        by_op.setdefault(parts[0], {})[int(parts[1].split(":")[1])] = r
    return by_op


def _blocks(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n))


def _bytes_per_op(value):
    return "-" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.3g}")


def block_sqlite(data, _root):
    """The engine against SQLite at every store size of the run, and what each holds in
    memory to find its blocks."""
    bench = data.bench
    sqlite = (bench or {}).get("sqlite")
    if sqlite is None:
        return data.provenance() if data.commit else NOT_RECORDED, (
            "Against SQLite: not in this run (`scripts/bench.sh --with-sqlite`)." if data.commit
            else "Against SQLite: not recorded yet.")
    by_op = _size_rows(sqlite["rows"])
    sizes = sorted({n for op in by_op.values() for n in op})
    lines = [f"The optimized engine against SQLite in the example run at commit {data.commit} "
             f"(`scripts/bench.sh --with-sqlite`, stores of {', '.join(_blocks(n) for n in sizes)} blocks of "
             "256 bytes; median real time of the unhooked builds, bytes per operation from the metered builds; "
             "SQLite's configuration: `docs/sqlite_target.md`):", ""]
    rows = []
    for op, by_size in by_op.items():
        for n in sorted(by_size):
            r = by_size[n]
            rows.append([op, _blocks(n), _time(r["optimized_ns"]), _time(r["sqlite_ns"]),
                         "-" if r["sqlite_ratio"] is None else f"{r['sqlite_ratio']:.2f}x",
                         _bytes_per_op(r.get("optimized_bytes_per_op")), _bytes_per_op(r.get("sqlite_bytes_per_op"))])
    lines += _table(["operation", "blocks", "optimized", "SQLite", "SQLite / optimized", "bytes/op optimized",
                     "bytes/op SQLite"], {2, 3, 4, 5, 6}, rows)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"Growth from {_blocks(small)} to {_blocks(large)} blocks (time at {_blocks(large)} / "
                  f"time at {_blocks(small)}):", ""]
        growth = []
        for op, by_size in by_op.items():
            if small in by_size and large in by_size:
                a, b = by_size[small], by_size[large]
                growth.append([op, f"{b['optimized_ns'] / a['optimized_ns']:.2f}x",
                               f"{b['sqlite_ns'] / a['sqlite_ns']:.2f}x"])
        lines += _table(["operation", "optimized", "SQLite"], {1, 2}, growth)
    memory = bench.get("index_memory") or []
    if memory:
        lines += ["", "What each holds in memory to find its blocks, bytes per block (`index_memory`: the engine's "
                  "registry and free-space map, SQLite's page cache and schema; `docs/engine_design.md`, "
                  "\"Memory per block\"):", ""]
        labels = [k for k in ("baseline", "optimized", "sqlite") if any(r.get(k) is not None for r in memory)]
        rows = [[_blocks(int(r["name"].split("blocks:")[1].split("/")[0]))]
                + [_bytes_per_op(r.get(k)) for k in labels] for r in memory]
        lines += _table(["blocks"] + labels, set(range(1, len(labels) + 1)), rows)
    return data.provenance(), "\n".join(lines)


def block_meter_overhead(data, _root):
    if data.bench is None:
        return (data.provenance() if data.commit else NOT_RECORDED,
                "The meter's cost per timed operation: " + ("not in this run." if data.commit else "not recorded yet."))
    overhead = data.bench.get("meter_overhead")
    if not overhead:
        return data.provenance(), ("The meter's cost per timed operation (the same benchmark with the unhooked and "
                                   "the metered binary): not in this run (its `bench-ratio.json` has no "
                                   "`meter_overhead`).")
    variants = list(dict.fromkeys(o["variant"] for o in overhead))
    by_name = {}
    for o in overhead:
        by_name.setdefault(o["benchmark"], {})[o["variant"]] = o
    rows = []
    for name, per_variant in by_name.items():
        row = [name]
        for v in variants:
            o = per_variant.get(v)
            row += (["-", "-"] if o is None else
                    ["-" if o["ratio"] is None else f"{o['ratio']:.2f}x", _signed_time(o["extra_ns"])])
        rows.append(row)
    means = []
    for v in variants:
        ratios = [o["ratio"] for o in overhead if o["variant"] == v and o["ratio"]]
        if ratios:
            means.append(f"{v} {geometric_mean(ratios):.2f}x")
    lines = [f"The meter's cost per timed operation in the example run at commit {data.commit}: the same benchmark "
             "with the metered and the unhooked binary, median real time (metered / unhooked, and the time the "
             "hooks add)" + (": geometric mean " + ", ".join(means) if means else "") + ".", ""]
    headers = ["benchmark"]
    for v in variants:
        headers += [f"{v}: metered / unhooked", f"{v}: extra"]
    lines += _table(headers, set(range(1, len(headers))), rows)
    return data.provenance(), "\n".join(lines)


def _site_where(site, frames=2):
    """The site's first frames, innermost first, without parameter lists."""
    return " ← ".join(f"`{re.sub(r'[(].*$', '', f['function'])}` ({f['where']})"
                      for f in site["stack"][:frames]) or "?"


def block_heaptrack(data, _root):
    if not data.heaptracks:
        return (data.provenance() if data.commit else NOT_RECORDED,
                "heaptrack's counts against the meter's: " + ("not in this run." if data.commit else "not recorded yet."))
    out = []
    for h in data.heaptracks:
        header = h["meter_header_bytes"]
        meter, phase = h["meter_exit"], h["meter_phase_without_heaptrack"]
        checks = {c["check"]: c for c in h["checks"]}
        out.append(f"{h['scenario']}, {h['variant']} (example run at commit {data.commit}):")
        out.append("")
        rows = []
        whole = checks.get("whole run: calls")
        if whole:
            rows.append(["whole run: calls", _n(whole["heaptrack"]),
                         f"{_n(meter['calls'])} − {_n(meter['nested_calls'])} nested − {_n(meter['foreign_calls'])} "
                         f"foreign − {_n(meter['bootstrap_calls'])} bootstrap = {_n(whole['meter'])}",
                         "yes" if whole["holds"] else "NO"])
        calls = checks.get("measured phase: calls")
        if calls:
            rows.append(["measured phase: calls", _n(calls["heaptrack"]), _n(calls["meter"]),
                         "yes" if calls["holds"] else "NO"])
        nbytes = checks.get("measured phase: bytes")
        if nbytes:
            rows.append(["measured phase: bytes", _n(nbytes["heaptrack"]),
                         f"{_n(phase['bytes'])} + {header} × {_n(phase['calls'])} = {_n(nbytes['meter'])}",
                         "yes" if nbytes["holds"] else "NO"])
        out += _table(["check", "heaptrack", "meter", "holds"], {1}, rows)
        total = phase["bytes"]
        sites = h["sites_by_bytes"][:3]
        if sites and total:
            out += ["", f"Its measured phase's top allocation sites by bytes (of {_n(total)} requested):", ""]
            out += _table(["calls", "bytes", "bytes per call", "share", "where (← called from)"], {0, 1, 2, 3},
                          [[_n(s["calls"]), _n(s["bytes"]), _n(s["bytes"] / s["calls"]) if s["calls"] else "-",
                            f"{100.0 * s['bytes'] / total:.1f} %", _site_where(s)] for s in sites])
        out.append("")
    return data.provenance(), "\n".join(out).rstrip()


def _ci_provenance(ci):
    return f"commit {ci['git_commit'][:7]}" if ci else NOT_RECORDED


def _ctest(entries):
    return "; ".join(f"ctest: {_n(c['passed'])} passed, {_n(c['failed'])} failed of {_n(c['total'])}" for c in entries)


def _step_row(step, name=None):
    said = []
    if step.get("ctest"):
        said.append(_ctest(step["ctest"]))
    for g in step.get("gate", []):
        said.append(f"gate: {g['passed']} budgets held, {g['failed']} failed")
    for f in step.get("fuzz", []):
        executions = "?" if f["executions"] is None else _n(f["executions"])
        said.append(f"{f['target']}: {executions} executions in {f['seconds']} s ({f['verdict']})")
    return [name or step["step"], _n(step["seconds"]) if step.get("seconds") is not None else "-", "; ".join(said)]


def block_ci_steps(data, _root):
    ci = data.ci
    if ci is None:
        return NOT_RECORDED, ("How long each step of `.ci/run` takes on a fresh clone: not recorded yet "
                              "(`scripts/record-ci-run.sh` records it).")
    machine = ci.get("machine", {})
    lines = [f"`.ci/run` on a fresh clone of commit {ci['git_commit'][:7]} (`scripts/record-ci-run.sh`, "
             f"{ci.get('recorded_at', '?')[:10]}, {machine.get('cpus', '?')} CPUs, {machine.get('cpu', '?')}): "
             f"exit status {ci['exit_status']}, {_duration(ci['total_seconds'])} in all"
             + ("" if ci.get("completed") else "; it did NOT finish") + ".", ""]
    rows = []
    for step in ci["steps"]:
        rows.append(_step_row(step))
        for part in step.get("parts", []):
            rows.append(_step_row(part, f"· {part['name']}: {part['what']}"))
    if ci.get("unfinished"):
        rows.append(_step_row(ci["unfinished"], "(the step that did not finish)"))
        for part in ci["unfinished"].get("parts", []):
            rows.append(_step_row(part, f"· {part['name']}: {part['what']}"))
    lines += _table(["step", "seconds", "what it printed"], {1}, rows)
    return _ci_provenance(ci), "\n".join(lines)


def block_reliability(data, _root):
    ci = data.ci
    if ci is None:
        return NOT_RECORDED, ("The reliability suites' counts: not recorded yet (`scripts/record-ci-run.sh` records "
                              "the counts `scripts/test.sh` prints).")
    groups = []
    for step in ci["steps"] + ([ci["unfinished"]] if ci.get("unfinished") else []):
        for part in step.get("parts", []):
            if part.get("reliability"):
                groups.append((f"{part['name']} preset, in {step.get('step', 'the step that did not finish')}",
                               part["reliability"]))
        if step.get("reliability"):
            groups.append((step.get("step", "the step that did not finish"), step["reliability"]))
    if not groups:
        return _ci_provenance(ci), (f"The reliability suites' counts: none in the CI record of commit "
                                    f"{ci['git_commit'][:7]}.")
    lines = [f"What the reliability suites printed in `.ci/run` on a fresh clone of commit {ci['git_commit'][:7]} "
             "(`scripts/record-ci-run.sh`):"]
    failing = []
    for title, entries in groups:
        variants = list(dict.fromkeys(e["variant"] for e in entries))
        labels = {}
        for e in entries:
            label, _sep, rest = e["text"].partition(": ")
            labels.setdefault(label, {})[e["variant"]] = rest
            if not re.search(r"\bfailures: 0\b", e["text"]):
                failing.append(f"{e['variant']}: {e['text']}")
        lines += ["", f"{title}:", ""]
        lines += _table(["suite"] + variants, set(),
                        [[label] + [by_variant.get(v, "-") for v in variants] for label, by_variant in labels.items()])
    lines += ["", "Every line reports `failures: 0`." if not failing else
              "Lines without `failures: 0`: " + "; ".join(failing) + "."]
    return _ci_provenance(ci), "\n".join(lines)


# README order does not matter here; the names are the markers' names.
BLOCKS = {
    "main-job-time": block_main_job_time,
    "scenarios": block_scenarios,
    "waterfall": block_waterfall,
    "per-op": block_per_op,
    "variants": block_variants,
    "repeatability": block_repeatability,
    "timing": block_timing,
    "meter-overhead": block_meter_overhead,
    "sqlite": block_sqlite,
    "heaptrack": block_heaptrack,
    "ci-steps": block_ci_steps,
    "reliability": block_reliability,
}


def render_all(data, root):
    """name -> (provenance, Markdown body) for every block."""
    return {name: render(data, root) for name, render in BLOCKS.items()}
