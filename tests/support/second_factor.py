"""A browser's sign-in through the second-factor step, as a person with an authenticator app takes it
(the browser tests and the screenshot script both sign in as roles that require one)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pyotp


@dataclass
class SecondFactor:
    """What a person keeps of their second factor: the app's key, the recovery codes, the last step."""

    key: str
    recovery_codes: list[str]
    last_step: int


# The second factors the browser tests' sign-ins set up, per server and username.
SECOND_FACTORS: dict[tuple[str, str], SecondFactor] = {}


def totp_step_code(factor: SecondFactor) -> str | None:
    """A code of a time step the server still takes (now, or the next: each step once), or None."""
    current = int(time.time()) // 30
    step = max(factor.last_step + 1, current - 1)
    if step > current + 1:
        return None
    factor.last_step = step
    return str(pyotp.TOTP(factor.key).generate_otp(step))


def pass_second_factor(page: Any, base: str, username: str) -> None:
    """Take the sign-in's second-factor step as a person with the app would: set it up when a role
    requires it, else type the app's code (or, within one 30 s step, a recovery code)."""
    path = urlparse(page.url).path
    if path == "/account/second-factor":
        key = page.locator("[data-testid=totp-key]").inner_text().replace(" ", "")
        step = int(time.time()) // 30
        page.fill("[data-testid=enrol-form] input[name=code]", str(pyotp.TOTP(key).generate_otp(step)))
        page.click("[data-testid=enrol-form] button[type=submit]")
        shown = page.locator("[data-testid=recovery-codes] code")
        shown.first.wait_for()  # the answer's page: reading before it arrives found no codes (a flaky test)
        codes = shown.all_inner_texts()
        SECOND_FACTORS[(base, username)] = SecondFactor(key, codes, step)
        page.click("a.button.primary")
    elif path == "/login/second-factor":
        factor = SECOND_FACTORS[(base, username)]
        code = totp_step_code(factor) or factor.recovery_codes.pop()
        page.fill("[data-testid=code-form] input[name=code]", code)
        page.click("[data-testid=code-form] button[type=submit]")
