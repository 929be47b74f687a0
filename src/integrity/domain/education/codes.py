"""The sign-in code a projector shows: it changes every few seconds, is signed with the server's key,
and is bound to one event and one time window; a copy is useless for another event or once its window
has passed. A six-digit code changes with it, for a phone that cannot scan."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from integrity.config import Settings
from integrity.lib.security import tokens
from integrity.lib.security.tokens import same

# A code scanned just as it changes still counts for this long into the next window.
GRACE_SECONDS = 3


@dataclass(frozen=True)
class SignInCode:
    token: str  # what the QR code's address carries
    digits: str  # the six-digit fallback
    window: int
    seconds_left: float


def _mac(settings: Settings, event_id: int, window: int) -> bytes:
    message = f"education-sign-in|{event_id}|{window}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).digest()


def code_for(settings: Settings, event_id: int, window: int) -> tuple[str, str]:
    mac = _mac(settings, event_id, window)
    token = f"{window}.{mac[:12].hex()}"
    digits = f"{int.from_bytes(mac[12:16], 'big') % 1_000_000:06d}"
    return token, digits


def current(settings: Settings, event_id: int, seconds: int, now: float | None = None) -> SignInCode:
    now = time.time() if now is None else now
    window = int(now // seconds)
    token, digits = code_for(settings, event_id, window)
    return SignInCode(token, digits, window, (window + 1) * seconds - now)


def _windows(seconds: int, now: float) -> list[int]:
    window = int(now // seconds)
    if now - window * seconds < GRACE_SECONDS:
        return [window, window - 1]
    return [window]


def valid(settings: Settings, event_id: int, seconds: int, given: str, now: float | None = None) -> bool:
    """Whether a scanned token or typed digits are this event's code for now (or just before)."""
    now = time.time() if now is None else now
    given = given.strip()
    for window in _windows(seconds, now):
        token, digits = code_for(settings, event_id, window)
        if same(given, token) or (len(given) == 6 and same(given, digits)):
            return True
    return False


# Scanning the projector's code leaves a pass in the browser: good for this long, for that event only, so
# that a member who must first sign in to Integrity (longer than a code lives) is still recorded.
PASS_SECONDS = 5 * 60
SCAN_COOKIE = "integrity_scan"
SEALING = "integrity-education-pass"


def issue_pass(settings: Settings, event_id: int) -> str:
    return tokens.seal(settings.secret_key, SEALING, str(event_id))


def pass_valid(settings: Settings, sealed: str | None, event_id: int) -> bool:
    return tokens.unseal(settings.secret_key, SEALING, sealed, PASS_SECONDS) == str(event_id)
