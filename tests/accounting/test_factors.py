from __future__ import annotations

import pytest

from cleanfreight.accounting import chain_intensity, load_factors
from cleanfreight.errors import InputError


def test_every_factor_has_a_source() -> None:
    f = load_factors()
    assert all(row["source"] for row in f.table())
    assert f["grid.co2_kg_per_kwh"] == pytest.approx(0.6361)


def test_override_changes_results() -> None:
    base = chain_intensity("rail_spur", rail_km=1000, factors=load_factors())
    cleaner = chain_intensity("rail_spur", rail_km=1000, factors=load_factors(overrides={"grid.co2_kg_per_kwh": 0.0}))
    assert base["co2_kg"] == pytest.approx(11.2 * 0.6361)  # 11.2 kWh per 1000 tkm x North China grid
    assert cleaner["co2_kg"] == 0.0


def test_electric_truck_by_hand() -> None:
    f = load_factors()
    res = chain_intensity("truck_ne", road_km=100, factors=f)
    kwh = (1.9 + 1.1 * 1.0) * 100 / 32  # loaded + empty return, per tonne of a 32 t payload
    assert res["energy_kwh"] == pytest.approx(kwh)
    assert res["co2_kg"] == pytest.approx(kwh * 0.6361)
    assert res["nox_g"] == 0.0


def test_short_haul_minimum_charge() -> None:
    res = chain_intensity("rail_station_ne", rail_km=0, short_haul_km=1)
    # rail base 1 + minimum short-haul charge + default station handling + transfer
    assert res["cost_cny"] == pytest.approx(16.3 + 8.0 + 6.0 + 3.0)


def test_station_handling_per_chain() -> None:
    """A station's own handling charge replaces the default; NaN falls back to it; spurs pay neither."""
    import numpy as np

    res = chain_intensity("rail_station_diesel", rail_km=np.array([0.0, 0.0]), short_haul_km=np.array([1.0, 1.0]),
                          station_handling_cny_per_t=np.array([15.0, np.nan]))
    assert res["cost_cny"] == pytest.approx([16.3 + 8.0 + 15.0 + 3.0, 16.3 + 8.0 + 6.0 + 3.0])
    spur = chain_intensity("rail_spur", rail_km=0.0, station_handling_cny_per_t=15.0)
    assert spur["cost_cny"] == pytest.approx(16.3 + 4.0)  # rail base 1 + own-spur loading


def test_bad_overrides() -> None:
    with pytest.raises(InputError) as err:
        load_factors(overrides={"nope": 1.0, "grid.co2_kg_per_kwh": -1})
    assert len(err.value.problems) == 2
