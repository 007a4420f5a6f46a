"""Reading what memharness wrote: results, per-operation samples, gate and comparison.

Every problem is a ReportError whose message is one line naming the file and what is
wrong with it, so the command line can print it and exit 2.
"""
import csv
import json
import math
import os

from .variants import WATERFALL  # noqa: F401  (the waterfall order, from cmake/variants.txt)

SCHEMA_VERSION = 3
# Version 2 is version 3 without call sites (docs/results_schema.md, "Reading").
READABLE_VERSIONS = (2, 3)
VERDICTS = ("met", "over", "nondeterministic")


class ReportError(Exception):
    """Unusable input; str() is the one-line message."""


def _load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such {what} file") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not JSON (line {e.lineno}: {e.msg})") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None


def _require(cond, path, what):
    if not cond:
        raise ReportError(f"{path}: {what}")


class Results:
    """One results-<variant>.json: its run metadata and scenarios by name, in file order."""

    def __init__(self, path, doc):
        self.path = path
        self.run = doc["run"]
        self.variant = self.run["variant"]
        self.meter = self.run["meter"]
        self.header_bytes = self.meter["header_bytes"]  # the meter's own header per block
        self.scenarios = {s["name"]: s for s in doc["scenarios"]}
        self.samples = {}  # scenario -> list of per-operation bytes, when samples exist
        # scenario -> list of the background's bytes before each operation's end, when
        # the samples have them (results schema 3's CSV)
        self.background_samples = {}


def _check_scenario(path, i, s):
    where = f"scenarios[{i}]"
    _require(isinstance(s, dict), path, f"{where} is not an object")
    for key in ("name", "ops", "target_bytes", "totals", "range", "verdict", "per_op"):
        _require(key in s, path, f"{where}.{key} is missing")
    where = f"scenarios[{i}] ({s['name']})"
    _require(isinstance(s["target_bytes"], int), path, f"{where}.target_bytes is not an integer")
    _require(isinstance(s["totals"], dict) and isinstance(s["range"], dict), path,
             f"{where}: totals and range must be objects")
    for key in ("bytes", "calls", "peak_live_bytes"):
        _require(isinstance(s["totals"].get(key), int), path, f"scenarios[{i}].totals.{key} is missing or not an integer")
    for key in s["totals"]:
        bounds = s["range"].get(key)
        _require(isinstance(bounds, dict) and isinstance(bounds.get("min"), (int, float))
                 and isinstance(bounds.get("max"), (int, float)) and bounds["min"] <= bounds["max"], path,
                 f"scenarios[{i}].range.{key} is missing or not {{\"min\", \"max\"}}")
    _require(s["verdict"] in VERDICTS, path,
             f"scenarios[{i}].verdict is {s['verdict']!r}, not one of {', '.join(VERDICTS)}")


def load_results(path):
    """A version 2 or 3 results document (docs/results_schema.md) made with the meter in the
    allocation path; ReportError otherwise."""
    doc = _load_json(path, "results")
    _require(isinstance(doc, dict), path, "not a results document (expected a JSON object)")
    version = doc.get("schema_version")
    _require(version in READABLE_VERSIONS, path,
             f"results of schema version {version!r}; this report reads versions "
             f"{READABLE_VERSIONS[0]} to {READABLE_VERSIONS[-1]}")
    _require(isinstance(doc.get("run"), dict) and isinstance(doc["run"].get("variant"), str), path,
             "run.variant is missing")
    meter = doc["run"].get("meter")
    _require(isinstance(meter, dict), path, "run.meter is missing")
    _require(meter.get("in_allocation_path") is True, path,
             "was not made with the meter in the allocation path (run.meter.in_allocation_path is "
             f"{json.dumps(meter.get('in_allocation_path'))}): rerun")
    _require(isinstance(meter.get("header_bytes"), int), path, "run.meter.header_bytes is missing or not an integer")
    _require(isinstance(doc.get("scenarios"), list) and doc["scenarios"], path, "no scenarios")
    for i, s in enumerate(doc["scenarios"]):
        _check_scenario(path, i, s)
    results = Results(path, doc)
    samples = os.path.join(os.path.dirname(path) or ".", f"samples-{results.variant}.csv")
    if os.path.exists(samples):
        results.samples = load_samples(samples)
        results.background_samples = load_samples(samples, "background_bytes")
    return results


