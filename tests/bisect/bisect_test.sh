#!/usr/bin/env bash
# bisect_test.sh MODE SOURCE_DIR OUT_DIR GATE_BIN: scripts/bisect-budget.sh on this
# repository's own history. OUT_DIR/repo is a clone of SOURCE_DIR's HEAD (kept between
# runs, with its build/compare-branches/ worktree and build, so a rerun rebuilds only what
# changed) with a short history added on top:
#   c0  the source tree's scripts/ (the scripts under test; empty if unchanged)   GOOD
#   c1  a note                    (a text file)
#   c2  a note
#   c3  a 4,096-byte allocation in memh::engine::ValidateBlockName, which every read and
#       write of update-500 calls (tests/sites' patch, here as a commit)
#   c4  a comment in the same file (rebuilds it, changes no figure)
#   c5  a note                                                                   BAD
# and on a branch from c0, for a commit that cannot be judged:
#   k1  a note
#   k2  registry_codec.cc that does not compile
#   k3  compiles again, with c3's allocation
#   k4  a note                                                                   BAD
# GATE_BIN is the build's memharness-optimized: it gates every step (--memharness), so
# the clone's own tree is never built, only its bisect worktree.
# Modes (each prints "bisect_test MODE: ok" when everything it checks holds):
#   history      (re)makes the clone and the commits; writes OUT_DIR/commits
#   bad_args     one-line errors, exit 2, before anything is built: a ref that is no
#                commit, GOOD not an ancestor of BAD, a missing argument, an unknown
#                variant, a scenario without a budget
#   good_over    a budget of 1 byte: GOOD is refused as over budget already (exit 2, its
#                figure in the line); writes that figure to OUT_DIR/good-bytes
#   bad_within   budget = GOOD's figure + 2,048 and BAD = c2: refused as within budget
#   first_over   the same budget over c0..c5: names exactly c3 with its gate row, failure
#                line and parent c2's figure; only registry_codec.cc was compiled (the
#                worktree and its build reused); the bisect state is reset, the slot is
#                back at BAD and the clone's own checkout untouched
#   skipped      c0..k4: k2 is skipped, not called bad, so the first commit over budget is
#                k2 or k3: exit 1, both listed with their verdicts
#   interrupted  the same bisect as first_over, SIGINT to its process group (as Ctrl-C) once `git
#                bisect run` runs: exit 130, the bisect reset, the temporary directory
#                removed
set -uo pipefail
mode=$1 src=$2 out=$3 gate=$4
repo=$out/repo
budget_add=2048
fail() { echo "bisect_test $mode: FAILED: $*"; exit 1; }
ok() { echo "bisect_test $mode: ok${1:+ ($1)}"; exit 0; }
git_c() { git -C "$repo" -c user.name="bisect test" -c user.email=bisect-test@memharness.invalid "$@"; }
# Fixed dates: the same base gives the same commits, run after run.
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

if [[ $mode == history ]]; then
  mkdir -p "$out"
  [[ -d $repo/.git ]] || git init --quiet "$repo" || fail "git init"
  git -C "$repo" fetch --quiet --no-tags "$src" HEAD || fail "cannot fetch $src HEAD"
  git -C "$repo" checkout --quiet --force -B main FETCH_HEAD || fail "checkout"
  git -C "$repo" clean --quiet -fdx -e /build/ || fail "clean"
  # c0: the scripts under test, as the source tree has them now.
  rm -rf "$repo/scripts" && cp -R "$src/scripts" "$repo/scripts" && find "$repo/scripts" -name __pycache__ -prune -exec rm -rf {} + 
  git_c add -A scripts && git_c commit --quiet --allow-empty -m "bisect test: the scripts under test" || fail "c0"
  note() { echo "$1" >>"$repo/BISECT_TEST_NOTES" && git_c add BISECT_TEST_NOTES && git_c commit --quiet -m "bisect test: $1"; }
  note "a first note" || fail "c1"
  note "a second note" || fail "c2"
  codec=$repo/engine/src/registry/registry_codec.cc
  anchor="Status ValidateBlockName(std::string_view name) {"
  grep -qF "$anchor" "$codec" || fail "'$anchor' is no longer in engine/src/registry/registry_codec.cc: update this test"
  /usr/bin/python3 - "$codec" "$anchor" <<'EOF' || fail "patching registry_codec.cc"
