"""Province-size road networks: streaming import, reload and a 2,000 x 200 truck matrix, with baselines.

Run: ``.venv/bin/python bench/bench_network_scale.py [--quick]`` (``--quick``: only the 100 k-way file).
On the generated province PBF (``cleanfreight sample --scale province --parts sites,roads``, illustrative):

- import (``cleanfreight network build``) time and peak memory, each run in its own subprocess (peak
  RSS from ``resource.getrusage(RUSAGE_CHILDREN)`` of a wrapper process around it);
- reload of the built folder (``load_road_store``) time;
- the 2,000 enterprises x 200 stations truck matrix (km and hours) from the store;
- baselines measured in the same run, on the 100 k-way file: today's ``load_roads`` (pyrosm + osmnx)
  import, ``road_matrix`` on its networkx graph (osmnx path), and networkx's Dijkstra per source on the
  store's own graph, each figure also as a ratio against its baseline.

Targets (issue 14, 2 cores / 24 GB): 1.5 M ways import under 4 GB peak; reload under 10 s; 2,000 x 200
matrix under 60 s. Results: ``bench/results/network_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

HERE = Path(__file__).resolve()
BIN = Path(sys.executable).parent / "cleanfreight"
GB = 1024.0**3


def _measured(args: list[str]) -> dict[str, Any]:
    """Run ``args`` in a wrapper process that reports the wall time and the peak RSS of its one child."""
    res = subprocess.run([sys.executable, str(HERE), "--wrap", *args], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _wrap(args: list[str]) -> None:
    t0 = time.perf_counter()
    res = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stdout[-2000:] + res.stderr[-3000:])
        raise SystemExit(res.returncode)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # kB on Linux
    try:
        extra = json.loads(res.stdout)
    except ValueError:
        lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{") and ln.endswith("}")]
        extra = json.loads(lines[-1]) if lines else {}
    extra = extra if isinstance(extra, dict) else {}
    extra.pop("files", None)
    print(json.dumps({"seconds": seconds, "peak_gb": peak / GB, **extra}))


def _child(kind: str, args: list[str]) -> None:
    """The measured jobs that are not a CLI command; print one JSON line."""
    import numpy as np
    import pandas as pd

    if kind == "reload":
        from cleanfreight.network.store import load_road_store

        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            s = load_road_store(args[0])
            s.matrices()
            best = min(best, time.perf_counter() - t0)
        print(json.dumps({"reload_s": best, "nodes": s.nodes, "edges": s.meta["edges"]}))
    elif kind == "matrix":
        from cleanfreight.network.store import load_road_store

        s = load_road_store(args[0])
        ent, st = pd.read_csv(Path(args[1]) / "enterprises.csv"), pd.read_csv(Path(args[1]) / "stations.csv")
        workers = int(args[2]) if len(args) > 2 else 1
        t0, c0 = time.perf_counter(), time.process_time()
        m = s.matrix(np.c_[ent["lon"], ent["lat"]], np.c_[st["lon"], st["lat"]], workers=workers)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(json.dumps({"matrix_s": wall, "matrix_cpu_s": cpu, "shape": list(m.distance_km.shape),
                          "finite": float(np.isfinite(m.distance_km).mean()),
                          "mean_km": float(np.mean(m.distance_km[np.isfinite(m.distance_km)]))}))
    elif kind == "load_roads":
        from cleanfreight.network.roads import load_roads

        t0 = time.perf_counter()
        G = load_roads(args[0])
        print(json.dumps({"load_s": time.perf_counter() - t0, "nodes": len(G), "edges": G.number_of_edges()}))
    elif kind == "matrix_baselines":
        _matrix_baselines(Path(args[0]), Path(args[1]), Path(args[2]))
    else:
        raise SystemExit(f"unknown child {kind}")


def _matrix_baselines(pbf: Path, store_dir: Path, sites: Path) -> None:
    """On the 100 k-way file: the store's matrix against ``road_matrix`` on today's graph (200 x 200) and
    scipy against networkx Dijkstra per source on the store's own graph (10 sources)."""
    import networkx as nx
    import numpy as np
    import pandas as pd
    from scipy.sparse.csgraph import dijkstra

    from cleanfreight.network.matrix import road_matrix
    from cleanfreight.network.roads import load_roads
    from cleanfreight.network.store import load_road_store

    store = load_road_store(store_dir)
    ent, st = pd.read_csv(sites / "enterprises.csv"), pd.read_csv(sites / "stations.csv")
    o, d = np.c_[ent["lon"], ent["lat"]][:200], np.c_[st["lon"], st["lat"]]
    G = load_roads(pbf)
    t0 = time.perf_counter()
    ref = road_matrix(G, o, d)
    t_osmnx = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = store.matrix(o, d)
    t_store = time.perf_counter() - t0
    fin = np.isfinite(ref.distance_km) & np.isfinite(ours.distance_km)
    rel = np.abs(ours.distance_km[fin] - ref.distance_km[fin]) / np.maximum(ref.distance_km[fin], 1e-9)
    # networkx on the store's graph: the same edges, one Dijkstra per source in Python
    length, _ = store.matrices()
    coo = length.tocoo()
    H = nx.DiGraph()
    H.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
    roots = np.random.default_rng(7).choice(store.nodes, size=10, replace=False)
    t0 = time.perf_counter()
    for r in roots:
        nx.single_source_dijkstra_path_length(H, int(r))
    t_nx = time.perf_counter() - t0
    t0 = time.perf_counter()
    dijkstra(length, indices=roots)
    t_scipy = time.perf_counter() - t0
    print(json.dumps({
        "osmnx_road_matrix_200x200_s": t_osmnx, "store_matrix_200x200_s": t_store,
        "median_rel_km_diff": float(np.median(rel)), "finite_pairs": float(fin.mean()),
        "networkx_10_sources_s": t_nx, "scipy_10_sources_s": t_scipy,
    }))


