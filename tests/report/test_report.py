"""scripts/report.py end to end on fixed results: what the report holds, that it is
self-contained and repeatable, and the one-line errors for unusable input.

    /usr/bin/python3 -m unittest discover -s tests/report
"""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REPORT = os.path.join(ROOT, "scripts", "report.py")
FIXTURES = os.path.join(HERE, "fixtures")


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def run_report(*args):
    return subprocess.run([sys.executable, REPORT, *args], capture_output=True, text=True, cwd=ROOT)


FULL = [fixture("run", "results-optimized.json"), fixture("run", "results-baseline.json"),
        "--gate", fixture("gate.json"), "--comparison", fixture("comparison.json"),
        "--bench", fixture("bench-ratio.json"), "--heaptrack", fixture("heaptrack.json")]


class FullReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "report")
        cls.proc = run_report(*FULL, "--out", cls.out)
        with open(os.path.join(cls.out, "report.md"), encoding="utf-8") as f:
            cls.md = f.read()
        with open(os.path.join(cls.out, "report.html"), encoding="utf-8") as f:
            cls.html = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit_and_where(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(self.proc.stdout, f"report: {os.path.join(self.out, 'report.html')} (and report.md, figures/)\n")

    def test_every_figure_in_png_and_svg(self):
        for name in ("waterfall", "per_op_distribution", "comparison_deltas"):
            for ext in ("png", "svg"):
                path = os.path.join(self.out, "figures", f"{name}.{ext}")
                self.assertGreater(os.path.getsize(path), 1000, path)
            self.assertIn(f"(figures/{name}.png)", self.md)
        self.assertEqual(self.html.count('<img class="plot"'), 3)
        self.assertEqual(self.html.count('src="data:image/png;base64,'), 3)

    def test_self_contained(self):
        self.assertNotRegex(self.html, r'(src|href)="(https?:)?//')
        self.assertNotIn("<link", self.html)

    def test_metadata_and_run_id(self):
        self.assertIn("Run `20261125-010203-0123456`", self.md)
        self.assertIn("| baseline | fresh, copy, single | 0123456789ab | main | g++ 12.2.0 | RelWithDebInfo | jemalloc |",
                      self.md)

    def test_waterfall_order_and_targets(self):
        self.assertIn("| scenario | target | original engine | baseline | optimized |", self.md)
        self.assertIn("| update-500 | 4,000,000 | 8,300,000 | **8,351,845** | 147,568 |", self.md)
        self.assertIn("| select-1000 | 1,600,000 | 3,200,000 | **3,215,000** | 1,482,048 |", self.md)
        self.assertNotIn("| insert-1000 |", self.md)  # absent from the results: no row, no guess

    def test_gate_verdicts(self):
        self.assertIn("| update-500 | optimized | bytes | 147,568 | 155,000 | +4.8 % | ok |", self.md)
        self.assertIn("| update-500 | optimized | calls | 1,650 | 1,600 | -3.1 % | **over by 50** |", self.md)
        self.assertIn("gate: 1 budgets held, 1 exceeded; update-500 optimized calls over by 50", self.md)
        self.assertIn('<td class="alarm">over by 50</td>', self.html)

    def test_comparison(self):
        self.assertIn("## Comparison: baseline @ 0123456 → optimized @ 89abcde", self.md)
        self.assertIn("| select-1000 | peak_live_bytes | 2,960 | 3,528 | +568 | +19.2 % | **fails** |", self.md)
        self.assertIn("| tiny | (only in head) |", self.md)
        self.assertIn("comparison baseline @ 0123456 → optimized @ 89abcde: 1 of 2 figures grew, "
                      "1 beyond the --fail-over limit", self.md)

    def test_scenario_rows(self):
        self.assertIn("| tiny | optimized | 20 | 1 | 500 | 25 | 5 | 100 | 0 | 50 | 12.0 | 50.0 | 2 | 1,000 |", self.md)

    def test_timing(self):
        self.assertIn("| read/blocks:1000/real_time | 2.97 µs | 2.47 µs | 1.20x | 767 | 256 | 6 | 1 | 3/3 |", self.md)
        self.assertRegex(self.md, r"- timing: optimized is [0-9.]+x the baseline's speed \(geometric mean over 3 ")

    def test_heaptrack(self):
        self.assertIn("## Who allocates: update-500 (optimized, heaptrack)", self.md)
        self.assertIn("| measured phase: calls | 1,650 | 1,650 | +0 | yes |", self.md)
        self.assertIn("| 600 | 28,800 | memh::engine::FreeSpaceMap::Free(memh::engine::Extent)  "
                      "engine/src/free_space/free_space_map.cc:128 | memh::engine::StoreCore::CommitNow", self.md)
        self.assertIn("- heaptrack update-500 (optimized): counts agree exactly with the meter", self.md)

    def test_repeatable(self):
        with tempfile.TemporaryDirectory() as again:
            proc = run_report(*FULL, "--out", again)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            for rel in ("report.md", "figures/waterfall.svg", "figures/per_op_distribution.svg"):
                with open(os.path.join(self.out, rel), "rb") as a, open(os.path.join(again, rel), "rb") as b:
                    self.assertEqual(a.read(), b.read(), rel)


class BadInput(unittest.TestCase):
    def check(self, expected, *args):
        with tempfile.TemporaryDirectory() as out:
            proc = run_report(*args, "--out", out)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertEqual(proc.stdout, "")
            self.assertEqual(proc.stderr, f"report.py: {expected}\n")
            self.assertEqual(os.listdir(out), [])  # nothing written

    def test_missing_file(self):
        self.check(f"{fixture('nope.json')}: no such results file", fixture("nope.json"))

    def test_other_schema(self):
        self.check(f"{fixture('results-v2.json')}: results of schema version 2; this report reads version 1",
                   fixture("results-v2.json"))

    def test_truncated(self):
        self.check(f"{fixture('results-truncated.json')}: not JSON (line 1: Unterminated string starting at)",
                   fixture("results-truncated.json"))

    def test_missing_figure(self):
        self.check(f"{fixture('results-no-calls.json')}: scenarios[1].totals.calls is missing or not an integer",
                   fixture("results-no-calls.json"))

    def test_two_files_one_variant(self):
        path = fixture("run", "results-optimized.json")
        again = fixture("run", "..", "run", "results-optimized.json")
        self.check(f"{again}: a second results file for variant optimized (the first is {path})", path, again)

    def test_gate_is_not_results(self):
        self.check(f"{fixture('gate.json')}: results of schema version None; this report reads version 1",
                   fixture("gate.json"))

    def test_results_given_as_bench(self):
        path = fixture("run", "results-optimized.json")
        self.check(f"{path}: not a benchmark ratio document (expected `scripts/bench_ratio.py --json` output)",
                   path, "--bench", path)

    def test_gate_given_as_heaptrack(self):
        self.check(f"{fixture('gate.json')}: not a heaptrack report (expected scripts/heaptrack_report.py's "
                   "heaptrack.json)", fixture("run", "results-optimized.json"), "--heaptrack", fixture("gate.json"))

    def test_results_given_as_gate(self):
        path = fixture("run", "results-optimized.json")
        self.check(f"{path}: not a gate document (expected `memharness gate --json` output)", path, "--gate", path)


if __name__ == "__main__":
    unittest.main()
