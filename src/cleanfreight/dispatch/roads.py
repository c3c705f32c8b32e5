"""Deprecated module name, kept so that users' imports keep working: the road matrices of a dispatch
scenario live in :mod:`cleanfreight.dispatch.road_matrices`.
"""

from cleanfreight.dispatch.road_matrices import road_matrices

__all__ = ["road_matrices"]
