"""scripts/heaptrack_report.py and memh_report/heaptrack_data.py on small synthetic
heaptrack recordings made here, with the meter's figures beside them: the measured
phase cut out between the marks, the three exact checks and their verdicts, the call
sites, the exit codes. Every expected figure is computed here from the inputs (whole
run: heaptrack's calls = meter's calls - nested - foreign - bootstrap; measured phase:
calls = the meter's totals.calls and bytes = totals.bytes + 16 x calls), and cases
built to disagree must come out "no".

    /usr/bin/python3 -m unittest discover -s tests/report
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(ROOT, "scripts")
sys.path.insert(0, SCRIPTS)

from memh_report import heaptrack_data, inputs  # noqa: E402
from memh_report.inputs import ReportError  # noqa: E402

HEADER = 16  # the meter's header per block, which heaptrack sees as part of each request
SCENARIO = "tiny"


class Trace:
    """Writes heaptrack's interpreted format (heaptrack_data's docstring) from frames
    named here: strings, instruction pointers, traces, allocation infos, then events."""

    def __init__(self, source_root):
        self.root = source_root
        self.strings = {}
        self.lines = ["v 10400 3", "X memharness-optimized run tiny"]
        self.ips = {}
        self.traces = {}
        self.infos = {}  # name -> (index, size)
        self.events = []  # (kind, info name)

    def string(self, text):
        if text not in self.strings:
            self.strings[text] = len(self.strings) + 1
            self.lines.append(f"s {len(text.encode()):x} {text}")
        return self.strings[text]

    def ip(self, name, function, file=None, line=0, module="/build/bin/memharness-optimized"):
        fields = [f"{0x400000 + 16 * (len(self.ips) + 1):x}", f"{self.string(module):x}"]
        if function is not None:
            path = file if file is None or file.startswith("/") else os.path.join(self.root, file)
            fields += [f"{self.string(function):x}", f"{self.string(path):x}", f"{line:x}"]
        self.lines.append("i " + " ".join(fields))
        self.ips[name] = len(self.ips) + 1

    def trace(self, name, ip, parent=None):
        self.lines.append(f"t {self.ips[ip]:x} {self.traces[parent] if parent else 0:x}")
        self.traces[name] = len(self.traces) + 1

    def info(self, name, size, trace):
        self.lines.append(f"a {size:x} {self.traces[trace]:x}")
        self.infos[name] = (len(self.infos), size)

    def alloc(self, name, times=1):
        for _ in range(times):
            self.events.append(("+", name))
            self.lines.append(f"+ {self.infos[name][0]:x}")

    def free(self, name):
        self.lines.append(f"- {self.infos[name][0]:x}")

    def tick(self, ms):
        self.lines.append(f"c {ms:x}")

    def line_of_last_event(self):
        return len(self.lines)

    def write(self, path):
        text = path + ".txt"
        with open(text, "w", encoding="utf-8") as f:
            f.write("\n".join(self.lines) + "\n")
        subprocess.run(["zstd", "-q", "-f", "-o", path, text], check=True)
        return path

    # What the recording holds, computed from the events (not by the reader under test).
    def figures(self):
        whole_calls = whole_bytes = phase_calls = phase_bytes = 0
        state = "before"
        per_info = {}
        for _, name in self.events:
            size = self.infos[name][1]
            whole_calls += 1
            whole_bytes += size
            if name == "begin_mark":
                state = "phase"
            elif name == "end_mark":
                state = "after"
            elif state == "phase":
                phase_calls += 1
                phase_bytes += size
                calls, nbytes = per_info.get(name, (0, 0))
                per_info[name] = (calls + 1, nbytes + size)
        return {"whole_calls": whole_calls, "whole_bytes": whole_bytes, "phase_calls": phase_calls,
                "phase_bytes": phase_bytes, "per_info": per_info}


# Who allocates in the synthetic run, innermost frame first: the stack each site should
# be reported with (at most 4 frames of this project's sources, plumbing left out).
SITE_FREE = ["memh::engine::FreeSpaceMap::Free(memh::engine::Extent)", "memh::engine::StoreCore::CommitNow()",
             "memh::harness::RunStep()", "memh::harness::RunScenario()"]  # main() is the 5th: cut
SITE_VECTOR = ["memh::harness::RunStep()", "memh::harness::RunScenario()", "main"]
SITE_LIBC = ["memh::engine::StoreCore::CommitNow()", "memh::harness::RunStep()", "memh::harness::RunScenario()",
             "main"]


def recording(source_root, order="normal"):
    t = Trace(source_root)
    t.ip("main", "main", "harness/cli/main.cc", 10)
    t.ip("scenario", "memh::harness::RunScenario()", "harness/runner/runner.cc", 200)
    t.ip("step", "memh::harness::RunStep()", "harness/runner/runner.cc", 100)
    t.ip("commit", "memh::engine::StoreCore::CommitNow()", "engine/src/store/commit.cc", 40)
    t.ip("free", "memh::engine::FreeSpaceMap::Free(memh::engine::Extent)", "engine/src/free_space/free_space_map.cc", 128)
    t.ip("begin", heaptrack_data.BEGIN_MARK, "harness/alloc/phase_marks.cc", 5)
    t.ip("end", heaptrack_data.END_MARK, "harness/alloc/phase_marks.cc", 9)
    t.ip("new", "operator new(unsigned long)", "harness/alloc/hooks.cc", 300)
    t.ip("vector", "std::vector<int>::_M_realloc_insert", "/usr/include/c++/12/bits/vector.tcc", 500)
    t.ip("libc", None, module="/lib/x86_64-linux-gnu/libc.so.6")  # no symbols: plumbing

    t.trace("main", "main")
    t.trace("scenario", "scenario", "main")
    t.trace("step", "step", "scenario")
    t.trace("begin", "begin", "main")
    t.trace("end", "end", "main")
    t.trace("new@begin", "new", "begin")
    t.trace("new@end", "new", "end")
    t.trace("commit", "commit", "step")
    t.trace("free", "free", "commit")
    t.trace("new@free", "new", "free")
    t.trace("vector", "vector", "step")
    t.trace("new@vector", "new", "vector")
    t.trace("libc", "libc", "commit")
    t.trace("new@libc", "new", "libc")
    t.trace("new@main", "new", "main")

    # Sizes as heaptrack sees them: the request plus the meter's header.
    t.info("startup", 100 + HEADER, "new@main")
    t.info("begin_mark", 1 + HEADER, "new@begin")
    t.info("end_mark", 1 + HEADER, "new@end")
    t.info("node", 48 + HEADER, "new@free")
    t.info("small_node", 24 + HEADER, "new@free")
    t.info("grow", 1000 + HEADER, "new@vector")
    t.info("libc_buffer", 8 + HEADER, "new@libc")

    t.alloc("startup", 3)
    t.free("startup")
    t.tick(5)
    if order == "end_first":
        t.alloc("end_mark")
        return t
    if order != "no_marks":
        t.alloc("begin_mark")
    t.alloc("node", 2)
    t.alloc("grow")
    t.free("node")
    t.alloc("small_node", 3)
    t.tick(6)
    t.alloc("libc_buffer", 4)
    t.alloc("node", 3)
    t.alloc("grow")
    if order != "no_marks":
        t.alloc("end_mark")
    t.alloc("startup", 2)  # after the phase: whole run only
    return t


def meter_exit(whole_calls, nested=7, foreign=1, bootstrap=2, allocator="system", extra=0):
    """The meter's exit report of the same run: every call heaptrack recorded, plus the
    ones it cannot see (and `extra` more, to make them disagree)."""
    return {"calls": whole_calls + nested + foreign + bootstrap + extra, "bytes": 123456,
            "nested_calls": nested, "foreign_calls": foreign, "bootstrap_calls": bootstrap, "allocator": allocator}


def results(calls, nbytes, threads=1):
    """A results document of the plain run, in whichever schema version the report reads
    (the fields of every version so far)."""
    totals = {"bytes": nbytes, "calls": calls, "peak_live_bytes": 100, "frees": calls, "net_bytes": 0}
    return {
        "schema_version": inputs.SCHEMA_VERSION,
        "run": {"variant": "optimized", "git_commit": "0123456789abcdef", "git_dirty": False,
                "meter": {"in_allocation_path": True, "header_bytes": HEADER}},
        "scenarios": [{"name": SCENARIO, "ops": 20, "threads": threads, "target_bytes": 1_000_000,
                       "totals": totals, "range": {k: {"min": v, "max": v} for k, v in totals.items()},
                       "verdict": "met", "per_op": {}}],
    }


class Case:
    """One run of heaptrack_report.py on files written to a temporary directory."""

    def __init__(self, tmp, trace, exit_doc, results_doc):
        self.trace_path = trace.write(os.path.join(tmp, "heaptrack.tiny.zst"))
        self.exit_path = os.path.join(tmp, "meter-exit.json")
        self.results_path = os.path.join(tmp, "results-optimized.json")
        for path, doc in ((self.exit_path, exit_doc), (self.results_path, results_doc)):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
        self.out = os.path.join(tmp, "out")
        self.root = trace.root
        self.proc = subprocess.run(
            [sys.executable, os.path.join(SCRIPTS, "heaptrack_report.py"), "--trace", self.trace_path,
             "--meter-exit", self.exit_path, "--plain-results", self.results_path, "--scenario", SCENARIO,
             "--source-root", self.root, "--out", self.out], capture_output=True, text=True, cwd=ROOT)
        self.doc = None
        if os.path.exists(os.path.join(self.out, "heaptrack.json")):
            with open(os.path.join(self.out, "heaptrack.json"), encoding="utf-8") as f:
                self.doc = json.load(f)

    def check(self, name):
        return next(c for c in self.doc["checks"] if c["check"] == name)


class ReaderTallies(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.realpath(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_whole_run_and_phase_between_the_marks(self):
        trace = recording(self.root)
        want = trace.figures()
        rec = heaptrack_data.read(trace.write(os.path.join(self.root, "t.zst")))
        self.assertEqual(rec.whole.calls, want["whole_calls"])
        self.assertEqual(rec.whole.bytes, want["whole_bytes"])
        self.assertEqual(rec.phase.calls, want["phase_calls"])
        self.assertEqual(rec.phase.bytes, want["phase_bytes"])
        self.assertEqual(rec.marks_seen, 2)
        self.assertEqual(rec.command, "memharness-optimized run tiny")
        # The marks' own allocations are in the whole run but not the phase.
        self.assertEqual(rec.whole.calls - rec.phase.calls, 3 + 1 + 1 + 2)
        per_info = {trace.infos[name][0]: tally for name, tally in want["per_info"].items()}
        self.assertEqual({info: (t.calls, t.bytes) for info, t in rec.phase_by_info.items()}, per_info)

    def test_stacks_innermost_first(self):
        trace = recording(self.root)
        rec = heaptrack_data.read(trace.write(os.path.join(self.root, "t.zst")))
        node = trace.infos["node"][0]
        frames = rec.stacks[node]
        self.assertEqual([f.function for f in frames],
                         ["operator new(unsigned long)"] + SITE_FREE + ["main"])
        self.assertEqual(frames[1].where(), os.path.join(self.root, "engine/src/free_space/free_space_map.cc") + ":128")
        libc = rec.stacks[trace.infos["libc_buffer"][0]][1]
        self.assertEqual((libc.function, libc.file, libc.where()), ("", "", "/lib/x86_64-linux-gnu/libc.so.6"))

    def test_missing_marks(self):
        path = recording(self.root, order="no_marks").write(os.path.join(self.root, "t.zst"))
        with self.assertRaises(ReportError) as e:
            heaptrack_data.read(path)
        self.assertEqual(str(e.exception),
                         f"{path}: the measured phase's marks are missing (was MEMH_PHASE_MARKS=1 set?)")

    def test_end_mark_before_begin(self):
        trace = recording(self.root, order="end_first")
        record = trace.line_of_last_event()  # the end mark's "+" line
        path = trace.write(os.path.join(self.root, "t.zst"))
        with self.assertRaises(ReportError) as e:
            heaptrack_data.read(path)
        self.assertEqual(str(e.exception), f"{path}: phase mark 'end' out of order (record {record})")

    def test_not_a_recording(self):
        path = os.path.join(self.root, "empty.zst")
        with open(path + ".txt", "w") as f:
            f.write("v 10400 3\n")
        subprocess.run(["zstd", "-q", "-f", "-o", path, path + ".txt"], check=True)
        with self.assertRaises(ReportError) as e:
            heaptrack_data.read(path)
        self.assertEqual(str(e.exception), f"{path}: no allocations recorded (empty or not a heaptrack file)")


class Checks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.realpath(self.tmp.name)
        self.trace = recording(self.root)
        self.want = self.trace.figures()

    def tearDown(self):
        self.tmp.cleanup()

    def run_case(self, exit_doc=None, results_doc=None):
        w = self.want
        if exit_doc is None:
            exit_doc = meter_exit(w["whole_calls"])
        if results_doc is None:
            # The plain run's meter: the phase's calls, and its bytes without the headers.
            results_doc = results(w["phase_calls"], w["phase_bytes"] - HEADER * w["phase_calls"])
        return Case(self.tmp.name, self.trace, exit_doc, results_doc)

    def assert_check(self, case, name, heaptrack, meter):
        c = case.check(name)
        self.assertEqual((c["heaptrack"], c["meter"], c["difference"], c["holds"]),
                         (heaptrack, meter, heaptrack - meter, heaptrack == meter), name)

    def test_everything_agrees(self):
        case = self.run_case()
        self.assertEqual(case.proc.returncode, 0, case.proc.stderr)
        self.assertEqual(case.proc.stderr, "")
        exit_doc = meter_exit(self.want["whole_calls"])
        whole_meter = (exit_doc["calls"] - exit_doc["nested_calls"] - exit_doc["foreign_calls"]
                       - exit_doc["bootstrap_calls"])
        self.assertEqual([c["check"] for c in case.doc["checks"]],
                         ["whole run: calls", "measured phase: calls", "measured phase: bytes"])
        self.assert_check(case, "whole run: calls", self.want["whole_calls"], whole_meter)
        self.assert_check(case, "measured phase: calls", self.want["phase_calls"], self.want["phase_calls"])
        totals = results(self.want["phase_calls"], self.want["phase_bytes"] - HEADER * self.want["phase_calls"])
        totals = totals["scenarios"][0]["totals"]
        self.assert_check(case, "measured phase: bytes", self.want["phase_bytes"],
                          totals["bytes"] + HEADER * totals["calls"])
        self.assertTrue(all(c["holds"] for c in case.doc["checks"]))
        self.assertTrue(case.doc["exact_phase_check"])
        self.assertEqual(case.doc["heaptrack"], {"whole_calls": self.want["whole_calls"],
                                                 "whole_bytes": self.want["whole_bytes"],
                                                 "phase_calls": self.want["phase_calls"],
                                                 "phase_bytes": self.want["phase_bytes"]})
        self.assertEqual(case.doc["meter_phase_without_heaptrack"],
                         {"calls": totals["calls"], "bytes": totals["bytes"]})

    def test_a_call_heaptrack_did_not_see_fails_the_whole_run_check(self):
        case = self.run_case(exit_doc=meter_exit(self.want["whole_calls"], extra=1))
        self.assertEqual(case.proc.returncode, 1)
        meter = self.want["whole_calls"] + 1
        self.assert_check(case, "whole run: calls", self.want["whole_calls"], meter)
        self.assertFalse(case.check("whole run: calls")["holds"])
        self.assertTrue(case.check("measured phase: calls")["holds"])
        self.assertEqual(case.proc.stderr,
                         f"heaptrack_report.py: whole run: calls: heaptrack {self.want['whole_calls']:,}, "
                         f"meter {meter:,} (-1)\n")
        row = next(line for line in case.proc.stdout.splitlines() if line.startswith("| whole run: calls |"))
        self.assertIn("NO", row)

    def test_each_subtracted_count_matters(self):
        # Moving one call from "nested" to "foreign" changes nothing; dropping one breaks it.
        w = self.want["whole_calls"]
        moved = self.run_case(exit_doc=meter_exit(w, nested=6, foreign=2))
        self.assertEqual(moved.proc.returncode, 0, moved.proc.stderr)
        exit_doc = meter_exit(w, bootstrap=2)
        exit_doc["bootstrap_calls"] = 1  # one call unexplained
        short = self.run_case(exit_doc=exit_doc)
        self.assertEqual(short.proc.returncode, 1)
        self.assert_check(short, "whole run: calls", w, w + 1)

    def test_bytes_off_by_one_header_fail_the_phase_bytes_check(self):
        w = self.want
        # The plain run's meter reporting heaptrack's bytes as its own (headers not taken off).
        case = self.run_case(results_doc=results(w["phase_calls"], w["phase_bytes"]))
        self.assertEqual(case.proc.returncode, 1)
        self.assertTrue(case.check("measured phase: calls")["holds"])
        self.assert_check(case, "measured phase: bytes", w["phase_bytes"], w["phase_bytes"] + HEADER * w["phase_calls"])
        self.assertEqual(case.check("measured phase: bytes")["difference"], -HEADER * w["phase_calls"])

    def test_one_call_more_in_the_plain_run_fails_both_phase_checks(self):
        w = self.want
        calls, nbytes = w["phase_calls"] + 1, w["phase_bytes"] - HEADER * w["phase_calls"] + 40
        case = self.run_case(results_doc=results(calls, nbytes))
        self.assertEqual(case.proc.returncode, 1)
        self.assert_check(case, "measured phase: calls", w["phase_calls"], calls)
        self.assert_check(case, "measured phase: bytes", w["phase_bytes"], nbytes + HEADER * calls)
        self.assertTrue(case.check("whole run: calls")["holds"])
        failed = [line for line in case.proc.stderr.splitlines()]
        self.assertEqual(len(failed), 2)
        self.assertEqual(failed[0], f"heaptrack_report.py: measured phase: calls: heaptrack {w['phase_calls']:,}, "
                                    f"meter {calls:,} (-1)")

    def test_multi_threaded_scenarios_are_held_to_the_whole_run_only(self):
        w = self.want
        # Two client threads: the plain run need not allocate the same, so even figures
        # that disagree are not checked; the whole run still is.
        case = self.run_case(results_doc=results(w["phase_calls"] + 5, 1, threads=2))
        self.assertEqual(case.proc.returncode, 0, case.proc.stderr)
        self.assertEqual([c["check"] for c in case.doc["checks"]], ["whole run: calls"])
        self.assertFalse(case.doc["exact_phase_check"])
        self.assertEqual(case.doc["threads"], 2)
        broken = self.run_case(exit_doc=meter_exit(w["whole_calls"], extra=3),
                               results_doc=results(w["phase_calls"], 1, threads=2))
        self.assertEqual(broken.proc.returncode, 1)
        self.assert_check(broken, "whole run: calls", w["whole_calls"], w["whole_calls"] + 3)

    def test_call_sites_take_the_header_off_and_sort(self):
        case = self.run_case()
        self.assertEqual(case.proc.returncode, 0, case.proc.stderr)
        per_info = self.want["per_info"]

        def site(*infos):
            calls = sum(per_info[i][0] for i in infos)
            return calls, sum(per_info[i][1] for i in infos) - HEADER * calls

        sites = {"free": (*site("node", "small_node"), SITE_FREE), "vector": (*site("grow"), SITE_VECTOR),
                 "libc": (*site("libc_buffer"), SITE_LIBC)}
        by_bytes = sorted(sites.values(), key=lambda s: (-s[1], -s[0]))
        by_calls = sorted(sites.values(), key=lambda s: (-s[0], -(s[1] + HEADER * s[0])))
        for key, want in (("sites_by_bytes", by_bytes), ("sites_by_calls", by_calls)):
            got = [(s["calls"], s["bytes"], [f["function"] for f in s["stack"]]) for s in case.doc[key]]
            self.assertEqual(got, [tuple(w) for w in want], key)
        # Where: relative to the source root, file:line.
        first = case.doc["sites_by_calls"][0]["stack"][0]
        self.assertEqual(first["where"], "engine/src/free_space/free_space_map.cc:128")
        # The numbers themselves, so that a wrong sum cannot hide in both sides.
        self.assertEqual(sites["free"][:2], (5 + 3, 5 * 48 + 3 * 24))
        self.assertEqual(sites["vector"][:2], (2, 2000))
        self.assertEqual(sites["libc"][:2], (4, 32))


class Unusable(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.realpath(self.tmp.name)
        self.trace = recording(self.root)
        w = self.trace.figures()
        self.exit_doc = meter_exit(w["whole_calls"])
        self.results_doc = results(w["phase_calls"], w["phase_bytes"] - HEADER * w["phase_calls"])

    def tearDown(self):
        self.tmp.cleanup()

    def expect_exit_2(self, case, message):
        self.assertEqual(case.proc.returncode, 2)
        self.assertEqual(case.proc.stderr, f"heaptrack_report.py: {message}\n")
        self.assertFalse(os.path.exists(case.out))  # nothing written

    def test_jemalloc_build(self):
        self.exit_doc["allocator"] = "jemalloc"
        case = Case(self.tmp.name, self.trace, self.exit_doc, self.results_doc)
        self.expect_exit_2(case, f"{case.exit_path}: allocator jemalloc; heaptrack needs the system-allocator build "
                                 "(cmake --preset heaptrack)")

    def test_exit_report_lacking_a_count(self):
        del self.exit_doc["foreign_calls"]
        case = Case(self.tmp.name, self.trace, self.exit_doc, self.results_doc)
        self.expect_exit_2(case, f"{case.exit_path}: foreign_calls is missing")

    def test_results_without_the_scenario(self):
        self.results_doc["scenarios"][0]["name"] = "other"
        case = Case(self.tmp.name, self.trace, self.exit_doc, self.results_doc)
        self.expect_exit_2(case, f"{case.results_path}: no scenario {SCENARIO}")


if __name__ == "__main__":
    unittest.main()
