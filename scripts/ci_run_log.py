#!/usr/bin/python3
"""Turns the log of one `.ci/run` into reports/example/data/ci-run.json (what
scripts/readme_figures.py renders as the README's CI step times and reliability counts).
scripts/record-ci-run.sh runs it; stdlib only.

    scripts/ci_run_log.py LOG --commit SHA --exit-status N --total-seconds N --out JSON

What it reads: scripts/memh_report/logs.py.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memh_report.logs import parse_ci  # noqa: E402


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu}


def main(argv):
    parser = argparse.ArgumentParser(prog="ci_run_log.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("log")
    parser.add_argument("--commit", required=True, help="the commit .ci/run ran on (a fresh clone of it)")
    parser.add_argument("--exit-status", type=int, required=True, help=".ci/run's exit status")
    parser.add_argument("--total-seconds", type=int, required=True, help="wall time of the whole .ci/run")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        with open(args.log, encoding="utf-8", errors="replace") as f:
            parsed = parse_ci(f)
    except OSError as e:
        print(f"ci_run_log.py: {args.log}: cannot read: {e.strerror}", file=sys.stderr)
        return 2
    if not parsed["steps"] and not parsed["unfinished"]:
        print(f"ci_run_log.py: {args.log}: no `ci: <step>: N s` line and nothing else this reads: "
              "not a log of .ci/run", file=sys.stderr)
        return 2
    doc = {"kind": "memharness ci run", "git_commit": args.commit, "exit_status": args.exit_status,
           "completed": args.exit_status == 0 and parsed["unfinished"] is None,
           "total_seconds": args.total_seconds,
           "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "machine": machine(), "command": "CI=true bash .ci/run (scripts/record-ci-run.sh, a fresh clone)",
           **parsed}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"ci_run_log.py: {len(parsed['steps'])} steps"
          + (", and an unfinished one" if parsed["unfinished"] else "") + f" -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
