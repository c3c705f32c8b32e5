#!/usr/bin/env bash
# One command: install everything, then run the main job on the bundled (illustrative) Changzhi sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/cleanfreight demo --out "${1:-maps/demo}" "${@:2}"
