#!/usr/bin/python3
"""Tests of scripts/bench_ratio.py on small Google Benchmark JSON documents written here."""
import io
import json
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_ratio  # noqa: E402


def doc(variant, rows):
    return {"context": {"memh_variant": variant}, "benchmarks": rows}


def row(name, real_time, unit="ns", bytes_per_op=100.0, allocs_per_op=2.0, **extra):
    r = {"name": name, "run_type": "iteration", "real_time": real_time, "cpu_time": real_time,
         "time_unit": unit, "bytes_per_op": bytes_per_op, "allocs_per_op": allocs_per_op}
    r.update(extra)
    return r


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

    def run_main(self, baseline, optimized):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = bench_ratio.main(["--baseline", *baseline, "--optimized", *optimized])
        return code, out.getvalue(), err.getvalue()

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


if __name__ == "__main__":
    unittest.main()
