"""The steps of signing in, in order: the password, then each step the account still owes."""

from __future__ import annotations

from integrity.db.models import User


def next_stage(user: User, *, second_factor_done: bool, second_factor_required: bool) -> str:
    """The stage a session of this user is at once the steps so far are done ("full": signed in).

    The second factor comes before replacing a temporary password (whoever holds only the password
    must not choose the next one), and enrolment, when a role requires it, last."""
    if user.totp_enabled_at is not None and not second_factor_done:
        return "second_factor"
    if user.must_change_password:
        return "password"
    if second_factor_required and user.totp_enabled_at is None:
        return "enrol"
    return "full"
