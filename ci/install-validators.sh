#!/usr/bin/env bash
# Installs the workflow validator the CI-file test uses (tests/ci: ci.workflow_schema)
# from npm into DIR (not into the source tree's tracked files; the test passes
# build/<preset>/ci-validators), once: a second call finds it there and installs nothing.
#   ci/install-validators.sh DIR
# @action-validator/cli checks a GitHub Actions workflow against SchemaStore's
# github-workflow schema, which it carries (nothing is fetched when it validates).
# Prints the validator's path. Exit 1 with one line when npm is missing or the registry
# cannot be reached (npm gives up after about a minute rather than hanging).
set -euo pipefail

version=0.6.0
dir=${1:?usage: ci/install-validators.sh DIR}
bin=$dir/node_modules/.bin/action-validator
if [[ -x "$bin" && "$(cat "$dir/.version" 2>/dev/null)" == "$version" ]]; then
  echo "$bin"
  exit 0
fi
command -v npm >/dev/null || { echo "install-validators: npm is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p "$dir"
if ! timeout 180 npm install --prefix "$dir" --no-audit --no-fund --no-save --fetch-retries=1 --fetch-timeout=30000 \
    "@action-validator/cli@$version" "@action-validator/core@$version" >"$dir/npm.log" 2>&1; then
  echo "install-validators: npm could not install @action-validator/cli@$version (offline? see $dir/npm.log)" >&2
  exit 1
fi
[[ -x "$bin" ]] || { echo "install-validators: npm installed no $bin" >&2; exit 1; }
echo "$version" >"$dir/.version"
echo "$bin"