def _matrix_workers(folder: Path, workers: int) -> None:
    """Only the 2,000 x 200 matrix on a folder a full run kept (``--keep``), on 1 and on ``workers`` processes."""
    rows = []
    for w in (1, workers):
        mat = _measured([sys.executable, str(HERE), "--child", "matrix", str(folder / "net"), str(folder), str(w)])
        rows.append({"case": f"matrix 2,000 x 200 from the store, {w} process(es)", "nodes": None,
                     "seconds": mat["matrix_s"], "cpu_s_parent": mat["matrix_cpu_s"], "peak_gb": mat["peak_gb"],
                     "target": "< 60 s", "met": mat["matrix_s"] < 60})
    rows[1]["ratio_vs_1_process"] = rows[1]["seconds"] / rows[0]["seconds"]
    meta = json.loads((folder / "net" / "network.json").read_text(encoding="utf-8"))
    for r in rows:
        r["nodes"] = meta["nodes"]
    report("network_scale_matrix_workers", rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="only the 100 k-way file")
    ap.add_argument("--keep", type=Path, help="folder to keep the generated files in (default: a temporary one)")
    ap.add_argument("--matrix-workers", type=Path, metavar="DIR",
                    help="only the matrix, on 1 and 2 processes, on a size folder a --keep run left (e.g. KEEP/ways1500000)")
    args = ap.parse_args()
    if args.matrix_workers:
        _matrix_workers(args.matrix_workers, 2)
        return
    root = args.keep or Path(tempfile.mkdtemp(prefix="cf-bench-scale-"))
    os.environ["CLEANFREIGHT_NO_CACHE"] = "1"
    sizes = [100_000] if args.quick else [100_000, 1_500_000]
    rows: list[dict[str, Any]] = []
    small: dict[str, Any] = {}
    for ways in sizes:
        d = root / f"ways{ways}"
        gen = _measured([str(BIN), "sample", "--scale", "province", "--parts", "sites,roads", "--ways", str(ways),
                         "--out", str(d), "--json"])
        pbf = d / "roads.osm.pbf"
        meta = json.loads((d / "roads.json").read_text(encoding="utf-8"))
        rows.append({"case": "generate province PBF", "ways": meta["ways"], "seconds": gen["seconds"],
                     "peak_gb": gen["peak_gb"], "pbf_mb": pbf.stat().st_size / 1e6})
        imp = _measured([str(BIN), "network", "build", str(pbf), "--out", str(d / "net"), "--json"])
        net_mb = sum(f.stat().st_size for f in (d / "net").iterdir()) / 1e6
        row: dict[str, Any] = {"case": "import (network build, streaming)", "ways": meta["ways"],
                               "seconds": imp["seconds"], "peak_gb": imp["peak_gb"], "nodes": imp["nodes"],
                               "edges": imp["edges"], "store_mb": net_mb}
        if ways == sizes[-1] and not args.quick:
            row["target"] = "peak < 4 GB"
            row["met"] = imp["peak_gb"] < 4
        rows.append(row)
        rel = _measured([sys.executable, str(HERE), "--child", "reload", str(d / "net")])
        rows.append({"case": "reload (load_road_store + CSR)", "ways": meta["ways"], "seconds": rel["reload_s"],
                     "peak_gb": rel["peak_gb"], "ratio_vs_import": rel["reload_s"] / imp["seconds"],
                     "target": "< 10 s", "met": rel["reload_s"] < 10})
        mat = _measured([sys.executable, str(HERE), "--child", "matrix", str(d / "net"), str(d)])
        rows.append({"case": "matrix 2,000 x 200 from the store (scipy)", "ways": meta["ways"],
                     "seconds": mat["matrix_s"], "cpu_s": mat["matrix_cpu_s"], "peak_gb": mat["peak_gb"],
                     "finite": mat["finite"], "mean_km": mat["mean_km"], "target": "< 60 s",
                     "met": mat["matrix_s"] < 60})
        if ways == 100_000:
            small = {"dir": d, "pbf": pbf, "import": imp, "matrix": mat, "ways": meta["ways"]}
    # baselines on the small file, in the same run
    base = _measured([sys.executable, str(HERE), "--child", "load_roads", str(small["pbf"])])
    rows.append({"case": "baseline: load_roads (pyrosm + osmnx, whole file)", "ways": small["ways"],
                 "seconds": base["load_s"], "peak_gb": base["peak_gb"], "nodes": base["nodes"],
                 "edges": base["edges"], "ratio_import_vs_baseline": small["import"]["seconds"] / base["load_s"],
                 "ratio_peak_vs_baseline": small["import"]["peak_gb"] / base["peak_gb"]})
    mb = _measured([sys.executable, str(HERE), "--child", "matrix_baselines", str(small["pbf"]),
                    str(small["dir"] / "net"), str(small["dir"])])
    rows.append({"case": "baseline: road_matrix on load_roads graph 200 x 200 (osmnx path)", "ways": small["ways"],
                 "seconds": mb["osmnx_road_matrix_200x200_s"],
                 "store_seconds": mb["store_matrix_200x200_s"],
                 "ratio_store_vs_baseline": mb["store_matrix_200x200_s"] / mb["osmnx_road_matrix_200x200_s"],
                 "median_rel_km_diff": mb["median_rel_km_diff"], "finite": mb["finite_pairs"]})
    rows.append({"case": "baseline: networkx Dijkstra, 10 sources on the store's graph", "ways": small["ways"],
                 "seconds": mb["networkx_10_sources_s"], "store_seconds": mb["scipy_10_sources_s"],
                 "ratio_store_vs_baseline": mb["scipy_10_sources_s"] / mb["networkx_10_sources_s"]})
    path = report("network_scale" + ("_quick" if args.quick else ""), rows)
    print(f"results: {path}; files in {root}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--wrap":
        _wrap(sys.argv[2:])
    elif len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3:])
    else:
        main()
