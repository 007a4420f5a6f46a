#!/usr/bin/python3
"""Writes every generated block of README.md from the committed example run.

    scripts/readme_figures.py [--check] [--data DIR] [--readme FILE]

A generated block is everything between

    <!-- NAME:begin (scripts/readme_figures.py writes this; commit abc1234) -->
    <!-- NAME:end -->

and is rendered by scripts/memh_report/readme.py from reports/example/data/ (what
scripts/example-report.sh and scripts/record-ci-run.sh keep of their runs), the
scenario files and cmake/variants.txt; the commit in the marker is the one the data
itself names, not HEAD. A block whose data is missing says "not recorded yet".

Without --check, rewrites the blocks in place. With --check, writes nothing and exits 1
when a block differs from what the data gives (a figure edited by hand, or data
committed without rerunning this), printing the difference. Exit 2 on unusable data
or markers (one line naming the file). Stdlib only; runs under /usr/bin/python3.
"""
import argparse
import difflib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memh_report.inputs import ReportError  # noqa: E402
from memh_report.readme import BLOCKS, Data, render_all  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKED = re.compile(r"<!-- (?P<name>[a-z0-9-]+):begin \((?P<provenance>[^)]*)\) -->\n(?P<body>.*?)"
                    r"<!-- (?P=name):end -->", re.S)
BEGIN = re.compile(r"<!-- (?P<name>[a-z0-9-]+):begin\b")
END = re.compile(r"<!-- (?P<name>[a-z0-9-]+):end -->")


def block_text(name, provenance, body):
    return (f"<!-- {name}:begin (scripts/readme_figures.py writes this; {provenance}) -->\n"
            f"{body}\n<!-- {name}:end -->")


def rewrite(text, blocks, path):
    """text with every block replaced; ReportError on missing, doubled or unknown markers."""
    begins = [m["name"] for m in BEGIN.finditer(text)]
    ends = [m["name"] for m in END.finditer(text)]
    for name in sorted(set(begins) | set(ends)):
        if name not in blocks:
            raise ReportError(f"{path}: a generated block '{name}' that scripts/readme_figures.py does not know")
    for name in blocks:
        if begins.count(name) != 1 or ends.count(name) != 1:
            raise ReportError(f"{path}: needs exactly one '<!-- {name}:begin (...) -->' ... '<!-- {name}:end -->' "
                              f"(found {begins.count(name)} begin, {ends.count(name)} end)")
    seen = set()

    def replace(m):
        seen.add(m["name"])
        return block_text(m["name"], *blocks[m["name"]])

    new = MARKED.sub(replace, text)
    missing = set(blocks) - seen
    if missing:
        raise ReportError(f"{path}: malformed markers of {', '.join(sorted(missing))} (begin must end its line "
                          "with ') -->', then the block, then the end marker)")
    return new


def main(argv):
    parser = argparse.ArgumentParser(prog="readme_figures.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a block is out of date")
    parser.add_argument("--data", default=os.path.join(ROOT, "reports", "example", "data"))
    parser.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    args = parser.parse_args(argv)
    try:
        data = Data(args.data)
        blocks = render_all(data, ROOT)
        try:
            with open(args.readme, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise ReportError(f"{args.readme}: cannot read: {e.strerror}") from None
        new = rewrite(text, blocks, args.readme)
    except ReportError as e:
        print(f"readme_figures.py: {e}", file=sys.stderr)
        return 2
    if new == text:
        print(f"readme_figures.py: {args.readme}: {len(BLOCKS)} generated blocks up to date with {args.data}")
        return 0
    if args.check:
        old_blocks = {m["name"]: m.group(0) for m in MARKED.finditer(text)}
        new_blocks = {m["name"]: m.group(0) for m in MARKED.finditer(new)}
        stale = [name for name in BLOCKS if old_blocks.get(name) != new_blocks.get(name)]
        print(f"readme_figures.py: {args.readme}: generated blocks differ from what {args.data} gives: "
              f"{', '.join(stale)}; do not edit them by hand: run /usr/bin/python3 scripts/readme_figures.py",
              file=sys.stderr)
        sys.stderr.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                   f"{args.readme} (as it is)", f"{args.readme} (from the data)"))
        return 1
    with open(args.readme, "w", encoding="utf-8") as f:
        f.write(new)
    print(f"readme_figures.py: rewrote the generated blocks of {args.readme} from {args.data}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
