"""Deprecated module name, kept so that users' imports keep working: the dispatch travel matrices (straight
lines, a fleet's matrices) live in :mod:`cleanfreight.dispatch.travel`.
"""

from cleanfreight.dispatch.travel import (
    MATRIX_CLASSES,
    FleetMatrices,
    MatrixLike,
    StraightLineMatrix,
    haversine_km,
    haversine_matrix,
)

__all__ = ["MATRIX_CLASSES", "FleetMatrices", "MatrixLike", "StraightLineMatrix", "haversine_km", "haversine_matrix"]
