#!/usr/bin/python3
"""Turns one heaptrack recording of a scenario into memharness's call-site report, and
holds heaptrack's counts to the meter's (scripts/heaptrack.sh runs it).

    scripts/heaptrack_report.py --trace T.zst --meter-exit M.json
        --plain-results R.json --scenario NAME --source-root DIR --out DIR [--top N]

T: heaptrack's data of a run with MEMH_PHASE_MARKS=1 and MEMH_METER_EXIT_REPORT=M.
R: the meter's results of the same binary and scenario run without heaptrack. Writes DIR/heaptrack.md and DIR/heaptrack.json (scripts/report.py
--heaptrack reads it). Exit 0 when every exact check holds, 1 when one does not, 2 on
unusable input.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memh_report import heaptrack_data, tables  # noqa: E402
from memh_report.heaptrack_data import Tally  # noqa: E402
from memh_report import markdown as md  # noqa: E402
from memh_report.document import Report, Section  # noqa: E402
from memh_report.inputs import ReportError, load_results  # noqa: E402

def load_exit_report(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{path}: no meter exit report (was MEMH_METER_EXIT_REPORT set?)") from None
    except (OSError, ValueError) as e:
        raise ReportError(f"{path}: unreadable meter exit report ({e})") from None
    for key in ("calls", "bytes", "nested_calls", "foreign_calls", "bootstrap_calls", "allocator"):
        if key not in doc:
            raise ReportError(f"{path}: {key} is missing")
    if doc["allocator"] != "system":
        raise ReportError(f"{path}: allocator {doc['allocator']}; heaptrack needs the system-allocator build "
                          "(cmake --preset heaptrack)")
    return doc


def check(name, heaptrack, meter, explained):
    return {"check": name, "heaptrack": heaptrack, "meter": meter, "difference": heaptrack - meter,
            "holds": heaptrack == meter, "how": explained}


def short_function(name):
    """The qualified name without parameters, qualifiers or return type, as the meter's
    site keys give it (harness/runner/symbolize.h, ShortFunctionName)."""
    name = name.split(" [clone")[0]
    for suffix in (" const", " volatile", " &&", " &", " noexcept"):
        while name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith(")"):
        depth = 0
        for i in range(len(name) - 1, -1, -1):
            depth += name[i] == ")"
            if name[i] == "(":
                depth -= 1
                if depth == 0:
                    name = name[:i]
                    break
    angle = paren = 0
    cut = -1
    for i, c in enumerate(name):
        if name.startswith("operator", i):
            break
        angle += (c == "<") - (c == ">")
        paren += (c == "(") - (c == ")")
        if c == " " and angle == 0 and paren == 0:
            cut = i
    return name[cut + 1:]


def site_checks(rec, scenario, header, source_root, top):
    """The meter's top sites (results schema 3) against heaptrack's record of the same
    phase, by innermost project function: the same calls, and the same bytes once the
    meter's header per call is added. Sites whose function heaptrack does not name are
    checks that fail."""
    sites = (scenario.get("sites") or {}).get("list", [])
    meter = {}
    for site in sites:
        if site["key"].startswith("("):
            continue  # pseudo-sites: untracked stacks, frees of older blocks
        tally = meter.setdefault(site["function"], Tally())
        tally.calls += site["calls"]
        tally.bytes += site["bytes"]
    theirs = {}
    for info, tally in rec.phase_by_info.items():
        ours = [f for f in rec.stacks[info] if f.file.startswith(source_root)
                and not f.file.startswith(source_root + "harness/alloc/")]
        function = short_function(ours[0].function) if ours else "(no project frame)"
        t = theirs.setdefault(function, Tally())
        t.calls += tally.calls
        t.bytes += tally.bytes
    checks = []
    for function, tally in sorted(meter.items(), key=lambda kv: (-kv[1].bytes, kv[0]))[:top]:
        seen = theirs.get(function, Tally())
        checks.append(check(f"site {function}: calls", seen.calls, tally.calls,
                            "meter's sites with this innermost project function (results' sites), calls"))
        checks.append(check(f"site {function}: bytes", seen.bytes, tally.bytes + header * tally.calls,
                            f"the same sites' bytes + {header} bytes of meter header per call"))
    return checks


def build(args):
    rec = heaptrack_data.read(args.trace)
    under = load_exit_report(args.meter_exit)
    results = load_results(args.plain_results)
    scenario = results.scenarios.get(args.scenario)
    if scenario is None:
        raise ReportError(f"{args.plain_results}: no scenario {args.scenario}")
    totals = scenario["totals"]
    header = results.header_bytes  # the meter's header per call (run.meter.header_bytes), seen by heaptrack
    checks = [
        check("whole run: calls", rec.whole.calls,
              under["calls"] - under["nested_calls"] - under["foreign_calls"] - under["bootstrap_calls"],
              f"meter {under['calls']:,} calls in the same run, less {under['nested_calls']:,} made inside "
              f"heaptrack's malloc (its bookkeeping, which it does not record), {under['foreign_calls']:,} made "
              f"on threads the program did not start (heaptrack's own) and {under['bootstrap_calls']:,} served "
              f"before malloc could be reached"),
    ]
    single = scenario.get("threads", 1) == 1
    if single:
        checks += [
            check("measured phase: calls", rec.phase.calls, totals["calls"],
                  "meter's totals.calls for the scenario, same binary run without heaptrack (single-threaded "
                  "scenarios repeat exactly)"),
            check("measured phase: bytes", rec.phase.bytes, totals["bytes"] + header * totals["calls"],
                  f"meter's totals.bytes + {header} bytes of meter header per call (heaptrack sees the "
                  "request plus the header)"),
        ]
        if "sites" in scenario:
            checks += site_checks(rec, scenario, header, os.path.realpath(args.source_root) + "/", args.top_sites)
    sites = heaptrack_data.call_sites(rec, os.path.realpath(args.source_root) + "/")

    def site_row(frames, tally):
        return {"calls": tally.calls, "bytes": tally.bytes - header * tally.calls,
                "stack": [{"function": f.function, "where": f.where().replace(os.path.realpath(args.source_root) + "/", "")}
                          for f in frames]}

    by_bytes = sorted(sites, key=lambda s: (-(s[1].bytes - header * s[1].calls), -s[1].calls))[:args.top]
    by_calls = sorted(sites, key=lambda s: (-s[1].calls, -s[1].bytes))[:args.top]
    return {
        "scenario": args.scenario, "variant": results.variant, "threads": scenario.get("threads", 1),
        "run": {"git_commit": results.run.get("git_commit"), "git_dirty": results.run.get("git_dirty")},
        "command": rec.command, "meter_header_bytes": header,
        "heaptrack": {"whole_calls": rec.whole.calls, "whole_bytes": rec.whole.bytes,
                      "phase_calls": rec.phase.calls, "phase_bytes": rec.phase.bytes},
        "meter_exit": under,
        "meter_phase_without_heaptrack": {"calls": totals["calls"], "bytes": totals["bytes"]},
        "checks": checks, "exact_phase_check": single,
        "sites_by_bytes": [site_row(*s) for s in by_bytes],
        "sites_by_calls": [site_row(*s) for s in by_calls],
    }


def markdown(doc):
    """heaptrack.md: the same tables the review report shows (memh_report.tables)."""
    blocks = [tables.heaptrack_checks(doc)]
    if not doc["exact_phase_check"]:
        blocks.append(f"The scenario runs {doc['threads']} client threads, so two runs need not allocate the same: "
                      "the measured phase is not held to a separate run of the meter.")
    blocks += [tables.heaptrack_sites(doc, "sites_by_bytes", "by bytes"),
               tables.heaptrack_sites(doc, "sites_by_calls", "by calls")]
    report = Report(f"heaptrack: {doc['scenario']} ({doc['variant']})", doc["command"],
                    ["measured phase cut out of heaptrack's record between the runner's marks"],
                    [Section("heaptrack against the meter, and who allocates", blocks)])
    return md.render(report)


def main(argv):
    parser = argparse.ArgumentParser(prog="heaptrack_report.py", description=__doc__.split("\n\n")[0])
    for name in ("--trace", "--meter-exit", "--plain-results", "--scenario", "--source-root", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--top-sites", type=int, default=3, help="meter's top sites held to heaptrack's")
    args = parser.parse_args(argv)
    try:
        doc = build(args)
    except ReportError as e:
        print(f"heaptrack_report.py: {e}", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "heaptrack.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    text = markdown(doc)
    with open(os.path.join(args.out, "heaptrack.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    failed = [c for c in doc["checks"] if not c["holds"]]
    for c in failed:
        print(f"heaptrack_report.py: {c['check']}: heaptrack {c['heaptrack']:,}, meter {c['meter']:,} "
              f"({c['difference']:+,})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
