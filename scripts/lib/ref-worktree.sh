# shellcheck shell=bash
# Sourced by scripts/compare-branches.sh and scripts/bisect-budget.sh: one git worktree
# per slot under build/compare-branches/, checked out at a ref and built there with the
# release preset. The worktrees (and their builds) are kept between calls, so moving a
# slot to another commit rebuilds only what changed.
# The caller sets: root (this tree), work (build/compare-branches, relative to root) and
# variants (the variants whose memharness-<variant> binaries to build). Messages start
# with the calling script's name.

# ref_worktree_build TREE: builds memharness-<variant> for each of $variants in TREE
# (release preset), the build's output on stderr; fails as the build does.
ref_worktree_build() {
  local tree=$1 v targets=()
  for v in $variants; do targets+=("memharness-$v"); done
  (cd "$tree" && cmake --preset release >/dev/null && cmake --build --preset release --target "${targets[@]}" >&2)
}

# prepare SLOT REF: the worktree build/compare-branches/SLOT at REF, built; prints its path.
prepare() {
  local slot=$1 ref=$2 commit tree me
  me=$(basename "$0" .sh)
  if ! commit=$(git rev-parse --verify --quiet "$ref^{commit}"); then
    echo "$me: '$ref' is not a commit of this repository" >&2
    return 2
  fi
  tree=$root/$work/$slot
  if [[ -e "$tree/.git" ]]; then
    git -C "$tree" checkout --quiet --detach "$commit"
  else
    rm -rf "$tree"
    git worktree add --quiet --detach "$tree" "$commit"
  fi
  echo "== $slot: $ref ($(git rev-parse --short "$commit")) in $tree" >&2
  ref_worktree_build "$tree" || {
    echo "$me: $ref: the build failed (does it have the variants: $variants?)" >&2
    return 2
  }
  echo "$tree"
}
