"""Accountability (问责/处分): the measure catalogue, decisions, appeals and the sanction register."""
