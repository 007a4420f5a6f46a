"""Reading what memharness wrote: results, per-operation samples, gate and comparison.

Every problem is a ReportError whose message is one line naming the file and what is
wrong with it, so the command line can print it and exit 2.
"""
import csv
import json
import os

SCHEMA_VERSION = 1
# The waterfall, from the baseline to the optimized engine, one knob at a time.
WATERFALL = ["baseline", "plus-buffers", "plus-writes", "optimized"]
# The original work's scenarios and its targets (1 MB = 1,000,000 bytes).
ORIGINALS = {"update-500": 4_000_000, "select-1000": 1_600_000, "insert-1000": 2_500_000}


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
        self.scenarios = {s["name"]: s for s in doc["scenarios"]}
        self.samples = {}  # scenario -> list of per-operation bytes, when samples exist


def load_results(path):
    doc = _load_json(path, "results")
    _require(isinstance(doc, dict), path, "not a results document (expected a JSON object)")
    version = doc.get("schema_version")
    _require(version == SCHEMA_VERSION, path,
             f"results of schema version {version!r}; this report reads version {SCHEMA_VERSION}")
    _require(isinstance(doc.get("run"), dict) and isinstance(doc["run"].get("variant"), str), path,
             "run.variant is missing")
    _require(isinstance(doc.get("scenarios"), list) and doc["scenarios"], path, "no scenarios")
    for i, s in enumerate(doc["scenarios"]):
        for key in ("name", "ops", "target_bytes", "totals", "per_op"):
            _require(isinstance(s, dict) and key in s, path, f"scenarios[{i}].{key} is missing")
        for key in ("bytes", "calls", "peak_live_bytes"):
            _require(isinstance(s["totals"].get(key), int), path,
                     f"scenarios[{i}].totals.{key} is missing or not an integer")
    results = Results(path, doc)
    samples = os.path.join(os.path.dirname(path) or ".", f"samples-{results.variant}.csv")
    if os.path.exists(samples):
        results.samples = load_samples(samples)
    return results


def load_samples(path):
    """scenario -> per-operation bytes, from samples-<variant>.csv."""
    by_scenario = {}
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            _require(reader.fieldnames and {"scenario", "bytes"} <= set(reader.fieldnames), path,
                     "not a samples file (no scenario,bytes columns)")
            for line, row in enumerate(reader, start=2):
                try:
                    by_scenario.setdefault(row["scenario"], []).append(int(row["bytes"]))
                except (TypeError, ValueError):
                    raise ReportError(f"{path}:{line}: bytes is not an integer") from None
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


def load_gate(path):
    doc = _load_json(path, "gate")
    _require(isinstance(doc, dict) and isinstance(doc.get("rows"), list), path,
             "not a gate document (expected `memharness gate --json` output)")
    for i, row in enumerate(doc["rows"]):
        for key in ("scenario", "variant", "metric", "measured", "budget", "headroom_percent", "over"):
            _require(key in row, path, f"rows[{i}].{key} is missing")
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
    return doc


def load_heaptrack(path):
    doc = _load_json(path, "heaptrack report")
    _require(isinstance(doc, dict) and isinstance(doc.get("checks"), list) and "sites_by_bytes" in doc, path,
             "not a heaptrack report (expected scripts/heaptrack_report.py's heaptrack.json)")
    for key in ("scenario", "variant", "sites_by_calls", "heaptrack"):
        _require(key in doc, path, f"{key} is missing")
    return doc
