"""Random secrets for cookies and API tokens (stored only as keyed hashes), codes people type, and
texts sealed under a key derived from the server's for one purpose."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

API_TOKEN_PREFIX = "itk_"  # noqa: S105 - a prefix, not a secret
# Letters and digits no one misreads (no 0/o, 1/l/i), for codes read off a screen and typed.
READABLE = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def keyed_hash(secret_key: str, value: str) -> str:
    """HMAC-SHA256: a leaked table yields no usable cookie or token without the server key."""
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two optional strings."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def readable_code(groups: int, size: int = 4) -> str:
    """Groups of READABLE characters joined by dashes, e.g. "k7mq-x3vt"."""
    return "-".join("".join(secrets.choice(READABLE) for _ in range(size)) for _ in range(groups))


def _fernet(secret_key: str, purpose: str) -> Fernet:
    """A key for one purpose only: what is sealed for one cannot be opened as another."""
    digest = hashlib.sha256(purpose.encode() + b"\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret_key: str, purpose: str, text: str) -> str:
    """Encrypt and authenticate `text` (Fernet), with the time it was sealed."""
    return _fernet(secret_key, purpose).encrypt(text.encode()).decode()


def unseal(secret_key: str, purpose: str, sealed: str | None, max_age: int | None = None) -> str | None:
    """The text sealed for this purpose, or None (tampered, another purpose, older than max_age)."""
    if not sealed:
        return None
    try:
        return _fernet(secret_key, purpose).decrypt(sealed.encode(), ttl=max_age).decode()
    except (InvalidToken, ValueError):
        return None
