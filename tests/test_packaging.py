from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("wheel")
    builder = WheelBuilder(str(ROOT))
    return Path(next(iter(builder.build(directory=str(out), versions=["standard"]))))


def test_wheel_carries_sample_data_and_presets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "cleanfreight/_sample/enterprises/enterprises.csv",
        "cleanfreight/_sample/enterprises/flows.csv",
        "cleanfreight/_sample/enterprises/mode_split.csv",
        "cleanfreight/_sample/network/changzhi_roads.osm",
        "cleanfreight/_sample/network/stations.csv",
        "cleanfreight/accounting/presets/changzhi-2024.toml",
        "cleanfreight/accounting/presets/factors.csv",
        "cleanfreight/py.typed",
    ):
        assert required in names, required


def test_sample_dir_prefers_packaged_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cleanfreight._paths as paths

    pkg = tmp_path / "cleanfreight"
    (pkg / "_sample" / "enterprises").mkdir(parents=True)
    monkeypatch.setattr(paths, "_PKG", pkg)
    paths.sample_dir.cache_clear()
    try:
        assert paths.sample_dir() == pkg / "_sample"
    finally:
        paths.sample_dir.cache_clear()