def load_samples(path, column="bytes"):
    """scenario -> per-operation bytes (or another integer column), from
    samples-<variant>.csv; {} when an optional column other than bytes is absent."""
    by_scenario = {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            _require(reader.fieldnames and {"scenario", "bytes"} <= set(reader.fieldnames), path,
                     "not a samples file (no scenario,bytes columns)")
            if column not in reader.fieldnames:
                return {}
            for line, row in enumerate(reader, start=2):
                try:
                    by_scenario.setdefault(row["scenario"], []).append(int(row[column]))
                except (TypeError, ValueError):
                    raise ReportError(f"{path}:{line}: {column} is not an integer") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None
    return by_scenario


def order_variants(results):
    """Results sorted along the waterfall; other variants after it, by name."""
    rank = {v: i for i, v in enumerate(WATERFALL)}
    return sorted(results, key=lambda r: (rank.get(r.variant, len(WATERFALL)), r.variant))


def check_one_per_variant(results):
    seen = {}
    for r in results:
        if r.variant in seen:
            raise ReportError(f"{r.path}: a second results file for variant {r.variant} "
                              f"(the first is {seen[r.variant]})")
        seen[r.variant] = r.path


def scenario_targets(results):
    """name -> (target_bytes, original_bytes or None), in first-seen order, from the
    results themselves (each scenario file's figures, as the run read them)."""
    targets, first = {}, {}
    for r in results:
        for name, s in r.scenarios.items():
            mine = (s["target_bytes"], s.get("original_bytes"))
            if name not in targets:
                targets[name], first[name] = mine, r.path
            elif targets[name] != mine:
                raise ReportError(f"{r.path}: {name}'s target or original figure {mine} differs from "
                                  f"{first[name]}'s {targets[name]} (results of different scenario files)")
    return targets


def originals(results):
    """[(name, target_bytes, original_bytes)] of the scenarios that carry the original
    engine's figure (the original work's scenarios)."""
    return [(name, target, original) for name, (target, original) in scenario_targets(results).items() if original]


def header_bytes(results):
    """The meter's header per block (run.meter.header_bytes), the same in every file."""
    sizes = {r.header_bytes for r in results}
    if len(sizes) > 1:
        raise ReportError(f"{results[-1].path}: run.meter.header_bytes differs between the results files "
                          f"({', '.join(str(n) for n in sorted(sizes))})")
    return sizes.pop() if sizes else None


def figure_range(scenario, key):
    """(min, max) of a totals figure over the repeats."""
    bounds = scenario["range"][key]
    return bounds["min"], bounds["max"]


# "under": below a lower bound (bytes_min ...); "loose": a budget more than the gate's
# --loose-margin above its figure, a warning unless --strict.
GATE_VERDICTS = ("ok", "over", "under", "loose", "nondeterministic")


def load_gate(path):
    doc = _load_json(path, "gate")
    _require(isinstance(doc, dict) and isinstance(doc.get("rows"), list), path,
             "not a gate document (expected `memharness gate --json` output)")
    for i, row in enumerate(doc["rows"]):
        for key in ("scenario", "variant", "metric", "measured", "budget", "headroom_percent", "over", "verdict"):
            _require(key in row, path, f"rows[{i}].{key} is missing")
        _require(row["verdict"] in GATE_VERDICTS, path,
                 f"rows[{i}].verdict is {row['verdict']!r}, not one of {', '.join(GATE_VERDICTS)}")
    return doc


def load_comparison(path):
    doc = _load_json(path, "comparison")
    _require(isinstance(doc, dict) and isinstance(doc.get("rows"), list), path,
             "not a comparison document (expected `memharness compare --json` output)")
    for key in ("base", "head"):
        _require(isinstance(doc.get(key), dict), path, f"{key} is missing")
    for i, row in enumerate(doc["rows"]):
        for key in ("scenario", "metric", "base", "head", "change", "percent", "regression", "failing"):
            _require(key in row, path, f"rows[{i}].{key} is missing")
    return doc


def run_id(results):
    """<started_at as yyyymmdd-hhmmss>-<short commit>, from the first results file."""
    run = results[0].run
    stamp = "".join(c for c in run.get("started_at", "") if c.isdigit())
    stamp = f"{stamp[:8]}-{stamp[8:14]}" if len(stamp) >= 14 else "unknown-time"
    return f"{stamp}-{run.get('git_commit', 'unknown')[:7]}"


def load_bench(path):
    doc = _load_json(path, "benchmark ratio")
    _require(isinstance(doc, dict) and doc.get("kind") == "memharness bench ratio" and isinstance(doc.get("rows"), list),
             path, "not a benchmark ratio document (expected `scripts/bench_ratio.py --json` output)")
    for i, row in enumerate(doc["rows"]):
        for key in ("name", "baseline_ns", "optimized_ns", "ratio"):
            _require(key in row, path, f"rows[{i}].{key} is missing")
    _require(isinstance(doc.get("timed_by", {}), dict), path, "timed_by is not an object")
    overhead = doc.get("meter_overhead", [])
    _require(isinstance(overhead, list), path, "meter_overhead is not a list")
    for i, row in enumerate(overhead):
        for key in ("benchmark", "variant", "unhooked_ns", "metered_ns", "ratio", "extra_ns"):
            _require(isinstance(row, dict) and key in row, path, f"meter_overhead[{i}].{key} is missing")
    if "sqlite" in doc:  # scripts/bench.sh --with-sqlite
        sqlite = doc["sqlite"]
        _require(isinstance(sqlite, dict) and isinstance(sqlite.get("rows"), list), path,
                 "sqlite is not an object with a rows list")
        for i, row in enumerate(sqlite["rows"]):
            for key in ("name", "baseline_ns", "optimized_ns", "sqlite_ns", "ratio", "sqlite_ratio"):
                _require(isinstance(row, dict) and key in row, path, f"sqlite.rows[{i}].{key} is missing")
    return doc


def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def load_heaptrack(path):
    doc = _load_json(path, "heaptrack report")
    _require(isinstance(doc, dict) and isinstance(doc.get("checks"), list) and "sites_by_bytes" in doc, path,
             "not a heaptrack report (expected scripts/heaptrack_report.py's heaptrack.json)")
    for key in ("scenario", "variant", "sites_by_calls", "heaptrack", "meter_header_bytes"):
        _require(key in doc, path, f"{key} is missing")
    return doc
