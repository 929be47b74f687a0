"""Integrity: case and compliance tracking for discipline-inspection and ethics offices."""

__version__ = "0.1.0"
