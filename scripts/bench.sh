#!/usr/bin/env bash
# Run every benchmark (bench/bench_*.py); pass --quick for a short run. Results: bench/results/*.json
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for b in bench/bench_*.py; do
  echo "== $b"
  .venv/bin/python "$b" "$@"
done
