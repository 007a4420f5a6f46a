#!/usr/bin/env python3
"""Checks a `memharness export` against its format's published structure and against
the results documents it was made from.

    check_export.py bmf|gab|benchfmt|gbench EXPORT RESULTS.json...

The structures checked (docs/exports.md cites each source):
  bmf       Bencher Metric Format's JSON schema: an object of benchmarks, each an
            object of measures, each an object with a numeric `value` and optional
            numeric `lower_value` / `upper_value`; and lower <= value <= upper.
  gab       github-action-benchmark's custom format: an array of objects with string
            `name` and `unit`, numeric `value`, optional string `range` and `extra`.
  benchfmt  the Go benchmark format (golang.org/design/14313-benchmark-format, as
            golang.org/x/perf/benchfmt reads it): every line is blank, a comment, a
            configuration line, a unit metadata line or a benchmark line; benchmark
            lines are "Benchmark<Upper>... <iterations> (<value> <unit>)+"; and
            `Unit B/op assume=exact` is there. When `benchstat` is on PATH it must
            also read the file.
  gbench    Google Benchmark's JSON output as tools/gbench (compare.py) reads it: a
            `context` object and a `benchmarks` array whose entries carry name,
            run_name, run_type, repetitions, repetition_index, threads, iterations,
            real_time, cpu_time, time_unit, and the memory-manager fields
            allocs_per_iter, max_bytes_used, total_allocated_bytes (net_heap_growth
            when known); compare.py's pairing of a run with itself finds every one.
Every figure must be the results' own: totals for values, range for bounds.
Exit 0 with one line when all holds; exit 1 naming the first thing that does not.
"""
import json
import re
import shutil
import subprocess
import sys


