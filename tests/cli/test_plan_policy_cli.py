"""`cleanfreight plan` as a planner uses it: a truck ban that exempts nobody around one enterprise still
gives a plan for the others (exit 0, a warning, the blocked flows kept as they are, with the reason)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app


def test_a_total_ban_around_one_enterprise_keeps_its_flows_and_plans_the_rest(tmp_path: Path) -> None:
    zone = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"zone_id": "BAN", "hgv_banned_hours": "00:00-24:00", "new_energy_exempt": False},
                # a small square around CZ05 (113.24 E, 36.366 N), which has no spur
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[113.23, 36.356], [113.25, 36.356], [113.25, 36.376], [113.23, 36.376],
                                     [113.23, 36.356]]],
                },
            }
        ],
    }
    (tmp_path / "ban.geojson").write_text(json.dumps(zone), encoding="utf-8")
    sc = tmp_path / "ban.toml"
    sc.write_text('[scenario]\nname = "ban-cz05"\n[data]\nrestriction_zone = "ban.geojson"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["plan", "--scenario", str(sc), "--out", str(tmp_path / "p"), "--straight"])
    assert res.exit_code == 0, res.output
    assert "keep their" in res.output and "current split" in res.output
    plan = json.loads((tmp_path / "p" / "plan.json").read_text(encoding="utf-8"))
    blocked = plan["meta"]["blocked_flows"]
    assert blocked and all(f.startswith("CZ05-") for f in blocked)
    assert all("zone BAN:CZ05" in why for why in blocked.values())
    ents = {e["enterprise_id"]: e for e in plan["enterprises"]}
    assert {r["kind"] for r in ents["CZ05"]["reasons"]} >= {"unplannable"}
    assert sum(e["meets_target"] for e in plan["enterprises"]) >= 39  # the other 39 are planned as usual
