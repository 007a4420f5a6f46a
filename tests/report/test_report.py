"""scripts/report.py end to end on fixed results: what the report holds, that it is
self-contained and repeatable, and the one-line errors for unusable input.

    /usr/bin/python3 -m unittest discover -s tests/report
"""
import json
import math
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
        self.assertIn("| tiny | baseline | bytes | 2,000 | 2,200 | +9.1 % | **nondeterministic (repeats differed)** |",
                      self.md)
        self.assertIn("gate: 1 budgets held, 1 exceeded, 1 nondeterministic; update-500 optimized calls over by 50; "
                      "tiny baseline bytes nondeterministic", self.md)
        self.assertIn('<td class="alarm">over by 50</td>', self.html)

    def test_ranges_and_nondeterministic(self):
        # Figures that differed between repeats show lowest – highest; a single-threaded
        # scenario whose figures differed is "nondeterministic", marked, and in the summary.
        self.assertIn("| tiny | baseline | 20 | 1 | 2,000 – 2,100 | 100 | 20 – 21 | 300 | 100 | 100 | 12.0 | 50.0 | "
                      "2 (differed) | **1,000** | **nondeterministic** |", self.md)
        self.assertIn("| update-500 | baseline | 500 | 1 | 8,351,845 | 16,704 | 6,600 | 64,000 – 66,000 |", self.md)
        self.assertIn("- nondeterministic (a single-threaded scenario's figures differed between repeats): "
                      "tiny (baseline)", self.md)

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
        self.assertIn("Times from: baseline: memh_bench-baseline (unhooked); ", self.md)
        self.assertIn("| read/blocks:1000/real_time | baseline | 2.97 µs | 3.4 µs | 1.15x | +432 ns | 3/3 |", self.md)
        self.assertIn("| read/blocks:1000/real_time | optimized | 2.47 µs | 2.46 µs | 0.99x | -14.1 ns | 3/3 |", self.md)

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

    def test_no_sqlite_section(self):
        # bench-ratio.json has no "sqlite" section (scripts/bench.sh without --with-sqlite):
        # one line says so, and there is no SQLite table or plot.
        self.assertEqual(self.md.count("SQLite: not in this run (the benchmark ratio file has no \"sqlite\" section; "
                                       "scripts/bench.sh --with-sqlite adds it)."), 1)
        self.assertNotIn("## Timing against SQLite", self.md)
        self.assertNotIn("timing against SQLite", self.md)
        self.assertFalse([f for f in os.listdir(os.path.join(self.out, "figures")) if f.startswith("sqlite")])


def load_fixture(name):
    with open(fixture(name), encoding="utf-8") as f:
        return json.load(f)


def memh_report():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import memh_report.figures
    return memh_report


SQLITE = [fixture("run", "results-optimized.json"), fixture("run", "results-baseline.json"),
          "--gate", fixture("gate.json"), "--comparison", fixture("comparison.json"),
          "--bench", fixture("bench-ratio-sqlite.json"), "--heaptrack", fixture("heaptrack.json")]