class Mismatch(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Mismatch(message)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def results_rows(paths):
    """{(scenario, variant): scenario entry} over every results file."""
    rows = {}
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for scenario in doc["scenarios"]:
            rows[(scenario["name"], doc["run"]["variant"])] = scenario
    return rows


# Each format's name for the three totals.
FIGURES = ("bytes", "calls", "peak_live_bytes")
BMF_SLUGS = {"allocated-bytes": "bytes", "allocation-calls": "calls", "peak-live-bytes": "peak_live_bytes"}
GAB_LABELS = {" allocated bytes": "bytes", " allocation calls": "calls", " peak live bytes": "peak_live_bytes"}
GO_UNITS = {"B/op": "bytes", "allocs/op": "calls", "peak-B/op": "peak_live_bytes"}


def check_bmf(text, rows):
    doc = json.loads(text)
    expect(isinstance(doc, dict), "BMF: the document is not an object")
    for name, measures in doc.items():
        expect(isinstance(name, str) and 0 < len(name) <= 1024, f"BMF: benchmark name {name!r}")
        expect(isinstance(measures, dict) and measures, f"BMF: {name}: not an object of measures")
        scenario = rows.get(tuple(name.rsplit("/", 1)))
        expect(scenario is not None, f"BMF: {name}: no such scenario/variant in the results")
        for slug, metric in measures.items():
            expect(0 < len(slug) <= 64, f"BMF: {name}: measure slug {slug!r}")
            expect(isinstance(metric, dict) and "value" in metric, f"BMF: {name}.{slug}: no value")
            expect(set(metric) <= {"value", "lower_value", "upper_value"}, f"BMF: {name}.{slug}: keys {sorted(metric)}")
            for key, value in metric.items():
                expect(is_number(value), f"BMF: {name}.{slug}.{key} is not a number: {value!r}")
            lower = metric.get("lower_value", metric["value"])
            upper = metric.get("upper_value", metric["value"])
            expect(lower <= metric["value"] <= upper, f"BMF: {name}.{slug}: not lower <= value <= upper")
            figure = BMF_SLUGS.get(slug)
            expect(figure is not None, f"BMF: {name}: unexpected measure {slug}")
            expect(metric["value"] == scenario["totals"][figure], f"BMF: {name}.{slug}.value != totals.{figure}")
            if "range" in scenario:
                expect(lower == scenario["range"][figure]["min"] and upper == scenario["range"][figure]["max"],
                       f"BMF: {name}.{slug}: bounds are not range.{figure}")
        expect(set(measures) == set(BMF_SLUGS), f"BMF: {name}: measures {sorted(measures)}")
    expect(len(doc) == len(rows), f"BMF: {len(doc)} benchmarks for {len(rows)} scenarios")
    return len(doc)


def check_gab(text, rows):
    doc = json.loads(text)
    expect(isinstance(doc, list), "gab: the document is not an array")
    for entry in doc:
        expect(isinstance(entry, dict), f"gab: entry {entry!r} is not an object")
        for key in ("name", "unit"):
            expect(isinstance(entry.get(key), str), f"gab: {entry.get('name')}: {key} is not a string")
        expect(is_number(entry.get("value")), f"gab: {entry['name']}: value is not a number")
        for key in ("range", "extra"):
            expect(key not in entry or isinstance(entry[key], str), f"gab: {entry['name']}: {key} is not a string")
        expect(set(entry) <= {"name", "unit", "value", "range", "extra"}, f"gab: {entry['name']}: keys {sorted(entry)}")
        label = next((l for l in GAB_LABELS if entry["name"].endswith(l)), None)
        expect(label is not None, f"gab: {entry['name']}: which figure?")
        figure = GAB_LABELS[label]
        scenario = rows.get(tuple(entry["name"][: -len(label)].rsplit("/", 1)))
        expect(scenario is not None, f"gab: {entry['name']}: no such scenario/variant in the results")
        expect(entry["value"] == scenario["totals"][figure], f"gab: {entry['name']}: value != totals.{figure}")
        if "range" in scenario:
            r = scenario["range"][figure]
            expect(entry.get("range") == f"{r['min']}..{r['max']}", f"gab: {entry['name']}: range is not range.{figure}")
    expect(len(doc) == len(rows) * len(FIGURES), f"gab: {len(doc)} entries for {len(rows)} scenarios")
    return len(doc)


def go_name(scenario):
    """docs/exports.md's mapping: runs of letters and digits, each capitalised, joined."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", scenario) if part)


CONFIG_KEY = re.compile(r"[a-z][^\sA-Z:]*:")


def check_benchfmt(text, rows, path):
    units = {}
    seen = {}
    for number, line in enumerate(text.split("\n"), 1):
        where = f"benchfmt line {number}"
        fields = line.split()
        if not fields or line.startswith("#"):
            continue
        if fields[0].startswith("Benchmark"):
            # 14313: an even number of fields, at least four; the name starts with
            # Benchmark followed by an upper-case letter; an integer iteration count;
            # value/unit pairs whose values parse as numbers.
            name = fields[0]
            expect(len(fields) >= 4 and len(fields) % 2 == 0, f"{where}: {len(fields)} fields")
            expect(re.match(r"Benchmark([A-Z]|$)", name), f"{where}: name {name}")
            expect(re.fullmatch(r"[0-9]+", fields[1]) and int(fields[1]) > 0, f"{where}: iterations {fields[1]}")
            values = {}
            for value, unit in zip(fields[2::2], fields[3::2]):
                try:
                    float(value)
                except ValueError:
                    raise Mismatch(f"{where}: value {value!r} is not a number")
                expect(not re.fullmatch(r"[-+0-9.eE]+", unit), f"{where}: unit {unit!r}")
                values[unit] = value
            # No -N suffix (we give no GOMAXPROCS): the name is Benchmark<Scenario>/variant=<variant>.
            m = re.fullmatch(r"Benchmark([A-Za-z0-9]+)/variant=([^/\s]+)", name)
            expect(m is not None and not re.search(r"-[0-9]+$", name), f"{where}: name {name} is not Benchmark<Scenario>/variant=<v>")
            matches = [key for key in rows if go_name(key[0]) == m.group(1) and key[1] == m.group(2)]
            expect(len(matches) == 1, f"{where}: {name}: no one scenario/variant of the results")
            expect(name not in seen, f"{where}: {name} also on line {seen.get(name)}")
            seen[name] = number
            scenario = rows[matches[0]]
            expect(set(values) == set(GO_UNITS), f"{where}: units {sorted(values)}")
            for unit, figure in GO_UNITS.items():
                expect(values[unit] == str(scenario["totals"][figure]), f"{where}: {unit} != totals.{figure}")
        elif fields[0] == "Unit":
            expect(len(fields) >= 3, f"{where}: unit line without metadata")
            for pair in fields[2:]:
                expect("=" in pair and not pair.startswith("="), f"{where}: {pair!r} is not key=value")
                key, value = pair.split("=", 1)
                expect(units.get((fields[1], key), value) == value, f"{where}: {fields[1]} {key} set twice")
                units[(fields[1], key)] = value
        else:
            # A configuration line: "key:" then a space and the value, or nothing.
            expect(CONFIG_KEY.match(line), f"{where}: neither benchmark, unit nor configuration: {line!r}")
            key, value = line.split(":", 1)
            expect(value == "" or value[0] in " \t", f"{where}: no space after {key}:")
    expect(units.get(("B/op", "assume")) == "exact", "benchfmt: no `Unit B/op assume=exact`")
    expect(units.get(("allocs/op", "assume")) == "exact", "benchfmt: no `Unit allocs/op assume=exact`")
    expect(len(seen) == len(rows), f"benchfmt: {len(seen)} benchmarks for {len(rows)} scenarios")
    benchstat = shutil.which("benchstat")
    if benchstat:
        run = subprocess.run([benchstat, path], capture_output=True, text=True)
        # benchstat reports a line it cannot parse on stderr and still exits 0.
        expect(run.returncode == 0 and not run.stderr.strip(), f"benchstat {path}: exit {run.returncode}: {run.stderr.strip()}")
    return len(seen)


TIME_UNITS = ("ns", "us", "ms", "s")


def check_gbench(text, rows):
    doc = json.loads(text)
    expect(isinstance(doc, dict) and isinstance(doc.get("context"), dict), "gbench: no context object")
    benchmarks = doc.get("benchmarks")
    expect(isinstance(benchmarks, list), "gbench: no benchmarks array")
    types = {"name": str, "run_name": str, "run_type": str, "family_index": int, "per_family_instance_index": int,
             "repetitions": int, "repetition_index": int, "threads": int, "iterations": int, "time_unit": str}
    for b in benchmarks:
        for key, kind in types.items():
            expect(isinstance(b.get(key), kind) and not isinstance(b.get(key), bool), f"gbench: {b.get('name')}: {key}")
        expect(b["run_type"] in ("iteration", "aggregate"), f"gbench: {b['name']}: run_type {b['run_type']}")
        expect(b["time_unit"] in TIME_UNITS, f"gbench: {b['name']}: time_unit {b['time_unit']}")
        expect(b["iterations"] > 0 and b["threads"] > 0, f"gbench: {b['name']}: iterations or threads")
        for key in ("real_time", "cpu_time", "allocs_per_iter"):
            expect(is_number(b.get(key)), f"gbench: {b['name']}: {key} is not a number")
        for key in ("max_bytes_used", "total_allocated_bytes"):
            expect(is_int(b.get(key)), f"gbench: {b['name']}: {key} is not an integer")
        expect("net_heap_growth" not in b or is_int(b["net_heap_growth"]), f"gbench: {b['name']}: net_heap_growth")
        scenario = rows.get(tuple(b["name"].rsplit("/", 1)))
        expect(scenario is not None, f"gbench: {b['name']}: no such scenario/variant in the results")
        t = scenario["totals"]
        expect(b["iterations"] == scenario["ops"], f"gbench: {b['name']}: iterations != ops")
        expect(b["total_allocated_bytes"] == t["bytes"], f"gbench: {b['name']}: total_allocated_bytes != totals.bytes")
        expect(b["max_bytes_used"] == t["peak_live_bytes"], f"gbench: {b['name']}: max_bytes_used != peak")
        expect(b.get("net_heap_growth") == t.get("net_bytes"), f"gbench: {b['name']}: net_heap_growth != net_bytes")
        expect(abs(b["allocs_per_iter"] * scenario["ops"] - t["calls"]) < 1e-6 * max(t["calls"], 1),
               f"gbench: {b['name']}: allocs_per_iter * iterations != calls")
        expect(b["real_time"] == scenario["time_ns"]["p50"], f"gbench: {b['name']}: real_time != time_ns.p50")
    # compare.py pairs benchmarks by name and keeps those with time_unit, real_time and
    # cpu_time; a run against itself must pair every benchmark, and once.
    comparable = [b for b in benchmarks if all(k in b for k in ("time_unit", "real_time", "cpu_time"))]
    names = [b["name"] for b in comparable]
    expect(len(set(names)) == len(names) == len(benchmarks), "gbench: compare.py would not pair every benchmark once")
    expect(len(benchmarks) == len(rows), f"gbench: {len(benchmarks)} benchmarks for {len(rows)} scenarios")
    return len(benchmarks)


def main(fmt, export_path, results):
    with open(export_path) as f:
        text = f.read()
    rows = results_rows(results)
    try:
        if fmt == "bmf":
            count = check_bmf(text, rows)
        elif fmt == "gab":
            count = check_gab(text, rows)
        elif fmt == "benchfmt":
            count = check_benchfmt(text, rows, export_path)
        elif fmt == "gbench":
            count = check_gbench(text, rows)
        else:
            raise Mismatch(f"unknown format {fmt}")
    except (Mismatch, json.JSONDecodeError, KeyError) as e:
        print(f"check_export: {export_path}: {e}")
        return 1
    print(f"check_export: {fmt}: {count} entries of {len(rows)} scenario/variant rows agree with the results")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
