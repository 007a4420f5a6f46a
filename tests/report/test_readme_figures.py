"""scripts/readme_figures.py and scripts/ci_run_log.py: the README's generated blocks
from a run's data (and "not recorded yet" without it), --check failing on a figure
edited by hand, and the CI log parsed into steps, test presets, ctest totals,
reliability counts, gate and fuzzing lines.

    /usr/bin/python3 -m unittest discover -s tests/report
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures")
FIGURES = os.path.join(ROOT, "scripts", "readme_figures.py")
CI_LOG = os.path.join(ROOT, "scripts", "ci_run_log.py")
COMMIT = "0123456789abcdef0123456789abcdef01234567"

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from memh_report import logs  # noqa: E402
from memh_report.readme import BLOCKS  # noqa: E402


def run(script, *args):
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True, cwd=ROOT)


def make_data(directory, ci_exit=0):
    """A data directory like scripts/example-report.sh and record-ci-run.sh write, from the fixtures."""
    os.makedirs(directory, exist_ok=True)
    for name in ("results-baseline.json", "results-optimized.json"):
        shutil.copy(os.path.join(FIXTURES, "run", name), directory)
    for name in ("gate.json", "bench-ratio.json"):
        shutil.copy(os.path.join(FIXTURES, name), directory)
    shutil.copy(os.path.join(FIXTURES, "heaptrack.json"), os.path.join(directory, "heaptrack-optimized.json"))
    with open(os.path.join(FIXTURES, "comparison.json"), encoding="utf-8") as f:
        comparison = json.load(f)
    comparison["base"]["git_commit"] = comparison["head"]["git_commit"] = COMMIT[:7]
    with open(os.path.join(directory, "comparison.json"), "w", encoding="utf-8") as f:
        json.dump(comparison, f)
    run_record = {"kind": "memharness example run", "git_commit": COMMIT, "git_dirty": False, "command": "test",
                  "build_dir_existed": True, "exit_status": 0, "total_seconds": 431, "cpus": 2,
                  "steps": [{"step": "build (release preset)", "seconds": 12},
                            {"step": "timing (scripts/bench.sh)", "seconds": 70}]}
    with open(os.path.join(directory, "run.json"), "w", encoding="utf-8") as f:
        json.dump(run_record, f)
    proc = run(CI_LOG, os.path.join(FIXTURES, "ci-run.log"), "--commit", "fedcba9876543210fedcba9876543210fedcba98",
               "--exit-status", str(ci_exit), "--total-seconds", "818", "--out", os.path.join(directory, "ci-run.json"))
    assert proc.returncode == 0, proc.stderr
    return directory


def block(text, name):
    m = re.search(rf"<!-- {name}:begin \(([^)]*)\) -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert m, f"no block {name}"
    return m.group(1), m.group(2)


class Blocks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.readme = os.path.join(self.tmp.name, "README.md")
        shutil.copy(os.path.join(ROOT, "README.md"), self.readme)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, data):
        proc = run(FIGURES, "--data", data, "--readme", self.readme)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(self.readme, encoding="utf-8") as f:
            return f.read()

    def check(self, data):
        return run(FIGURES, "--check", "--data", data, "--readme", self.readme)

    def test_without_data_every_measured_block_says_not_recorded(self):
        text = self.write(os.path.join(self.tmp.name, "nothing-here"))
        for name in BLOCKS:
            provenance, body = block(text, name)
            if name == "variants":
                self.assertIn("from cmake/variants.txt", provenance)
                continue
            self.assertIn("not recorded yet", provenance, name)
            self.assertIn("not recorded yet", body, name)
            self.assertNotRegex(body.replace("not recorded yet", ""), r"\d+(\.\d+)? ?(s|%|min|MB|x)\b", name)

    def test_blocks_from_the_data(self):
        text = self.write(make_data(os.path.join(self.tmp.name, "data")))
        provenance, waterfall = block(text, "waterfall")
        self.assertIn("commit 0123456", provenance)  # the data's commit, not HEAD's
        self.assertIn("| update-500 | optimized | 147,568 | 295 | -98.2 % | 4,000,000 | met |", waterfall)
        _, scenarios = block(text, "scenarios")
        self.assertIn("| `update-500` | 500 read-modify-write updates", scenarios)
        self.assertIn("| 4,000,000 | 8,300,000 | 8,351,845 | +0.6 % | 47.9 % |", scenarios)
        _, heaptrack = block(text, "heaptrack")
        self.assertIn("| whole run: calls | 7,006 | 11,841 − 4,834 nested − 1 foreign − 0 bootstrap = 7,006 | yes |",
                      heaptrack)
        self.assertIn("| measured phase: bytes | 173,968 | 147,568 + 16 × 1,650 = 173,968 | yes |", heaptrack)
        self.assertIn("| 600 | 28,800 | 48 | 19.5 % | `memh::engine::FreeSpaceMap::Free`", heaptrack)
        _, timing = block(text, "timing")
        self.assertIn("(`scripts/bench.sh`'s default run, 70 s): the optimized engine was 1.26x as fast", timing)
        self.assertIn("Times from: baseline: memh_bench-baseline (unhooked);", timing)
        self.assertIn("Timed with the meter's hooks instead, the geometric mean would be 1.31x.", timing)
        self.assertIn("| read_into/blocks:1000/real_time | 3.07 µs | 2.02 µs | 1.52x |", timing)
        _, overhead = block(text, "meter-overhead")
        self.assertIn("geometric mean baseline 1.15x, optimized 0.99x.", overhead)
        self.assertIn("| read/blocks:1000/real_time | 1.15x | +432 ns | 0.99x | -14.1 ns |", overhead)
        _, repeats = block(text, "repeatability")
        self.assertIn("the peak moved by at most 3.1 % between repeats (update-500, baseline: 64,000 – 66,000)",
                      repeats)
        self.assertIn("figures other than the peak differed in: tiny (baseline: bytes, calls)", repeats)
        ci_provenance, steps = block(text, "ci-steps")
        self.assertIn("commit fedcba9", ci_provenance)  # the CI record's own commit
        self.assertIn("exit status 0, 13.6 min (818 s) in all.", steps)
        self.assertIn("| · release: built and tested | 238 | ctest: 260 passed, 0 failed of 260 |", steps)
        self.assertIn("| allocation gate (scripts/gate.sh) | 4 | gate: 36 budgets held, 0 failed |", steps)
        self.assertIn("open_store: 31,270 executions in 31 s (0 failures)", steps)
        self.assertIn("harness_inputs: ? executions in 30 s", steps)
        _, reliability = block(text, "reliability")
        self.assertIn("| sigkill crash states tried | 150 (killed mid-workload: 141, finished first: 9), failures: 0 "
                      "| 150 (killed mid-workload: 139, finished first: 11), failures: 0 |", reliability)
        self.assertIn("Lines without `failures: 0`: baseline: header slot bytes flipped: 1024, failures: 2.",
                      reliability)
        self.assertEqual(self.check(os.path.join(self.tmp.name, "data")).returncode, 0)

    def test_a_figure_edited_by_hand_fails_the_check(self):
        data = make_data(os.path.join(self.tmp.name, "data"))
        text = self.write(data)
        with open(self.readme, "w", encoding="utf-8") as f:
            f.write(text.replace("| update-500 | optimized | 147,568 |", "| update-500 | optimized | 140,000 |", 1))
        proc = self.check(data)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("generated blocks differ from what", proc.stderr)
        self.assertIn(": waterfall; do not edit them by hand", proc.stderr)
        self.assertIn("-| update-500 | optimized | 140,000 |", proc.stderr)
        with open(self.readme, encoding="utf-8") as f:
            self.assertIn("140,000", f.read())  # --check writes nothing

    def test_data_newer_than_the_readme_fails_the_check(self):
        data = make_data(os.path.join(self.tmp.name, "data"))
        self.write(data)
        os.remove(os.path.join(data, "bench-ratio.json"))
        proc = self.check(data)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(": timing, meter-overhead;", proc.stderr)

    def test_inputs_of_different_commits_are_refused(self):
        data = make_data(os.path.join(self.tmp.name, "data"))
        path = os.path.join(data, "run.json")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        doc["git_commit"] = "fffffff"
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        proc = self.check(data)
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"^readme_figures.py: .*data: the inputs come from different commits "
                                      r"\(.*run.json: fffffff\); rerun scripts/example-report.sh\n$")

    def test_markers(self):
        with open(self.readme, encoding="utf-8") as f:
            text = f.read()
        for broken, expected in (
                (text.replace("<!-- timing:end -->", ""), "needs exactly one '<!-- timing:begin (...) -->'"),
                (text + "\n<!-- typo:begin (x) -->\n<!-- typo:end -->\n", "a generated block 'typo'")):
            with open(self.readme, "w", encoding="utf-8") as f:
                f.write(broken)
            proc = self.check(os.path.join(self.tmp.name, "nothing-here"))
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(expected, proc.stderr)


class CiLog(unittest.TestCase):
    def parse(self):
        with open(os.path.join(FIXTURES, "ci-run.log"), encoding="utf-8") as f:
            return logs.parse_ci(f)

    def test_steps_and_parts(self):
        parsed = self.parse()
        self.assertEqual([(s["step"], s["seconds"]) for s in parsed["steps"]], [
            ("tests (scripts/test.sh)", 452), ("allocation gate (scripts/gate.sh)", 4),
            ("AddressSanitizer + UBSan suite (scripts/test.sh asan)", 217),
            ("fuzzing (scripts/fuzz.sh, 30 s per target)", 145)])
        self.assertIsNone(parsed["unfinished"])
        tests = parsed["steps"][0]
        self.assertEqual([(p["name"], p["what"], p["seconds"]) for p in tests["parts"]], [
            ("release", "built and tested", 238), ("tsan", "built and ran the concurrency tests", 131),
            ("heaptrack", "built and cross-checked", 83)])
        self.assertEqual(tests["parts"][0]["ctest"], [{"passed": 260, "failed": 0, "total": 260, "seconds": 186.41}])
        self.assertEqual(parsed["steps"][1]["gate"], [{"passed": 36, "failed": 0}])
        self.assertEqual(parsed["steps"][2]["ctest"], [{"passed": 155, "failed": 8, "total": 163, "seconds": 120.5}])

    def test_reliability_lines_by_variant(self):
        release = self.parse()["steps"][0]["parts"][0]["reliability"]
        self.assertEqual(len(release), 12)
        self.assertEqual(release[0], {"knobs": "fresh copy single", "variant": "baseline",
                                      "text": "allocation failure points injected: 194 (once 97, persistent 97), "
                                              "failures: 0"})
        self.assertEqual({r["variant"] for r in release}, {"baseline", "optimized"})

    def test_fuzz_lines(self):
        fuzz = self.parse()["steps"][3]["fuzz"]
        self.assertEqual([(f["target"], f["executions"], f["seconds"]) for f in fuzz],
                         [("open_store", 31270, 31), ("ops_model", 8197, 30), ("harness_inputs", None, 30)])

    def test_a_run_that_stopped(self):
        with open(os.path.join(FIXTURES, "ci-run.log"), encoding="utf-8") as f:
            lines = f.readlines()
        stop = next(i for i, line in enumerate(lines) if line.startswith("tsan: "))
        parsed = logs.parse_ci(lines[:stop])  # the ThreadSanitizer preset never finished
        self.assertEqual(parsed["steps"], [])
        self.assertEqual([p["name"] for p in parsed["unfinished"]["parts"]], ["release"])
        self.assertEqual(parsed["unfinished"]["ctest"], [{"passed": 12, "failed": 0, "total": 12, "seconds": 41.07}])

    def test_cli(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "ci-run.json")
            proc = run(CI_LOG, os.path.join(FIXTURES, "ci-run.log"), "--commit", COMMIT, "--exit-status", "0",
                       "--total-seconds", "818", "--out", out)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
            self.assertEqual((doc["kind"], doc["git_commit"], doc["completed"], doc["total_seconds"]),
                             ("memharness ci run", COMMIT, True, 818))
            empty = os.path.join(tmp, "empty.log")
            open(empty, "w").close()
            proc = run(CI_LOG, empty, "--commit", COMMIT, "--exit-status", "0", "--total-seconds", "1", "--out", out)
            self.assertEqual(proc.returncode, 2)
            self.assertIn("not a log of .ci/run", proc.stderr)


class RunLog(unittest.TestCase):
    def test_step_lines(self):
        self.assertEqual(logs.parse_run(["== baseline\n", "run: build (release preset): 12 s\n",
                                         "run: report: 8 s\n", "update-500 ... 3 s\n"]),
                         [{"step": "build (release preset)", "seconds": 12}, {"step": "report", "seconds": 8}])


if __name__ == "__main__":
    unittest.main()
