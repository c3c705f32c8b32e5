"""The old names users' scripts import keep working after the renames of issue 12 (one suffix, ``Params``,
for parameter objects; module names that say what is inside)."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("cleanfreight.reports:ReportOptions", "cleanfreight.reports:RenderParams"),
        ("cleanfreight.reports.options:ReportOptions", "cleanfreight.reports.params:RenderParams"),
        ("cleanfreight.ledger:CheckSettings", "cleanfreight.ledger:CheckParams"),
        ("cleanfreight.ledger:IngestSettings", "cleanfreight.ledger:IngestParams"),
        ("cleanfreight.ledger:ReportSettings", "cleanfreight.ledger:ReportParams"),
        ("cleanfreight.server:ServerSettings", "cleanfreight.server:ServerParams"),
        ("cleanfreight.planning.check:check_plan", "cleanfreight.planning.verify:check_plan"),
        ("cleanfreight.planning.io:write_plan", "cleanfreight.planning.outputs:write_plan"),
        ("cleanfreight.dispatch.vrplib_io:read_vrplib", "cleanfreight.dispatch.vrplib:read_vrplib"),
        ("cleanfreight.dispatch.matrix:StraightLineMatrix", "cleanfreight.dispatch.travel:StraightLineMatrix"),
        ("cleanfreight.dispatch.roads:road_matrices", "cleanfreight.dispatch.fleet_roads:road_matrices"),
        ("cleanfreight.dispatch.solve:DispatchResult", "cleanfreight.dispatch.result:DispatchResult"),
        ("cleanfreight.dispatch.scenario:Scenario", "cleanfreight.dispatch:Scenario"),
    ],
)
def test_an_old_name_is_the_new_object(old: str, new: str) -> None:
    def get(ref: str) -> object:
        module, name = ref.split(":")
        return getattr(importlib.import_module(module), name)

    assert get(old) is get(new)


def test_the_render_params_still_validate_under_the_old_name() -> None:
    from cleanfreight.errors import InputError
    from cleanfreight.reports import ReportOptions

    with pytest.raises(InputError, match="paper"):
        ReportOptions(paper="B5")
