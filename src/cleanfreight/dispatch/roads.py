"""Deprecated module name, kept so that users' imports keep working: the road matrices of a dispatch
scenario live in :mod:`cleanfreight.dispatch.fleet_roads`.
"""

from cleanfreight.dispatch.fleet_roads import road_matrices

__all__ = ["road_matrices"]
