#!/usr/bin/env bash
# One command: install everything (Python packages, and Debian chromium/poppler for the browser and PDF
# tests when run as root or with sudo), then lint, type-check and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${CI:-}" ]; then
  bash scripts/install-system-deps.sh   # in CI the browser and PDF tests must run, never skip
  export CLEANFREIGHT_REQUIRE_SYSTEM_DEPS=1
else
  bash scripts/install-system-deps.sh || echo "warning: system packages not installed; browser/PDF tests will be skipped"
fi
.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
set +e
.venv/bin/python -m pytest -n 2 --dist loadfile "$@"  # a file's tests on one worker, in order
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  # pytest's exit code 5: no tests collected. A selection of the user's that matches nothing is fine;
  # the whole suite collecting nothing means the tests are broken or missing: fail.
  if [ "$#" -gt 0 ]; then
    echo "no tests collected for: $*"
    exit 0
  fi
  echo "error: the test suite collected no tests" >&2
  exit 1
fi
exit "$rc"
