#!/usr/bin/env python3
"""Writes docs/exports.md's examples from a real run, or checks that they are current.

    /usr/bin/python3 scripts/export_examples.py [--bin DIR] [--run] [--check]

--run     runs update-500 and mixed-concurrent (--repeat 5) with DIR/memharness-optimized
          and keeps the results as docs/exports-example/results-optimized.json (the
          example's input: a real run, committed, so the examples can be checked).
(always)  exports that file in every format with DIR/memharness-optimized and puts each
          output between its `<!-- export-example:FORMAT:begin -->` and `:end -->`
          markers in docs/exports.md.
--check   writes nothing: exit 1 naming the first example that differs from what the
          binary exports now (a ctest runs this, so the document follows the code).
DIR defaults to build/release/bin.
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "exports.md"
EXAMPLE_DIR = ROOT / "docs" / "exports-example"
RESULTS = "results-optimized.json"
FORMATS = {"bmf": "json", "gab": "json", "benchfmt": "text", "gbench": "json"}


def run_scenarios(binary):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "run", "update-500", "mixed-concurrent", "--scenarios", str(ROOT / "scenarios"),
                        "--repeat", "5", "--out", out], check=True, stdout=subprocess.DEVNULL)
        EXAMPLE_DIR.mkdir(exist_ok=True)
        shutil.copyfile(pathlib.Path(out) / RESULTS, EXAMPLE_DIR / RESULTS)


def export(binary, fmt):
    # Run from the example's folder so that the path in the output is the file's name.
    done = subprocess.run([binary, "export", "--format", fmt, RESULTS], cwd=EXAMPLE_DIR, capture_output=True,
                          text=True)
    if done.returncode != 0:
        sys.exit(f"export_examples: {binary} export --format {fmt}: {done.stderr.strip()}")
    return done.stdout


def block(fmt, text):
    return (f"<!-- export-example:{fmt}:begin (scripts/export_examples.py writes this) -->\n"
            f"```{FORMATS[fmt]}\n{text}```\n<!-- export-example:{fmt}:end -->")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=str(ROOT / "build" / "release" / "bin"))
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    binary = str(pathlib.Path(args.bin).resolve() / "memharness-optimized")
    if args.run and not args.check:
        run_scenarios(binary)
    doc = DOC.read_text()
    for fmt in FORMATS:
        pattern = re.compile(rf"<!-- export-example:{fmt}:begin[^\n]*-->\n.*?<!-- export-example:{fmt}:end -->",
                             re.S)
        if not pattern.search(doc):
            sys.exit(f"export_examples: {DOC}: no export-example:{fmt} markers")
        wanted = block(fmt, export(binary, fmt))
        if args.check and pattern.search(doc).group(0) != wanted:
            print(f"export_examples: {DOC}: the {fmt} example differs from what memharness exports now "
                  f"(run /usr/bin/python3 scripts/export_examples.py)")
            return 1
        doc = pattern.sub(lambda _: wanted, doc)
    if args.check:
        print(f"export_examples: the {len(FORMATS)} examples are current")
    else:
        DOC.write_text(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