import sys
path, anchor = sys.argv[1], sys.argv[2]
text = open(path).read()
text = "#include <memory>\n" + text.replace(anchor, anchor + """
  std::unique_ptr<char[]> bisect_test_extra(new char[4096]);  // added by tests/bisect
  asm volatile("" : : "r"(bisect_test_extra.get()) : "memory");""", 1)
open(path, "w").write(text)
EOF
  git_c commit --quiet -am "bisect test: a 4,096-byte allocation in ValidateBlockName" || fail "c3"
  cp "$codec" "$out/codec-allocating.cc"
  echo "// A comment (tests/bisect): rebuilds this file, changes no figure." >>"$codec"
  git_c commit --quiet -am "bisect test: a comment in registry_codec.cc" || fail "c4"
  note "a third note" || fail "c5"
  git -C "$repo" log --format=%H -6 --reverse | awk '{ print "c" NR - 1, $1 }' >"$out/commits"
  git_c checkout --quiet -B skip HEAD~5 || fail "branch skip"
  note "a note on the branch" || fail "k1"
  echo "#error bisect test: this commit does not build" >>"$codec"
  git_c commit --quiet -am "bisect test: registry_codec.cc does not compile" || fail "k2"
  cp "$out/codec-allocating.cc" "$codec"
  git_c commit --quiet -am "bisect test: compiles again, with the allocation" || fail "k3"
  note "another note on the branch" || fail "k4"
  git -C "$repo" log --format=%H -4 --reverse | awk '{ print "k" NR, $1 }' >>"$out/commits"
  git_c checkout --quiet main || fail "back to main"
  ok "$(tr '\n' ' ' <"$out/commits")"
fi

[[ -f $out/commits ]] || fail "no $out/commits: run the history mode first (fixture bisect_history)"
c() { awk -v k="c$1" '$1 == k { print $2 }' "$out/commits"; }
k() { awk -v k="k$1" '$1 == k { print $2 }' "$out/commits"; }
short() { git -C "$repo" rev-parse --short "$1"; }
bisect=$repo/scripts/bisect-budget.sh
slot=$repo/build/compare-branches/head
# run ARGS...: the script's exit code, stdout and stderr in $status, $out/stdout, $out/stderr.
run() {
  status=0
  "$bisect" "$@" >"$out/stdout" 2>"$out/stderr" || status=$?
}
# expect_refusal PATTERN ARGS...: exit 2 and, as the last line of stderr, one line
# matching PATTERN (an extended regular expression).
expect_refusal() {
  local pattern=$1
  shift
  run "$@"
  local last
  last=$(tail -n 1 "$out/stderr")
  [[ $status -eq 2 ]] || { cat "$out/stderr" "$out/stdout"; fail "'$*' exited $status, expected 2"; }
  grep -qE -- "$pattern" <<<"$last" || { cat "$out/stderr"; fail "'$*': the last line is '$last', expected /$pattern/"; }
}
budget_file() { printf '# tests/bisect\n[update-500.optimized]\nbytes = %s\n' "$1" >"$out/budgets-$1.toml"; echo "$out/budgets-$1.toml"; }

