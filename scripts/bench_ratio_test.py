#!/usr/bin/python3
"""Tests of scripts/bench_ratio.py on small Google Benchmark JSON documents written here.
Expected figures are computed here from the fixtures' own numbers, not stored."""
import io
import json
import math
import os
import statistics
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_ratio  # noqa: E402


def doc(variant, rows, build=None):
    context = {"memh_variant": variant}
    if build is not None:
        program = "memh_bench" if build == "timing" else "memh_bench_metered"
        context.update({"memh_build": build, "executable": f"/some/build/bin/{program}-{variant}"})
    return {"context": context, "benchmarks": rows}


def row(name, real_time, unit="ns", bytes_per_op=100.0, allocs_per_op=2.0, **extra):
    r = {"name": name, "run_type": "iteration", "real_time": real_time, "cpu_time": real_time,
         "time_unit": unit, "bytes_per_op": bytes_per_op, "allocs_per_op": allocs_per_op}
    r.update(extra)
    return r


def timing_row(name, real_time, unit="ns"):
    """A row of the timing build: a time and no memory figure at all."""
    return {"name": name, "run_type": "iteration", "real_time": real_time, "cpu_time": real_time, "time_unit": unit}


NS = {"ns": 1, "us": 1e3, "ms": 1e6}


class BenchRatioTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, document):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            json.dump(document, f)
        return path

    def run_main(self, baseline, optimized, baseline_metered=None, optimized_metered=None, json_out=None):
        argv = ["--baseline", *baseline, "--optimized", *optimized]
        if baseline_metered is not None:
            argv += ["--baseline-metered", *baseline_metered]
        if optimized_metered is not None:
            argv += ["--optimized-metered", *optimized_metered]
        if json_out is not None:
            argv += ["--json", json_out]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = bench_ratio.main(argv)
        return code, out.getvalue(), err.getvalue()

    # Two benchmarks over three rounds per binary: times in the unit given, the metered
    # build slower by its hooks and alone carrying the memory counters.
    TIMES = {
        ("baseline", "timing"): {"update/1": [900, 1000, 1100], "scenario/u/manual_time": [20, 22, 21]},
        ("optimized", "timing"): {"update/1": [400, 380, 500], "scenario/u/manual_time": [10, 12, 9]},
        ("baseline", "metered"): {"update/1": [1500, 1400, 1700], "scenario/u/manual_time": [30, 29, 35]},
        ("optimized", "metered"): {"update/1": [450, 470, 430], "scenario/u/manual_time": [11, 13, 12]},
    }
    UNITS = {"update/1": "ns", "scenario/u/manual_time": "ms"}
    MEMORY = {"baseline": {"update/1": (1400.0, 10.5), "scenario/u/manual_time": (16704.0, 13.2)},
              "optimized": {"update/1": (300.0, 4.5), "scenario/u/manual_time": (295.0, 3.3)}}

    def write_both_builds(self):
        files = {}
        for (variant, build), times in self.TIMES.items():
            paths = []
            for r in range(3):
                rows = []
                for name, values in times.items():
                    if build == "timing":
                        rows.append(timing_row(name, values[r], self.UNITS[name]))
                    else:
                        b, a = self.MEMORY[variant][name]
                        rows.append(row(name, values[r], self.UNITS[name], bytes_per_op=b, allocs_per_op=a))
                paths.append(self.write(f"{variant}-{build}-r{r}.json", doc(variant, rows, build)))
            files[(variant, build)] = paths
        return files

    def median_ns(self, variant, build, name):
        return statistics.median(self.TIMES[(variant, build)][name]) * NS[self.UNITS[name]]

    def run_both_builds(self):
        files = self.write_both_builds()
        json_out = os.path.join(self.dir.name, "ratio.json")
        code, out, err = self.run_main(files[("baseline", "timing")], files[("optimized", "timing")],
                                       files[("baseline", "metered")], files[("optimized", "metered")], json_out)
        self.assertEqual(code, 0, err)
        with open(json_out) as f:
            return json.load(f), out, err

    def test_ratio_is_of_medians_over_every_file(self):
        base = [self.write(f"b{i}.json", doc("baseline", [row("read/1", t)])) for i, t in enumerate((300, 100, 200))]
        opt = [self.write(f"o{i}.json", doc("optimized", [row("read/1", t, bytes_per_op=0)])) for i, t in enumerate((50, 40, 900))]
        code, out, _ = self.run_main(base, opt)
        self.assertEqual(code, 0)
        line = next(l for l in out.splitlines() if l.startswith("read/1"))
        # medians 200 ns and 50 ns
        self.assertIn("4.00x", line)
        self.assertIn("200 ns", line)
        self.assertIn("50 ns", line)
        self.assertIn("3/3", line)

    def test_units_are_normalised_and_aggregates_skipped(self):
        base = [self.write("b.json", doc("baseline", [
            row("flush/1", 2, unit="ms"),
            {"name": "flush/1_median", "run_type": "aggregate", "real_time": 1, "time_unit": "ns"}]))]
        opt = [self.write("o.json", doc("optimized", [row("flush/1", 500, unit="us")]))]
        code, out, _ = self.run_main(base, opt)
        self.assertEqual(code, 0)
        self.assertIn("4.00x", out)
        self.assertNotIn("_median", out)

    def test_error_rows_are_unusable_input(self):
        base = [self.write("b.json", doc("baseline", [row("read/1", 1, error_occurred=True, error_message="boom")]))]
        opt = [self.write("o.json", doc("optimized", [row("read/1", 1)]))]
        code, _, err = self.run_main(base, opt)
        self.assertEqual(code, 2)
        self.assertIn("read/1: boom", err)

    def test_not_benchmark_json(self):
        base = [self.write("b.json", {"scenarios": []})]
        opt = [self.write("o.json", doc("optimized", [row("read/1", 1)]))]
        code, _, err = self.run_main(base, opt)
        self.assertEqual(code, 2)
        self.assertIn("not Google Benchmark JSON", err)

    def test_benchmark_on_one_side_only_is_a_warning(self):
        base = [self.write("b.json", doc("baseline", [row("read/1", 10), row("write/1", 10)]))]
        opt = [self.write("o.json", doc("optimized", [row("read/1", 5)]))]
        code, out, err = self.run_main(base, opt)
        self.assertEqual(code, 0)
        self.assertIn("write/1 only in the baseline", err)
        self.assertIn("2.00x", out)

    def test_times_from_the_timing_build_memory_from_the_metered_build(self):
        result, out, err = self.run_both_builds()
        self.assertEqual(err, "")
        self.assertEqual(result["kind"], "memharness bench ratio")
        rows = {r["name"]: r for r in result["rows"]}
        self.assertEqual(set(rows), set(self.UNITS))
        for name, r in rows.items():
            base_ns = self.median_ns("baseline", "timing", name)
            opt_ns = self.median_ns("optimized", "timing", name)
            self.assertAlmostEqual(r["baseline_ns"], base_ns)
            self.assertAlmostEqual(r["optimized_ns"], opt_ns)
            self.assertAlmostEqual(r["ratio"], base_ns / opt_ns)
            self.assertEqual(r["baseline_bytes_per_op"], self.MEMORY["baseline"][name][0])
            self.assertEqual(r["optimized_bytes_per_op"], self.MEMORY["optimized"][name][0])
            self.assertEqual(r["baseline_allocs_per_op"], self.MEMORY["baseline"][name][1])
            self.assertEqual(r["optimized_allocs_per_op"], self.MEMORY["optimized"][name][1])
            self.assertEqual(r["runs"], "3/3")
            # every key the report reads, and no other
            self.assertEqual(list(r), ["name", "baseline_ns", "optimized_ns", "ratio", "baseline_bytes_per_op",
                                       "optimized_bytes_per_op", "baseline_allocs_per_op",
                                       "optimized_allocs_per_op", "runs"])
        ratios = [rows[n]["ratio"] for n in rows]
        self.assertAlmostEqual(result["geomean"]["ratio"], math.exp(sum(map(math.log, ratios)) / len(ratios)))
        metered_ratios = [self.median_ns("baseline", "metered", n) / self.median_ns("optimized", "metered", n)
                          for n in rows]
        self.assertAlmostEqual(result["geomean"]["ratio_if_metered"],
                               math.exp(sum(map(math.log, metered_ratios)) / len(metered_ratios)))
        line = next(l for l in out.splitlines() if l.startswith("update/1 "))
        self.assertIn(f"{rows['update/1']['ratio']:.2f}x", line)

    def test_which_binaries_timed_and_which_counted(self):
        result, out, _ = self.run_both_builds()
        self.assertEqual(result["timed_by"], {"baseline": "memh_bench-baseline (unhooked)",
                                              "optimized": "memh_bench-optimized (unhooked)"})
        for v in ("baseline", "optimized"):
            self.assertTrue(result["memory_by"][v].startswith(f"memh_bench_metered-{v} (metered"))
        self.assertIn("times: memh_bench-baseline (unhooked) and memh_bench-optimized (unhooked)", out)

    def test_meter_overhead_per_benchmark_and_variant(self):
        result, out, _ = self.run_both_builds()
        entries = {(e["benchmark"], e["variant"]): e for e in result["meter_overhead"]}
        self.assertEqual(set(entries), {(n, v) for n in self.UNITS for v in ("baseline", "optimized")})
        for (name, variant), e in entries.items():
            unhooked = self.median_ns(variant, "timing", name)
            metered = self.median_ns(variant, "metered", name)
            self.assertAlmostEqual(e["unhooked_ns"], unhooked)
            self.assertAlmostEqual(e["metered_ns"], metered)
            self.assertAlmostEqual(e["ratio"], metered / unhooked)
            self.assertAlmostEqual(e["extra_ns"], metered - unhooked)
        for v in ("baseline", "optimized"):
            ratios = [e["ratio"] for (n, variant), e in entries.items() if variant == v]
            self.assertAlmostEqual(result["geomean"]["meter_overhead"][v],
                                   math.exp(sum(map(math.log, ratios)) / len(ratios)))
        # printed twice: in the headline table, then in the meter's, with both variants' ratios
        lines = [l for l in out.splitlines() if l.startswith("scenario/u/manual_time ")]
        self.assertEqual(len(lines), 2)
        line = lines[1]
        for v in ("baseline", "optimized"):
            self.assertIn(f"{entries[('scenario/u/manual_time', v)]['ratio']:.2f}x", line)

    def test_timing_files_from_a_metered_build_are_flagged(self):
        base = [self.write("b.json", doc("baseline", [row("read/1", 10)], build="metered"))]
        opt = [self.write("o.json", doc("optimized", [row("read/1", 5)], build="timing"))]
        json_out = os.path.join(self.dir.name, "ratio.json")
        code, out, err = self.run_main(base, opt, json_out=json_out)
        self.assertEqual(code, 0)
        self.assertIn("--baseline files come from a metered build", err)
        with open(json_out) as f:
            result = json.load(f)
        self.assertIn("times include the meter's hooks", result["timed_by"]["baseline"])
        self.assertEqual(result["meter_overhead"], [])

    def test_metered_files_for_one_side_only_is_unusable(self):
        base = [self.write("b.json", doc("baseline", [timing_row("read/1", 10)], build="timing"))]
        opt = [self.write("o.json", doc("optimized", [timing_row("read/1", 5)], build="timing"))]
        code, _, err = self.run_main(base, opt, baseline_metered=base)
        self.assertEqual(code, 2)
        self.assertIn("--optimized-metered", err)

    def test_no_memory_figure_is_shown_as_absent_not_zero(self):
        base = [self.write("b.json", doc("baseline", [timing_row("read/1", 10)], build="timing"))]
        opt = [self.write("o.json", doc("optimized", [timing_row("read/1", 5)], build="timing"))]
        json_out = os.path.join(self.dir.name, "ratio.json")
        code, out, _ = self.run_main(base, opt, json_out=json_out)
        self.assertEqual(code, 0)
        with open(json_out) as f:
            r = json.load(f)["rows"][0]
        self.assertIsNone(r["baseline_bytes_per_op"])
        self.assertIsNone(r["optimized_allocs_per_op"])
        line = next(l for l in out.splitlines() if l.startswith("read/1"))
        self.assertNotIn(" 0 ", line)

    # SQLite's files: times of the timing build, bytes and calls of the metered one.
    SQLITE_TIMES = {"timing": {"update/1": [2000, 2400, 2200], "scenario/u/manual_time": [40, 44, 50]},
                    "metered": {"update/1": [3000, 3100, 2900], "scenario/u/manual_time": [60, 61, 66]}}
    SQLITE_MEMORY = {"update/1": (5000.0, 30.0), "scenario/u/manual_time": (269079.0, 37.0)}

    def write_sqlite(self):
        files = {}
        for build, times in self.SQLITE_TIMES.items():
            paths = []
            for r in range(3):
                rows = []
                for name, values in times.items():
                    if build == "timing":
                        rows.append(timing_row(name, values[r], self.UNITS[name]))
                    else:
                        b, a = self.SQLITE_MEMORY[name]
                        rows.append(row(name, values[r], self.UNITS[name], bytes_per_op=b, allocs_per_op=a))
                paths.append(self.write(f"sqlite-{build}-r{r}.json", doc("sqlite", rows, build)))
            files[build] = paths
        return files

    def test_sqlite_section_with_both_ratios_and_existing_keys_unchanged(self):
        without, _, _ = self.run_both_builds()
        files = self.write_both_builds()
        sqlite = self.write_sqlite()
        json_out = os.path.join(self.dir.name, "ratio-sqlite.json")
        argv = ["--baseline", *files[("baseline", "timing")], "--optimized", *files[("optimized", "timing")],
                "--baseline-metered", *files[("baseline", "metered")],
                "--optimized-metered", *files[("optimized", "metered")],
                "--sqlite", *sqlite["timing"], "--sqlite-metered", *sqlite["metered"], "--json", json_out]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = bench_ratio.main(argv)
        self.assertEqual(code, 0, err.getvalue())
        with open(json_out) as f:
            result = json.load(f)
        for key in ("rows", "timed_by", "memory_by", "meter_overhead", "geomean"):
            self.assertEqual(result[key], without[key], key)
        section = result["sqlite"]
        self.assertIn("memh_bench-sqlite", section["timed_by"])
        self.assertIn("memh_bench_metered-sqlite", section["memory_by"])
        ratios = []
        for r in section["rows"]:
            name = r["name"]
            base = self.median_ns("baseline", "timing", name)
            opt = self.median_ns("optimized", "timing", name)
            sql = statistics.median(self.SQLITE_TIMES["timing"][name]) * NS[self.UNITS[name]]
            self.assertAlmostEqual(r["baseline_ns"], base)
            self.assertAlmostEqual(r["optimized_ns"], opt)
            self.assertAlmostEqual(r["sqlite_ns"], sql)
            self.assertAlmostEqual(r["ratio"], base / opt)
            self.assertAlmostEqual(r["sqlite_ratio"], sql / opt)
            self.assertEqual(r["optimized_bytes_per_op"], self.MEMORY["optimized"][name][0])
            self.assertEqual(r["sqlite_bytes_per_op"], self.SQLITE_MEMORY[name][0])
            self.assertEqual(r["sqlite_allocs_per_op"], self.SQLITE_MEMORY[name][1])
            self.assertEqual(r["runs"], "3/3/3")
            ratios.append(sql / opt)
        self.assertEqual(len(section["rows"]), 2)
        self.assertAlmostEqual(section["geomean"]["sqlite_ratio"], math.sqrt(ratios[0] * ratios[1]))
        line = next(l for l in out.getvalue().splitlines() if l.startswith("update/1") and "x " in l and
                    l.count("x") >= 2 and "5,000" in l)
        self.assertIn(f"{ratios[[r['name'] for r in section['rows']].index('update/1')]:.2f}x", line)

    def test_sqlite_metered_without_sqlite_is_unusable(self):
        files = self.write_both_builds()
        sqlite = self.write_sqlite()
        code, _, err = self.run_main(files[("baseline", "timing")], files[("optimized", "timing")])
        self.assertEqual(code, 0)
        argv = ["--baseline", *files[("baseline", "timing")], "--optimized", *files[("optimized", "timing")],
                "--sqlite-metered", *sqlite["metered"]]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = bench_ratio.main(argv)
        self.assertEqual(code, 2)
        self.assertIn("--sqlite", err.getvalue())


if __name__ == "__main__":
    unittest.main()
