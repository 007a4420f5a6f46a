#!/usr/bin/env python3
"""Writes a pull request's allocation summary from the gate's and the comparison's output.

    ci/pr_summary.py --gate DIR [--gate-exit N] [--comparison DIR] [--comparison-exit N]
                     [--base-label TEXT] [--artifact-url URL] --out DIR

--gate DIR holds what scripts/gate.sh leaves in results/ci/: gate.json (the rows) and
gate.md. --comparison DIR holds what scripts/compare-branches.sh leaves in
build/compare-branches/results/: comparison-VARIANT.json and .md per variant. Writes:

  OUT/summary.md  the gate's Markdown and each comparison's Markdown, in full (the job
                  summary: ci/pr-gate.sh appends it to $GITHUB_STEP_SUMMARY)
  OUT/comment.md  a short comment: the marker line (<!-- memharness-allocation-gate -->,
                  by which ci/pr-comment.py finds and updates its own comment), the
                  gate's verdict per variant and its failed rows, the biggest changes
                  against the base by bytes and by calls (with the site that grew or
                  shrank most), and a link to the artifact

Exit 0 when written; 2, with one line naming the problem, on a missing or malformed input.
"""
import argparse
import json
import os
import sys

MARKER = "<!-- memharness-allocation-gate -->"
FAILED = {"over", "under", "nondeterministic"}
SHOWN = 5  # changes listed per kind in the comment
FAILED_SHOWN = 10


def die(message):
    print(f"pr_summary: {message}", file=sys.stderr)
    sys.exit(2)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        die(f"{path}: cannot read ({e.strerror})")
    except json.JSONDecodeError as e:
        die(f"{path}: not JSON ({e})")


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        die(f"{path}: cannot read ({e.strerror})")


def comparisons(directory):
    """(variant, json, markdown) per comparison-VARIANT.json in the directory, sorted."""
    try:
        names = sorted(n for n in os.listdir(directory) if n.startswith("comparison-") and n.endswith(".json"))
    except OSError as e:
        die(f"{directory}: cannot list ({e.strerror})")
    if not names:
        die(f"{directory}: no comparison-VARIANT.json (scripts/compare-branches.sh writes them)")
    out = []
    for name in names:
        variant = name[len("comparison-"):-len(".json")]
        md = os.path.join(directory, f"comparison-{variant}.md")
        out.append((variant, load_json(os.path.join(directory, name)), read_text(md)))
    return out


def number(value):
    return f"{value:,.0f}"


def signed(value):
    return f"{value:+,.0f}"


def gate_lines(gate, gate_exit):
    """The comment's gate part: one verdict line per variant, then the failed rows."""
    rows = gate["rows"]
    variants = sorted({r["variant"] for r in rows})
    lines = []
    failed_all = [r for r in rows if r["verdict"] in FAILED]
    verdict = "passed" if gate_exit == 0 and not failed_all else "FAILED"
    lines.append(f"**Allocation gate: {verdict}** ({len(rows) - len(failed_all)} of {len(rows)} budgets held)")
    lines.append("")
    for v in variants:
        mine = [r for r in rows if r["variant"] == v]
        failed = [r for r in mine if r["verdict"] in FAILED]
        loose = [r for r in mine if r["verdict"] == "loose"]
        text = f"- `{v}`: " + ("passed" if not failed else f"**{len(failed)} failed**")
        text += f", {len(mine) - len(failed)} of {len(mine)} held"
        if loose:
            text += f", {len(loose)} loose"
        lines.append(text)
    for r in failed_all[:FAILED_SHOWN]:
        lines.append(f"  - {r['scenario']} {r['variant']} {r['metric']}: {r['verdict']}, "
                     f"measured {number(r['measured'])}, budget {number(r['budget'])}")
        if r.get("sites"):
            lines.append(f"    `{r['sites'][0]}`")
    if len(failed_all) > FAILED_SHOWN:
        lines.append(f"  - and {len(failed_all) - FAILED_SHOWN} more (the job summary has every row)")
    return lines


