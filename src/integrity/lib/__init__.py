"""Shared plumbing: authorization, the audit chain, errors, security helpers."""