case $mode in
  bad_args)
    b=$(budget_file 1)
    expect_refusal "^bisect-budget: GOOD 'nope' is not a commit of this repository$" nope "$(c 5)" --budgets "$b" --memharness "$gate"
    expect_refusal "^bisect-budget: BAD 'nope' is not a commit of this repository$" "$(c 0)" nope --budgets "$b" --memharness "$gate"
    expect_refusal "^bisect-budget: GOOD '$(c 5)' is not an ancestor of BAD '$(c 0)'$" "$(c 5)" "$(c 0)" --budgets "$b" --memharness "$gate"
    expect_refusal "^bisect-budget: GOOD and BAD needed" "$(c 0)" --budgets "$b" --memharness "$gate"
    expect_refusal "^bisect-budget: 'optimzed' is not a variant of cmake/variants.txt" "$(c 0)" "$(c 5)" update-500 optimzed --budgets "$b" --memharness "$gate"
    expect_refusal "^bisect-budget: .*budgets-1.toml has no \[select-1000.optimized\] budget$" "$(c 0)" "$(c 5)" select-1000 --budgets "$b" --memharness "$gate"
    expect_refusal "^bisect-budget: unknown option '--bogus'" "$(c 0)" "$(c 5)" --bogus
    # Nothing was built or checked out for any of them.
    grep -q "Building\|ninja" "$out/stderr" && fail "a refusal built something"
    ok "7 refusals"
    ;;
  good_over)
    b=$(budget_file 1)
    expect_refusal "^bisect-budget: GOOD $(c 0) \($(short "$(c 0)")\) is over budget already: update-500 optimized bytes: [0-9]+ is over its budget 1 by [0-9]+ \([0-9.]+ %\)$" \
      "$(c 0)" "$(c 5)" --budgets "$b" --memharness "$gate"
    bytes=$(tail -n 1 "$out/stderr" | sed -E 's/.*bytes: ([0-9]+) is over.*/\1/')
    echo "$bytes" >"$out/good-bytes"
    ok "GOOD's update-500 optimized bytes: $bytes"
    ;;
  bad_within | first_over | skipped | interrupted)
    [[ -s $out/good-bytes ]] || fail "no $out/good-bytes: run good_over first (fixture bisect_figure)"
    good_bytes=$(cat "$out/good-bytes")
    budget=$((good_bytes + budget_add))
    b=$(budget_file "$budget")
    ;;&
  bad_within)
    expect_refusal "^bisect-budget: BAD $(c 2) \($(short "$(c 2)")\) is within budget: bytes $good_bytes \(budget $budget\)$" \
      "$(c 0)" "$(c 2)" --budgets "$b" --memharness "$gate"
    ok "c2 at $good_bytes bytes, budget $budget"
    ;;
  first_over)
    run "$(c 0)" "$(c 5)" --budgets "$b" --memharness "$gate"
    cp "$out/stdout" "$out/first_over.stdout"
    cp "$out/stderr" "$out/first_over.stderr"
    show() { echo "--- stdout"; cat "$out/first_over.stdout"; echo "--- stderr"; cat "$out/first_over.stderr"; }
    [[ $status -eq 0 ]] || { show; fail "exited $status, expected 0"; }
    c3=$(c 3) c2=$(c 2)
    grep -qxF "First commit over budget: $c3 bisect test: a 4,096-byte allocation in ValidateBlockName" "$out/stdout" ||
      { show; fail "c3 ($c3) not named as the first commit over budget"; }
    # Its gate row and failure line, the figure above the budget by whole 4,096-byte calls.
    grep -qE "^update-500 +optimized +bytes +[0-9]+ +$budget .*OVER" "$out/stdout" || { show; fail "no OVER row against $budget"; }
    line=$(grep -E "^memharness: update-500 optimized bytes: [0-9]+ is over its budget $budget by [0-9]+ \([0-9.]+ %\)$" "$out/stdout")
    [[ -n $line ]] || { show; fail "no failure line for c3"; }
    bad_bytes=$(sed -E 's/.*bytes: ([0-9]+) is over.*/\1/' <<<"$line")
    added=$((bad_bytes - good_bytes))
    ((added > 0 && added % 4096 == 0)) || { show; fail "c3's $bad_bytes bytes are not GOOD's $good_bytes plus whole 4,096-byte allocations"; }
    # The top site of c3 is the patched function.
    grep -A 1 "^memharness: update-500 optimized bytes" "$out/stdout" | grep -q "ValidateBlockName" ||
      { show; fail "ValidateBlockName is not c3's first site line"; }
    # The good neighbour: c2, within budget at GOOD's figure.
    grep -qxF "== $(short "$c2") bisect test: a second note (its parent, within budget):" "$out/stdout" || { show; fail "c2 not shown as the parent within budget"; }
    grep -qE "^update-500 +optimized +bytes +$good_bytes +$budget .* ok$" "$out/stdout" || { show; fail "no ok row for c2 at $good_bytes"; }
    # Every commit judged, none skipped; the bisect itself ran (git bisect run's steps).
    grep -qE "^[^ ]+ with memharness-optimized, gated by .* [3-6] commits tested, 0 skipped" "$out/stdout" || { show; fail "commits tested/skipped line"; }
    grep -q "^running " "$out/stderr" || { show; fail "git bisect run did not run"; }
    # Reused worktree and build: only registry_codec.cc compiled, and it did (c0 to c5 changes it).
    compiled=$(grep -E "Building CXX object" "$out/stderr")
    [[ -n $compiled ]] || { show; fail "nothing was compiled, though c0 and c5 differ in registry_codec.cc"; }
    others=$(grep -v "registry_codec.cc.o" <<<"$compiled")
    [[ -z $others ]] || { show; fail "objects other than registry_codec.cc were compiled (worktree or build not reused): $others"; }
    worktrees=$(git -C "$repo" worktree list | wc -l)
    [[ $worktrees -eq 2 ]] || fail "$worktrees worktrees, expected the clone and build/compare-branches/head"
    # Bisect state reset, the slot back at BAD, the clone's checkout untouched.
    git -C "$slot" bisect log >/dev/null 2>&1 && fail "a bisect is still in progress in $slot"
    [[ $(git -C "$slot" rev-parse HEAD) == "$(c 5)" ]] || fail "the slot is not back at BAD"
    [[ $(git -C "$repo" rev-parse HEAD) == "$(c 5)" && $(git -C "$repo" symbolic-ref HEAD) == refs/heads/main ]] || fail "the clone's checkout moved"
    [[ -z $(git -C "$repo" status --porcelain) ]] || fail "the clone's tree changed: $(git -C "$repo" status --porcelain)"
    ok "c3 $(short "$c3"): $bad_bytes bytes against $budget; c2: $good_bytes; $(wc -l <<<"$compiled") compile(s) of registry_codec.cc"
    ;;
  skipped)
    run "$(c 0)" "$(k 4)" --budgets "$b" --memharness "$gate"
    [[ $status -eq 1 ]] || { cat "$out/stderr" "$out/stdout"; fail "exited $status, expected 1"; }
    grep -q "^bisect-budget: the first commit over budget is one of these, which could not be judged" "$out/stderr" ||
      { cat "$out/stderr"; fail "no list of candidates"; }
    grep -qxF "  $(short "$(k 2)") bisect test: registry_codec.cc does not compile: cannot be judged: the build failed" "$out/stderr" ||
      { cat "$out/stderr"; fail "k2 not listed as not judged"; }
    grep -qxF "  $(short "$(k 3)") bisect test: compiles again, with the allocation: over budget" "$out/stderr" ||
      { cat "$out/stderr"; fail "k3 not listed as over budget"; }
    [[ $(grep -c "^  [0-9a-f]* bisect test: " "$out/stderr") -eq 2 ]] || { cat "$out/stderr"; fail "more than k2 and k3 listed"; }
    git -C "$slot" bisect log >/dev/null 2>&1 && fail "a bisect is still in progress in $slot"
    ok "k2 skipped, k2 or k3 named"
    ;;
  interrupted)
    # SIGINT as a terminal sends it: to the whole process group, whose processes do
    # not ignore it (a background job of a script would).
    tmp=$out/tmp
    rm -f "$out/interrupted.stdout" "$out/interrupted.stderr"
    rm -rf "$tmp" && mkdir -p "$tmp"
    TMPDIR=$tmp setsid /usr/bin/python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$bisect" "$(c 0)" "$(c 5)" --budgets "$b" --memharness "$gate" >"$out/interrupted.stdout" 2>"$out/interrupted.stderr" &
    pid=$!
    for _ in $(seq 1 600); do grep -q "^running " "$out/interrupted.stderr" 2>/dev/null && break; sleep 0.2; done
    grep -q "^running " "$out/interrupted.stderr" || { kill -TERM -- "-$pid"; wait "$pid"; cat "$out/interrupted.stderr"; fail "git bisect run never started"; }
    kill -INT -- "-$pid"
    status=0
    wait "$pid" || status=$?
    [[ $status -eq 130 ]] || { cat "$out/interrupted.stderr"; fail "exited $status after SIGINT, expected 130"; }
    grep -q "^bisect-budget: interrupted" "$out/interrupted.stderr" || { cat "$out/interrupted.stderr"; fail "no 'interrupted' line"; }
    git -C "$slot" bisect log >/dev/null 2>&1 && fail "a bisect is still in progress in $slot"
    [[ -z $(ls -A "$tmp") ]] || fail "left in the temporary directory: $(ls -A "$tmp")"
    [[ -z $(git -C "$repo" status --porcelain) ]] || fail "the clone's tree changed"
    ok "exit 130, bisect reset"
    ;;
  *) fail "unknown mode" ;;
esac
