"""Password hashing with argon2id; a dummy hash keeps unknown usernames as slow as known ones."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# The library's defaults (RFC 9106's second recommendation), except under INTEGRITY_ENV=test, which is
# for the test suite alone (README): there, hashing throwaway passwords at full cost was most of its time.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("INTEGRITY_ENV") == "test"
    else PasswordHasher()
)
_DUMMY_HASH = _hasher.hash("integrity-dummy-password-for-timing")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists or has a password."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
