#!/usr/bin/env bash
# The one benchmark command: run bench/bench_*.py, then combine their results into
# bench/results/summary.json and docs/benchmarks.md (bench/_summary.py).
#
#   bash scripts/bench.sh [--quick] [NAME ...]     NAME: planning, dispatch, ... (bench/bench_NAME.py)
#
# Options other than names (--quick, ...) pass through to every benchmark. A benchmark that fails is
# reported as failed in the summary, the others still run, and the exit code is non-zero at the end.
# Environment: BENCH_SKIP_SETUP=1 skips scripts/setup.sh; BENCH_TIMEOUT=S stops a benchmark after S seconds.
set -uo pipefail
cd "$(dirname "$0")/.."
command_line="bash scripts/bench.sh${*:+ $*}"
if [ "${BENCH_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh || exit 2
fi
PY=.venv/bin/python

opts=()
names=()
for a in "$@"; do
  case "$a" in
    -*) opts+=("$a") ;;
    *) names+=("$a") ;;
  esac
done
scripts=()
if [ ${#names[@]} -eq 0 ]; then
  scripts=(bench/bench_*.py)
else
  for n in "${names[@]}"; do
    n=${n#bench/}; n=${n%.py}; n=${n#bench_}
    if [ ! -f "bench/bench_$n.py" ]; then
      echo "no benchmark bench/bench_$n.py; there are: $(ls bench/bench_*.py | sed 's#bench/bench_##; s#\.py##' | tr '\n' ' ')" >&2
      exit 2
    fi
    scripts+=("bench/bench_$n.py")
  done
fi

mkdir -p bench/results
work=$(mktemp -d "${TMPDIR:-/tmp}/cleanfreight-bench.XXXXXX")
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$PY" bench/_summary.py --machine-info > "$work/machine.json"
manifest="$work/manifest.tsv"
: > "$manifest"
for b in "${scripts[@]}"; do
  name=$(basename "$b" .py); name=${name#bench_}
  echo "== $b ${opts[*]:-}"
  marker="$work/$name.start"
  touch "$marker"
  sleep 0.01
  t0=$(date +%s%N)
  if [ -n "${BENCH_TIMEOUT:-}" ]; then
    timeout "$BENCH_TIMEOUT" "$PY" "$b" "${opts[@]}" 2>&1 | tee "$work/$name.log"
  else
    "$PY" "$b" "${opts[@]}" 2>&1 | tee "$work/$name.log"
  fi
  rc=${PIPESTATUS[0]}
  t1=$(date +%s%N)
  files=$(find bench/results -maxdepth 1 -name '*.json' ! -name summary.json -newer "$marker" -printf '%f,' | sed 's/,$//')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$b" "$rc" "$(( (t1 - t0) / 1000000000 )).$(printf %03d $(( (t1 - t0) / 1000000 % 1000 )))" "$files" "$work/$name.log" >> "$manifest"
  [ "$rc" -eq 0 ] || echo "!! $b failed (exit code $rc); going on" >&2
done
"$PY" bench/_summary.py --manifest "$manifest" --command "$command_line" --started "$started" \
  --machine "$work/machine.json"
status=$?
rm -rf "$work"
exit $status
