"""Outputs are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight._io import atomic_path, write_text


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path: Path) -> None:
    dest = tmp_path / "plan.json"
    write_text(dest, '{"old": true}')
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        assert tmp.suffix == ".json" and tmp.parent == tmp_path  # same folder: the rename is atomic
        tmp.write_text('{"new": tr', encoding="utf-8")  # half written, then the run dies
        raise RuntimeError("killed")
    assert dest.read_text(encoding="utf-8") == '{"old": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_complete_write_replaces_the_file(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "routes.geojson"
    write_text(dest, "first")
    write_text(dest, "二")
    assert dest.read_text(encoding="utf-8") == "二"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["routes.geojson"]


def test_plan_json_is_written_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run killed while writing the plan's tables leaves no plan.json claiming they are complete."""
    from cleanfreight.planning import PlanParams, outputs, solve_plan
    from tests.planning.conftest import make_tiny

    problem = make_tiny()
    result = solve_plan(problem, PlanParams())

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "route_features", boom)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_plan(result, tmp_path, problem=problem, xlsx=False)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "plan.json" not in names and "routes.geojson" not in names
    assert "enterprises.csv" in names and not [n for n in names if n.startswith(".")]
