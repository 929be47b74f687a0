"""Password hashing with argon2id; a dummy hash keeps unknown usernames as slow as known ones."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from integrity.lib.i18n import N_
from integrity.lib.security.tokens import readable_code

# The library's defaults (RFC 9106's second recommendation), except under INTEGRITY_ENV=test, which is
# for the test suite alone (README): there, hashing throwaway passwords at full cost was most of its time.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("INTEGRITY_ENV") == "test"
    else PasswordHasher()
)
_DUMMY_HASH = _hasher.hash("integrity-dummy-password-for-timing")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# zxcvbn's scale: 3 is "safely unguessable: moderate protection from offline slow-hash attacks".
MIN_STRENGTH = 3


def weakness(password: str, own_words: Iterable[str] = ()) -> str | None:
    """Why a new password is refused (a msgid), or None: length, then zxcvbn's estimate of how
    guessable it is, given the words of the account itself (name, username, email)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("A password needs at least 10 characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("A password may have at most 256 characters.")
    words = {w.lower() for word in own_words for w in [word, *re.split(r"[._@\s-]+", word)] if len(w) > 1}
    # zxcvbn's cost grows with length; what lies past 100 characters adds strength, never weakness.
    if zxcvbn(password[:100], user_inputs=sorted(words))["score"] < MIN_STRENGTH:
        return N_(
            "This password is too easy to guess: avoid common words, names, dates and keyboard "
            "patterns, or make it longer."
        )
    return None


def temporary_password() -> str:
    """A one-time password an administrator hands over, to be changed at the next sign-in (~80 bits)."""
    return readable_code(4)


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
