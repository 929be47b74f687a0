"""Passwords, secrets and tokens."""
