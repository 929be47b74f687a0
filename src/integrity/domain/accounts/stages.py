"""The steps of signing in, in order: password, then each step the account still owes."""

from __future__ import annotations

from integrity.db.models import User


def next_stage(user: User, *, second_factor_done: bool) -> str:
    """The stage a session of this user is at once the steps so far are done ("full": signed in)."""
    del second_factor_done  # read once accounts have a second factor
    if user.must_change_password:
        return "password"
    return "full"
