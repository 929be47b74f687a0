"""Integrity's test suite. Importing it makes the process the "test" environment, before any of the
service's modules are imported: cheap password hashing (lib/security/passwords.py reads INTEGRITY_ENV
once, at import) and a secret that is not the development default (settings refuse that)."""

import os

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
os.environ.setdefault("INTEGRITY_ENV", "test")
os.environ.setdefault("INTEGRITY_SECRET_KEY", TEST_SECRET)
