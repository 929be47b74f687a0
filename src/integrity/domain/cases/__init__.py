"""Supervision cases: intake, the lifecycle, teams, conflict-of-interest exclusion."""
