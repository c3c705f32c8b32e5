"""Fixtures of the command-line tests: the tiny inputs of the packages whose commands they run."""

from tests.dispatch.conftest import sample_scenario_path, tiny_cvrp
from tests.ledger.conftest import hand_db, hand_files

__all__ = ["hand_db", "hand_files", "sample_scenario_path", "tiny_cvrp"]
