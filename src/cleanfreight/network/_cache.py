"""On-disk cache of built road graphs, keyed by the input files' contents and the truck profile."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

log = logging.getLogger(__name__)
_VERSION = "5"  # bump when the road reader changes what it builds (5: PBF honours oneway; 3: XML edges end where the road class changes;
# 4: edges keep motorroad)


def cache_key(files: Sequence[Path | None], extra: str) -> str:
    h = hashlib.sha256(_VERSION.encode())
    for f in files:
        if f is None:
            h.update(b"-")
            continue
        with Path(f).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    h.update(extra.encode())
    return h.hexdigest()[:24]


def cached_graph(key: str, build: Callable[[], nx.MultiDiGraph], *, enabled: bool = True) -> nx.MultiDiGraph:
    """Return the graph cached under ``key``, or build it and cache it (written atomically)."""
    if not enabled or os.environ.get("CLEANFREIGHT_NO_CACHE"):
        return build()
    from cleanfreight._paths import cache_dir

    path = cache_dir() / f"roads-{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as fh:
                G: Any = pickle.load(fh)
            log.info("road graph from cache %s", path)
            return G  # type: ignore[no-any-return]
        except Exception:  # a corrupt cache file is rebuilt, never trusted
            log.warning("ignoring unreadable cache file %s", path)
    G = build()
    G.graph.pop("_csr", None)
    G.graph.pop("_edge_index", None)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(G, fh, protocol=pickle.HIGHEST_PROTOCOL)
    Path(tmp).replace(path)
    return G