class SqliteReport(unittest.TestCase):
    """A benchmark ratio file with a "sqlite" section (scripts/bench.sh --with-sqlite): the
    table of baseline, optimized and SQLite, and the plot by store size."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "report")
        cls.proc = run_report(*SQLITE, "--out", cls.out)
        with open(os.path.join(cls.out, "report.md"), encoding="utf-8") as f:
            cls.md = f.read()
        with open(os.path.join(cls.out, "report.html"), encoding="utf-8") as f:
            cls.html = f.read()
        cls.doc = load_fixture("bench-ratio-sqlite.json")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def test_table(self):
        self.assertIn("## Timing against SQLite", self.md)
        self.assertIn("| benchmark | baseline | optimized | SQLite | baseline / optimized | SQLite / optimized | "
                      "bytes/op base | bytes/op opt | bytes/op SQLite | allocs/op base | allocs/op opt | "
                      "allocs/op SQLite | runs |", self.md)
        # 1500 / 1000 ns and 3000 / 1000 ns; bytes and calls of the baseline from the headline rows.
        self.assertIn("| read/blocks:1000/real_time | 1.5 µs | 1 µs | 3 µs | 1.50x | 3.00x | 767 | 256 | 960 | "
                      "6 | 1 | 3 | 3/3/3 |", self.md)
        # SQLite faster: 1250 / 50000 = 0.025, marked, two significant figures rather than 0.03x.
        self.assertIn("| write/blocks:100000/real_time | 56 µs | 50 µs | 1.25 µs | 1.12x | **0.025x** | 6,080 | 243 | "
                      "2,728 | 8 | 2 | 2.46 | 3/3/3 |", self.md)
        # No metered SQLite figure: "-".
        self.assertIn("| flush/blocks:1000/real_time | 136 µs | 100 µs | 5 µs | 1.36x | **0.05x** | 100,939 | 657 | - | "
                      "24 | 15 | - | 3/3/3 |", self.md)
        self.assertIn("| scenario/update-500/iterations:3/manual_time | 11.5 ms | 10 ms | 20 ms | 1.15x | 2.00x | "
                      "16,701 | 292 | 269,079 | 13.2 | 3.29 | 37 | 3/3/3 |", self.md)
        # A benchmark without a SQLite run is in the headline table only.
        self.assertEqual(self.md.count("| update/blocks:1000/real_time |"), 1)
        rows = [line for line in self.md.splitlines() if line.endswith("| 3/3/3 |")]
        self.assertEqual([line.split(" | ")[0][2:] for line in rows], [r["name"] for r in self.doc["sqlite"]["rows"]])
        self.assertIn("SQLite: memh_bench-sqlite (unhooked).", self.md)
        self.assertIn("SQLite: memh_bench_metered-sqlite (metered: times include the meter's hooks).", self.md)
        self.assertIn('<td class="num alarm">0.025x</td>', self.html)
        self.assertNotIn("SQLite: not in this run", self.md)

    def test_summary(self):
        ratios = [r["sqlite_ns"] / r["optimized_ns"] for r in self.doc["sqlite"]["rows"]]
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        self.assertIn(f"- timing against SQLite: SQLite's time is {mean:.2f}x the optimized engine's (geometric "
                      f"mean over {len(ratios)} benchmarks; {min(ratios):.2g}x to {max(ratios):.2f}x; above 1 = the "
                      "optimized engine faster)", self.md)

    def test_plot(self):
        for ext in ("png", "svg"):
            path = os.path.join(self.out, "figures", f"sqlite_sizes.{ext}")
            self.assertGreater(os.path.getsize(path), 1000, path)
        self.assertIn("![Baseline, optimized and SQLite by store size](figures/sqlite_sizes.png)", self.md)
        self.assertIn("In the table only: read_threads (from several threads) and the scenarios.", self.md)
        self.assertEqual(self.html.count('<img class="plot"'), 4)
        self.assertEqual(self.html.count('src="data:image/png;base64,'), 4)
        with open(os.path.join(self.out, "figures", "sqlite_sizes.svg"), encoding="utf-8") as f:
            svg = f.read()
        self.assertNotIn("<dc:date>", svg)

    def test_plot_data(self):
        series, left_out = memh_report().figures.sqlite_series(self.doc)
        # One panel per operation with a store size, in the rows' order; update has no SQLite run.
        self.assertEqual(list(series), ["read", "read_into", "write", "flush"])
        self.assertEqual(left_out, ["read_threads/blocks:1000/real_time/threads:2",
                                    "scenario/update-500/iterations:3/manual_time"])
        self.assertEqual(series["read_into"], {
            "time": {"baseline": [(1000, 1200.0), (1000000, 4000.0)], "optimized": [(1000, 1000.0), (1000000, 3200.0)],
                     "sqlite": [(1000, 3000.0), (1000000, 8000.0)]},
            "bytes": {"baseline": [(1000, 511.0), (1000000, 511.0)], "optimized": [(1000, 0.0), (1000000, 0.0)],
                      "sqlite": [(1000, 704.0), (1000000, 704.0)]}})
        # No metered SQLite figure: no SQLite line in the bytes panel.
        self.assertEqual(series["flush"]["bytes"], {"baseline": [(1000, 100939.0)], "optimized": [(1000, 657.0)]})
        self.assertEqual(series["flush"]["time"]["sqlite"], [(1000, 5000.0)])

    def test_scales(self):
        figures = memh_report().figures
        plt = figures.plt

        def scale(values):
            fig, ax = plt.subplots()
            figures._scale_y(ax, values, figures._count)
            name = ax.get_yscale()
            plt.close(fig)
            return name
        self.assertEqual(scale([1000.0, 2500.0, 3000.0, 6000.0]), "linear")  # under a decade
        self.assertEqual(scale([0.0, 511.0, 704.0]), "linear")
        self.assertEqual(scale([1000.0, 1250.0, 50000.0]), "log")
        self.assertEqual(scale([0.0, 704.0, 51100.0]), "symlog")  # 0 must show

    def test_repeatable(self):
        with tempfile.TemporaryDirectory() as again:
            proc = run_report(*SQLITE, "--out", again)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            for rel in ("report.md", "figures/sqlite_sizes.svg", "figures/sqlite_sizes.png"):
                with open(os.path.join(self.out, rel), "rb") as a, open(os.path.join(again, rel), "rb") as b:
                    self.assertEqual(a.read(), b.read(), rel)

    def test_only_scenarios_no_plot(self):
        # Nothing with a store size: the table, and no empty plot.
        def scenarios_only(doc):
            doc["sqlite"]["rows"] = [r for r in doc["sqlite"]["rows"] if r["name"].startswith("scenario/")]
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "report")
            proc = run_report(fixture("run", "results-optimized.json"), "--bench",
                              doctored(tmp, fixture("bench-ratio-sqlite.json"), scenarios_only), "--out", out)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
                md = f.read()
            self.assertIn("| scenario/update-500/iterations:3/manual_time | 11.5 ms | 10 ms | 20 ms |", md)
            self.assertNotIn("sqlite_sizes", md)
            self.assertFalse([f for f in os.listdir(os.path.join(out, "figures")) if f.startswith("sqlite")])


def doctored(tmp, source, change, name=None):
    """A copy of a fixture JSON in tmp, changed by change(doc); its path."""
    with open(source, encoding="utf-8") as f:
        doc = json.load(f)
    change(doc)
    path = os.path.join(tmp, name or os.path.basename(source))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return path


def scenario(doc, name):
    return next(s for s in doc["scenarios"] if s["name"] == name)


class FromTheResults(unittest.TestCase):
    """Targets, the original scenarios, the meter's header size and the variant order
    come from the inputs and cmake/variants.txt, not from copies in the report."""

    def render(self, *args):
        with tempfile.TemporaryDirectory() as out:
            proc = run_report(*args, "--out", out)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
                return f.read()

    def test_targets_and_originals(self):
        def retarget(doc):
            scenario(doc, "update-500").update(target_bytes=9_000_000, met_target=True, verdict="met")
            scenario(doc, "select-1000").pop("original_bytes")
            scenario(doc, "tiny")["original_bytes"] = 4_000
        with tempfile.TemporaryDirectory() as tmp:
            md = self.render(doctored(tmp, fixture("run", "results-baseline.json"), retarget))
        self.assertIn("| update-500 | 9,000,000 | 8,300,000 | 8,351,845 |", md)
        self.assertIn("| tiny | 1,000 | 4,000 | **2,000 – 2,100** |", md)
        self.assertNotIn("| select-1000 | 1,600,000 |", md)
        self.assertIn("- update-500 (target 9 MB): baseline 8.35 MB", md)
        self.assertIn("- tiny (target 1,000 bytes): baseline 2,000 bytes – 2,100 bytes", md)

    def test_header_bytes(self):
        def header(doc):
            doc["meter_header_bytes"] = 32
        with tempfile.TemporaryDirectory() as tmp:
            md = self.render(fixture("run", "results-optimized.json"), "--heaptrack",
                             doctored(tmp, fixture("heaptrack.json"), header))
        self.assertIn("(the meter's 32-byte header per call taken off)", md)

    def test_variant_order_is_the_one_list(self):
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        from memh_report import variants
        listed = subprocess.run(["bash", os.path.join(ROOT, "scripts", "variants.sh")], capture_output=True,
                                text=True, check=True).stdout.split()
        self.assertEqual(variants.WATERFALL, listed)
        self.assertEqual(listed[0], "baseline")
        self.assertEqual(listed[-1], "optimized")
        md = self.render(fixture("run", "results-optimized.json"), fixture("run", "results-baseline.json"))
        self.assertIn("| scenario | target | original engine | baseline | optimized |", md)


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
        self.check(f"{fixture('results-v1.json')}: results of schema version 1; this report reads versions 2 to 3",
                   fixture("results-v1.json"))

    def test_meter_not_in_the_allocation_path(self):
        self.check(f"{fixture('results-meter-off.json')}: was not made with the meter in the allocation path "
                   "(run.meter.in_allocation_path is false): rerun", fixture("results-meter-off.json"))

    def test_no_meter(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = doctored(tmp, fixture("run", "results-optimized.json"), lambda d: d["run"].pop("meter"))
            self.check(f"{path}: run.meter is missing", path)

    def test_unknown_verdict(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = doctored(tmp, fixture("run", "results-optimized.json"),
                            lambda d: d["scenarios"][0].update(verdict="fine"))
            self.check(f"{path}: scenarios[0].verdict is 'fine', not one of met, over, nondeterministic", path)

    def test_missing_range(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = doctored(tmp, fixture("run", "results-optimized.json"),
                            lambda d: d["scenarios"][1]["range"].pop("charged_bytes"))
            self.check(f'{path}: scenarios[1].range.charged_bytes is missing or not {{"min", "max"}}', path)

    def test_targets_disagree(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = doctored(tmp, fixture("run", "results-optimized.json"),
                            lambda d: scenario(d, "update-500").update(target_bytes=1))
            self.check(f"{path}: update-500's target or original figure (1, 8300000) differs from "
                       f"{fixture('run', 'results-baseline.json')}'s (4000000, 8300000) (results of different "
                       "scenario files)", fixture("run", "results-baseline.json"), path)

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
        self.check(f"{fixture('gate.json')}: results of schema version None; this report reads versions 2 to 3",
                   fixture("gate.json"))

    def test_results_given_as_bench(self):
        path = fixture("run", "results-optimized.json")
        self.check(f"{path}: not a benchmark ratio document (expected `scripts/bench_ratio.py --json` output)",
                   path, "--bench", path)

    def test_gate_given_as_heaptrack(self):
        self.check(f"{fixture('gate.json')}: not a heaptrack report (expected scripts/heaptrack_report.py's "
                   "heaptrack.json)", fixture("run", "results-optimized.json"), "--heaptrack", fixture("gate.json"))

    def test_sqlite_section_without_sqlite_times(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = doctored(tmp, fixture("bench-ratio-sqlite.json"), lambda d: d["sqlite"]["rows"][1].pop("sqlite_ns"))
            self.check(f"{path}: sqlite.rows[1].sqlite_ns is missing", fixture("run", "results-optimized.json"),
                       "--bench", path)

    def test_sqlite_section_not_an_object(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = doctored(tmp, fixture("bench-ratio-sqlite.json"), lambda d: d.update(sqlite=[]))
            self.check(f"{path}: sqlite is not an object with a rows list", fixture("run", "results-optimized.json"),
                       "--bench", path)

    def test_results_given_as_gate(self):
        path = fixture("run", "results-optimized.json")
        self.check(f"{path}: not a gate document (expected `memharness gate --json` output)", path, "--gate", path)


if __name__ == "__main__":
    unittest.main()
