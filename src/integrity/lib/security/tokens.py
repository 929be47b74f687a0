"""Random secrets for cookies and API tokens, stored only as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "itk_"  # noqa: S105 - a prefix, not a secret


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
