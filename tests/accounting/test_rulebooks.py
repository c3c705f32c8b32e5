from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.accounting import available_rulebooks, load_rulebook
from cleanfreight.errors import InputError


def test_presets_exist_with_sources() -> None:
    assert {"changzhi-2024", "mee-steel-2019", "mee-cement-2024"} <= set(available_rulebooks())
    for name in available_rulebooks():
        rb = load_rulebook(name)
        assert rb.source, name
        assert rb.target == pytest.approx(0.8)


def test_city_rule_counts_ne_short_haul_but_not_diesel() -> None:
    rb = load_rulebook("changzhi-2024")
    assert rb.is_clean("rail_station_ne")
    assert not rb.is_clean("rail_station_diesel")
    assert rb.is_clean("truck_ne")
    assert not rb.is_clean("truck_cn6")


def test_user_rulebook_file(tmp_path: Path) -> None:
    f = tmp_path / "mine.toml"
    f.write_text('name = "mine"\ntarget = 0.9\nclean_modes = ["rail_spur"]\n', encoding="utf-8")
    rb = load_rulebook(f)
    assert rb.name == "mine" and rb.target == 0.9 and rb.is_clean("rail_spur") and not rb.is_clean("truck_ne")


def test_bad_rulebook_lists_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text('target = 1.5\nclean_modes = ["rail_spur", "teleport"]\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rulebook(f)
    text = str(err.value)
    assert "'name'" in text and "target" in text and "teleport" in text
    assert len(err.value.problems) == 3


def test_unknown_preset_names_the_presets() -> None:
    with pytest.raises(InputError, match="changzhi-2024"):
        load_rulebook("nope")
