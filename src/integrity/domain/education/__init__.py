"""Integrity education (廉政教育): events, their rosters, sign-in by a rotating code, attendance."""
