#!/usr/bin/env bash
# Regenerate the sample's frontier for docs/frontier.md: runs `cleanfreight plan --frontier` on the
# bundled sample (road distances, 8 steps, ~20 s), copies the chart to docs/img/frontier.png (English)
# and docs/img/frontier_zh.png (Chinese), and prints the docs table as Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/frontier}"
.venv/bin/cleanfreight plan --frontier --out "$out" --lang en
.venv/bin/cleanfreight plan --frontier --out "$out/zh" --lang zh >/dev/null
mkdir -p docs/img
cp "$out/frontier.png" docs/img/frontier.png
cp "$out/zh/frontier.png" docs/img/frontier_zh.png
.venv/bin/python - "$out/frontier.json" <<'PY'
import json
import sys

d = json.load(open(sys.argv[1], encoding="utf-8"))


def num(v, fmt):
    return "–" if v is None else format(v, fmt)


print("| level | reached | annual cost (CNY m) | vs cheapest (CNY m) | CNY / extra clean t (marginal · average) "
      "| CNY / t CO2 avoided (marginal · average) | CO2 (kt) | builds the step adds |")
print("|---:|---:|---:|---:|---:|---:|---:|---|")
for p in d["points"]:
    builds = [f"+{s}" for s in p["spurs_added"].split(";") if s] + [f"−{s}" for s in p["spurs_removed"].split(";") if s]
    if p["trucks_added"]:
        builds.append(f"{p['trucks_added']:+d} trucks")
    if p["swap_units_added"]:
        builds.append(f"{p['swap_units_added']:+d} swap units")
    print(
        f"| {p['level']:.1%} | {p['ratio']:.1%} | {p['cost_cny'] / 1e6:,.1f} | {p['cost_vs_cheapest_cny'] / 1e6:,.1f} "
        f"| {num(p['marginal_cny_per_clean_t'], ',.2f')} · {num(p['average_cny_per_clean_t'], ',.2f')} "
        f"| {num(p['marginal_cny_per_t_co2'], ',.0f')} · {num(p['average_cny_per_t_co2'], ',.0f')} "
        f"| {p['co2_t'] / 1e3:,.1f} | {', '.join(builds) or '–'} |"
    )
r, t = d["reference"], d["today"]
cheapest = min(p["cost_cny"] for p in d["points"])
print(f"\ntoday: {t['ratio']:.1%}, {t['cost_cny'] / 1e6:,.1f} CNY m, {t['co2_t'] / 1e3:,.1f} kt CO2")
print(f"per-enterprise {r['target']:.0%} plan: {r['ratio']:.1%}, {r['cost_cny'] / 1e6:,.1f} CNY m "
      f"(+{(r['cost_cny'] - cheapest) / 1e6:,.1f}), {r['co2_t'] / 1e3:,.1f} kt CO2, trucks {r['trucks_new']}, "
      f"swap {r['swap_units_new']}, spurs {r['spurs']}")
PY
