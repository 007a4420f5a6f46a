#!/usr/bin/env bash
# Fails when a tracked file refers to documents outside the repository (the shared
# reading material a fresh clone does not have: the engine specification, the
# description of the original engine, the style and house notes). What those
# documents said that the project needs is in docs/original_engine.md and
# docs/engine_design.md; cite those instead.
#
# Usage: check_self_contained.sh [SOURCE_DIR]   (default: the current directory)
# Prints each offending file:line and exits 1; otherwise prints how many tracked
# files it checked and exits 0. Exit 2 when SOURCE_DIR is not a git work tree.
#
# Text files only (git grep -I): binary files, such as the fuzzers' seed inputs, are
# not read.
set -euo pipefail

src=${1:-.}
if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check_self_contained: $src is not a git work tree" >&2
  exit 2
fi
top=$(git -C "$src" rev-parse --show-toplevel)
self=$(realpath --relative-to="$top" "$(realpath "${BASH_SOURCE[0]}")")

pattern='shared/(reference|ENGINE|STYLE|HOUSE)|ENGINE\.md|original-engine\.md|\.\./shared'

# git grep exits 1 when nothing matches, 2+ on errors.
set +e
hits=$(git -C "$top" grep -nIE "$pattern" -- . ":(exclude)$self")
status=$?
set -e
if (( status > 1 )); then
  echo "check_self_contained: git grep failed (exit $status)" >&2
  exit 2
fi
if (( status == 0 )); then
  echo "$hits"
  echo "check_self_contained: the lines above refer to documents outside the repository;" \
       "cite docs/original_engine.md or docs/engine_design.md instead" >&2
  exit 1
fi
count=$(git -C "$top" grep -IlE '' -- . ":(exclude)$self" | wc -l)
echo "self-contained: $count tracked files checked"
