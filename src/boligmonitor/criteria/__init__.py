"""The criteria engine (placeholder docstring replaced below)."""

from boligmonitor.criteria.cli import classify_csv

__all__ = ["classify_csv"]
