"""Reading heaptrack's recorded data (the interpreted, zstd-compressed text format that
heaptrack 1.4 writes: one record per line, numbers in hex):

    s <len> <text>          string n (1-based)
    i <ip> <module> [<function> <file> <line>]...   instruction pointer n (1-based),
                            with the functions inlined at it, innermost first
    t <ip> <parent>         trace n (1-based; parent 0 = root): a frame and its caller
    a <size> <trace>        allocation info n (0-based): a size allocated from a trace
    + <info>                an allocation of that info;  - <info>  its free

From it: every allocation call in order, so the measured phase can be cut out between
the runner's marks (harness/alloc/phase_marks.h), and per call site the calls and
bytes, with the frames that say who allocated.
"""
import subprocess
from dataclasses import dataclass, field

from .inputs import ReportError

BEGIN_MARK = "memh::harness::alloc::MarkMeasuredPhaseBegin()"
END_MARK = "memh::harness::alloc::MarkMeasuredPhaseEnd()"
# Frames that are the allocation machinery rather than who allocated: the meter's
# hooks and the standard library's allocator plumbing.
PLUMBING_FILES = ("/harness/alloc/", "/bits/new_allocator.h", "/bits/allocator.h", "/bits/alloc_traits.h",
                  "/bits/stl_construct.h", "/bits/basic_string.h", "/bits/basic_string.tcc",
                  "/bits/stl_vector.h", "/bits/vector.tcc", "/bits/stl_tree.h", "/bits/hashtable.h",
                  "/bits/hashtable_policy.h", "/bits/shared_ptr_base.h", "/bits/unique_ptr.h",
                  "/bits/stl_deque.h", "/bits/deque.tcc", "/bits/stl_map.h", "/bits/std_function.h")


@dataclass(frozen=True)
class Frame:
    function: str
    file: str
    line: int
    module: str

    def where(self):
        return f"{self.file}:{self.line}" if self.file else self.module


@dataclass
class Tally:
    calls: int = 0
    bytes: int = 0


@dataclass
class Recording:
    command: str = ""
    whole: Tally = field(default_factory=Tally)
    phase: Tally = field(default_factory=Tally)
    marks_seen: int = 0
    phase_by_info: dict = field(default_factory=dict)  # allocation info -> Tally
    stacks: dict = field(default_factory=dict)  # allocation info -> [Frame], innermost first


class _Reader:
    def __init__(self, path):
        self.path = path
        self.strings = [""]
        self.ips = [None]  # -> [Frame], innermost (inlined) first
        self.traces = [None]  # -> (ip index, parent trace)
        self.infos = []  # -> (size, trace)
        self.info_mark = []  # per info: "begin" | "end" | None
        self.trace_mark = {0: None}

    def stack(self, trace):
        frames = []
        while trace:
            ip_index, trace = self.traces[trace]
            frames.extend(self.ips[ip_index])
        return frames

    def mark_of(self, trace):
        """Whether this trace passes through a phase mark (memoized per trace)."""
        path = []
        while trace not in self.trace_mark:
            path.append(trace)
            ip_index, parent = self.traces[trace]
            functions = {frame.function for frame in self.ips[ip_index]}
            if BEGIN_MARK in functions or END_MARK in functions:
                self.trace_mark[trace] = "begin" if BEGIN_MARK in functions else "end"
                break
            trace = parent
        mark = self.trace_mark[trace]
        for t in path:
            self.trace_mark[t] = mark
        return mark


def read(path):
    """Reads a heaptrack .zst file; ReportError when it cannot."""
    try:
        proc = subprocess.Popen(["zstdcat", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors="replace")
    except FileNotFoundError:
        raise ReportError(f"{path}: zstdcat is not installed (scripts/install-deps.sh installs zstd)") from None
    r = _Reader(path)
    rec = Recording()
    state = "before"
    try:
        for number, line in enumerate(proc.stdout, start=1):
            kind = line[:1]
            if kind == "+":
                info = int(line[2:], 16)
                mark = r.info_mark[info]
                rec.whole.calls += 1
                rec.whole.bytes += r.infos[info][0]
                if mark is not None:
                    rec.marks_seen += 1
                    if mark == "begin" and state == "before":
                        state = "phase"
                    elif mark == "end" and state == "phase":
                        state = "after"
                    else:
                        raise ReportError(f"{path}: phase mark '{mark}' out of order (record {number})")
                elif state == "phase":
                    tally = rec.phase_by_info.setdefault(info, Tally())
                    tally.calls += 1
                    tally.bytes += r.infos[info][0]
            elif kind == "-" or kind == "c":
                continue
            elif kind == "s":
                _, _, rest = line.rstrip("\n").partition(" ")
                _, _, text = rest.partition(" ")
                r.strings.append(text)
            elif kind == "i":
                fields = [int(x, 16) for x in line.split()[1:]]
                module = r.strings[fields[1]]
                frames = [Frame(r.strings[fields[k]], r.strings[fields[k + 1]], fields[k + 2], module)
                          for k in range(2, len(fields) - 2, 3)]
                r.ips.append(frames or [Frame("", "", 0, module)])
            elif kind == "t":
                ip_index, parent = (int(x, 16) for x in line.split()[1:3])
                r.traces.append((ip_index, parent))
            elif kind == "a":
                size, trace = (int(x, 16) for x in line.split()[1:3])
                r.infos.append((size, trace))
                r.info_mark.append(r.mark_of(trace))
            elif kind == "X":
                rec.command = line[2:].rstrip("\n")
    except (ValueError, IndexError) as e:
        raise ReportError(f"{path}: not heaptrack data this reader knows ({e})") from None
    finally:
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait()
    if proc.returncode != 0:
        raise ReportError(f"{path}: zstdcat failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}")
    if rec.whole.calls == 0:
        raise ReportError(f"{path}: no allocations recorded (empty or not a heaptrack file)")
    if state != "after":
        raise ReportError(f"{path}: the measured phase's marks are missing (was MEMH_PHASE_MARKS=1 set?)")
    rec.phase.calls = sum(t.calls for t in rec.phase_by_info.values())
    rec.phase.bytes = sum(t.bytes for t in rec.phase_by_info.values())
    rec.stacks = {info: r.stack(r.infos[info][1]) for info in rec.phase_by_info}
    return rec


def _plumbing(frame):
    return not frame.file or any(part in frame.file for part in PLUMBING_FILES) or frame.function in (
        "malloc", "free", "calloc", "realloc", "operator new(unsigned long)")


def call_sites(rec, source_root, depth=4):
    """The measured phase's allocations grouped by who allocated: the first `depth`
    frames below the allocator plumbing that are in this project's sources (else the
    first non-plumbing frames). Returns [(frames, Tally)], unsorted."""
    sites = {}
    for info, tally in rec.phase_by_info.items():
        frames = [f for f in rec.stacks[info] if not _plumbing(f)]
        ours = [f for f in frames if f.file.startswith(source_root)]
        chosen = tuple((ours or frames)[:depth])
        site = sites.setdefault(chosen, Tally())
        site.calls += tally.calls
        site.bytes += tally.bytes
    return list(sites.items())
