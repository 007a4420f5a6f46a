#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs the main job.
# For now the main job is the engine demo; the scenario runner and report replace it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh run
cmake --preset release >/dev/null
cmake --build --preset release
build/release/engine/engine_demo
