"""The steps of signing in, in order: the password, then each step the account still owes."""

from __future__ import annotations

from integrity.db.models import User


def next_stage(user: User) -> str:
    """The stage a session of this user is at once its password is checked ("full": signed in)."""
    if user.must_change_password:
        return "password"
    return "full"
