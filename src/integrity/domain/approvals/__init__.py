"""Maker-checker approvals shared by every approvable kind (case proposals, close-outs, decisions)."""
