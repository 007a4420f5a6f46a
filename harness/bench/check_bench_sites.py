#!/usr/bin/env python3
"""ctest: memh_bench_metered-<variant> --memh_sites=N (harness/bench/metering.h).

Runs `read` over the 1000-block store with every call site printed and checks that the
sites printed for the run Google Benchmark reported add up exactly to its bytes_per_op
and allocs_per_op times its iterations, and that they are named from the engine's
source; then that the timing build and a malformed count are refused with one line
and exit status 2.

Usage: check_bench_sites.py METERED_BINARY TIMING_BINARY WORK_DIR
"""
import json
import os
import re
import subprocess
import sys

LINE = re.compile(r"^memh_bench_metered-\S+: read/1000 \((\d+) iterations\): (\d+) B in (\d+) calls at (.+)$")


def fail(message):
    print("check_bench_sites: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    metered, timing, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "sites.json")
    common = ["--memh_sizes=1000", "--memh_scenarios=none", "--benchmark_filter=^read/",
              "--benchmark_min_time=0.05", "--memh_dir=" + work]
    run = subprocess.run([metered, *common, "--memh_sites=1000", "--benchmark_out=" + out,
                          "--benchmark_out_format=json"], capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"{metered} exited {run.returncode}: {run.stderr.strip()[-400:]}")
    with open(out, encoding="utf-8") as f:
        results = json.load(f)
    rows = [b for b in results["benchmarks"] if b["name"] == "read/blocks:1000/real_time"]
    if len(rows) != 1:
        fail(f"expected one read/blocks:1000/real_time in {out}, found {len(rows)}")
    row = rows[0]
    iterations = int(row["iterations"])
    sites = []
    for line in run.stderr.splitlines():
        m = LINE.match(line)
        if m and int(m.group(1)) == iterations:
            sites.append((int(m.group(2)), int(m.group(3)), m.group(4)))
    if not sites:
        fail(f"no call sites printed for the reported run of {iterations} iterations:\n{run.stderr[-800:]}")
    # A group is printed per run of the function; runs with the same count repeat it.
    bytes_total = sum(s[0] for s in sites)
    calls_total = sum(s[1] for s in sites)
    runs = round(bytes_total / (row["bytes_per_op"] * iterations)) if row["bytes_per_op"] > 0 else 0
    if runs < 1:
        fail(f"read counted no bytes (bytes_per_op {row['bytes_per_op']}): the sites cannot be checked")
    for name, total in (("bytes_per_op", bytes_total), ("allocs_per_op", calls_total)):
        expected = row[name] * iterations * runs
        if abs(total - expected) > 0.5 * runs:
            fail(f"the sites' {name.split('_')[0]} sum to {total}, the counter says {row[name]} x {iterations}"
                 f" x {runs} run(s) = {expected}")
    if not any("memh::engine::" in s[2] and "Read" in s[2] for s in sites):
        fail("no site names the engine's read: " + "; ".join(s[2] for s in sites))

    for binary, args, expect in ((timing, ["--memh_sites=3"], "--memh_sites: the timing build"),
                                 (metered, ["--memh_sites=three"], "--memh_sites=three: expected a number")):
        refused = subprocess.run([binary, *common, *args], capture_output=True, text=True)
        lines = refused.stderr.strip().splitlines()
        if refused.returncode != 2 or len(lines) != 1 or expect not in lines[0]:
            fail(f"{os.path.basename(binary)} {' '.join(args)}: expected exit 2 and one line with '{expect}', "
                 f"got {refused.returncode}: {refused.stderr.strip()}")
    print(f"check_bench_sites: {len(sites)} site(s), {bytes_total} bytes in {calls_total} calls over "
          f"{iterations} iterations x {runs} run(s), as counted")


if __name__ == "__main__":
    main()
