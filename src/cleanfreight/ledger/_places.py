"""Where a record goes: destination names that lie outside Shanxi (the out-of-province rail rule).

One list for the ledger's checks (``coal_coke_out_by_road``) and its reports (the out-of-province
rail share and what counts as clean, ``docs/accounting.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np
import pandas as pd

from cleanfreight.errors import InputError

#: provinces other than Shanxi, as they appear in destination names
OTHER_PROVINCES = (
    "河北",
    "河南",
    "山东",
    "北京",
    "天津",
    "内蒙古",
    "陕西",
    "江苏",
    "安徽",
    "湖北",
    "辽宁",
    "浙江",
    "上海",
    "日照",
    "邯郸",
    "安阳",
    "焦作",
    "新乡",
    "石家庄",
    "青岛",
)




def regions_out_of_province() -> list[str]:
    try:
        from cleanfreight._paths import sample_file

        reg = pd.read_csv(sample_file("network", "regions.csv"), comment="#", dtype=str)
        out = reg[reg["in_province"].str.lower().eq("false")]
        return [str(v) for c in ("region_id", "name_zh", "name_en") if c in out for v in out[c].dropna()]
    except (InputError, OSError, KeyError, ValueError):
        return []




@cache
def outside_names() -> list[str]:
    """Region ids and names outside Shanxi (the sample's ``regions.csv``) and other provinces' names."""
    return list(dict.fromkeys(regions_out_of_province() + list(OTHER_PROVINCES)))


def leaves_province(destination: Iterable[object]) -> np.ndarray:
    """Whether each destination names a place outside Shanxi (unknown or blank: ``False``)."""
    names = outside_names()
    out = []
    for d in destination:
        text = "" if d is None or (isinstance(d, float) and np.isnan(d)) else str(d)
        out.append(bool(text) and any(n in text for n in names))
    return np.asarray(out, dtype=bool)


__all__ = ["OTHER_PROVINCES", "leaves_province", "outside_names", "regions_out_of_province"]