def top_site(doc, scenario, grew):
    for entry in doc.get("sites", []):
        if entry["scenario"] == scenario and entry.get("available"):
            sites = entry.get("grew" if grew else "shrank") or []
            if sites:
                s = sites[0]
                return f"{s['function']} [{s['role']}] {signed(s['bytes_change'])} B, {signed(s['calls_change'])} calls"
    return ""


def comparison_lines(variant, doc, comparison_exit):
    """The comment's part for one variant's comparison: the biggest changes."""
    base, head = doc["base"], doc["head"]
    lines = [f"**Against the base, `{variant}`** (base `{base['git_commit'][:12]}`, head `{head['git_commit'][:12]}`)"]
    if doc.get("fingerprint_differences"):
        lines.append(f"> measured differently: {', '.join(doc['fingerprint_differences'])}")
    failing = [r for r in doc["rows"] if r["failing"]]
    grown = [r for r in doc["rows"] if r["regression"]]
    if failing:
        lines.append(f"- **{len(failing)} figure(s) grew by more than {doc['fail_over_percent']:g} %**")
    elif comparison_exit not in (0, None):
        lines.append(f"- **the comparison failed (exit {comparison_exit})**")
    lines.append(f"- {len(grown)} figure(s) grew, "
                 f"{sum(1 for r in doc['rows'] if r['change'] < 0)} shrank, of {len(doc['rows'])}")
    for metric in ("bytes", "calls"):
        changed = [r for r in doc["rows"] if r["metric"] == metric and r["change"] != 0]
        changed.sort(key=lambda r: (-abs(r["change"]), r["scenario"]))
        if not changed:
            lines.append(f"- {metric}: no scenario changed")
            continue
        lines.append("")
        lines.append(f"| scenario | {metric}: base | head | change | % | site that moved most |")
        lines.append("|---|---:|---:|---:|---:|---|")
        for r in changed[:SHOWN]:
            site = top_site(doc, r["scenario"], r["change"] > 0)
            lines.append(f"| {r['scenario']} | {number(r['base'])} | {number(r['head'])} | {signed(r['change'])} | "
                         f"{r['percent']:+.1f} % | {site.replace('|', '/')} |")
    for name in doc.get("only_in_head", []):
        lines.append(f"- {name}: only in head")
    for name in doc.get("only_in_base", []):
        lines.append(f"- {name}: only in base")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gate", required=True)
    parser.add_argument("--gate-exit", type=int, default=0)
    parser.add_argument("--comparison")
    parser.add_argument("--comparison-exit", type=int)
    parser.add_argument("--base-label", default="")
    parser.add_argument("--artifact-url", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    gate = load_json(os.path.join(args.gate, "gate.json"))
    if not isinstance(gate, dict) or not isinstance(gate.get("rows"), list):
        die(f"{os.path.join(args.gate, 'gate.json')}: no rows (memharness gate --json writes them)")
    gate_md = read_text(os.path.join(args.gate, "gate.md"))
    compared = comparisons(args.comparison) if args.comparison else []

    summary = ["## Allocation gate", "", gate_md.rstrip(), ""]
    if compared:
        summary += [f"## Allocations against the base{' (' + args.base_label + ')' if args.base_label else ''}", ""]
        for _variant, _doc, md in compared:
            summary += [md.rstrip(), ""]
    comment = [MARKER, "## memharness: allocations", ""]
    comment += gate_lines(gate, args.gate_exit)
    for variant, doc, _md in compared:
        comment += [""] + comparison_lines(variant, doc, args.comparison_exit)
    if args.artifact_url:
        comment += ["", f"Every table, the results and the reports: [the run's artifact]({args.artifact_url})."]
    os.makedirs(args.out, exist_ok=True)
    for name, lines in (("summary.md", summary), ("comment.md", comment)):
        with open(os.path.join(args.out, name), "w") as f:
            f.write("\n".join(lines).rstrip() + "\n")
    print(f"pr_summary: wrote {os.path.join(args.out, 'summary.md')} and {os.path.join(args.out, 'comment.md')}")


if __name__ == "__main__":
    main()
