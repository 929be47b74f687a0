"""A second factor: TOTP (RFC 6238, pyotp) with recovery codes; each code is good once, and wrong
codes are throttled like wrong passwords."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pyotp
from markupsafe import Markup
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import RecoveryCode, RoleGrant, User, UserSession
from integrity.db.types import utcnow
from integrity.domain.accounts.stages import next_stage
from integrity.domain.accounts.throttle import note_failure, note_success, seconds_locked, throttle_keys
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import Conflict, DomainError, InvalidInput, TooManyAttempts
from integrity.lib.i18n import N_
from integrity.lib.qr import qr_svg
from integrity.lib.security import tokens
from integrity.lib.security.tokens import keyed_hash, readable_code, same

ISSUER = "Integrity"
RECOVERY_CODES = 10
ENROLMENT_SECONDS = 15 * 60  # how long a QR code shown for enrolment stays good


class WrongCode(DomainError):
    status, slug, title = 403, "wrong-code", N_("Wrong code")
    denied = True


SEALING = "integrity-totp"  # what the TOTP secrets and the remembered-browser notes are sealed for


def seal(settings: Settings, secret: str) -> str:
    return tokens.seal(settings.secret_key, SEALING, secret)


def unseal(settings: Settings, sealed: str, max_age: int | None = None) -> str | None:
    return tokens.unseal(settings.secret_key, SEALING, sealed, max_age)


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: a QR code and the secret to type, and the sealed secret it
    posts back (so nothing is stored until a first code proves the app has it)."""

    secret: str
    sealed: str
    qr_svg: Markup

    @property
    def grouped(self) -> str:
        """The key in groups of four, as people type it (apps ignore the spaces)."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def new_enrolment(settings: Settings, user: User) -> Enrolment:
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, seal(settings, secret), qr_svg(uri, scale=5))


def _normalised(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (of the current one and its neighbours, for clock drift) whose code this is."""
    totp = pyotp.TOTP(secret)
    current = int(now) // totp.interval
    for step in (current, current - 1, current + 1):
        if same(totp.generate_otp(step), code):
            return step
    return None


DEVICE_COOKIE = "integrity_device"


def remember_device(settings: Settings, user: User) -> str:
    """A sealed note that this browser gave a code for this user (under this very second factor)."""
    since = user.totp_enabled_at.isoformat() if user.totp_enabled_at else ""
    return seal(settings, json.dumps({"user": user.id, "since": since}))


def remembered(settings: Settings, user: User, device: str | None) -> bool:
    """Whether the browser's note counts: the setting is on, the note is young enough, and it names this
    user's current second factor (a reset or a new set-up forgets every browser)."""
    if not device or settings.second_factor_remember_days <= 0 or user.totp_enabled_at is None:
        return False
    opened = unseal(settings, device, settings.second_factor_remember_days * 86400)
    if opened is None:
        return False
    try:
        note = json.loads(opened)
    except ValueError:
        return False
    return bool(note.get("user") == user.id and note.get("since") == user.totp_enabled_at.isoformat())


async def roles_of(session: AsyncSession, user_id: int) -> set[str]:
    rows = await session.execute(select(col(RoleGrant.role)).where(col(RoleGrant.user_id) == user_id))
    return set(rows.scalars())


def required(settings: Settings, roles: set[str]) -> bool:
    return bool(roles & settings.roles_needing_second_factor)


async def stage_after(
    session: AsyncSession, settings: Settings, user: User, *, second_factor_done: bool
) -> str:
    """The stage a session goes on to, given the user's roles and what it has done."""
    needs = required(settings, await roles_of(session, user.id or 0))
    return next_stage(user, second_factor_done=second_factor_done, second_factor_required=needs)


async def _set_stage(session: AsyncSession, session_id: str | None, stage: str) -> None:
    if session_id:
        await session.execute(
            update(UserSession).where(col(UserSession.id) == session_id).values(stage=stage)
        )


def _new_codes() -> list[str]:
    return [readable_code(2) for _ in range(RECOVERY_CODES)]


async def _replace_recovery_codes(session: AsyncSession, settings: Settings, user_id: int) -> list[str]:
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    codes = _new_codes()
    for code in codes:
        session.add(
            RecoveryCode(user_id=user_id, code_hash=keyed_hash(settings.secret_key, _normalised(code)))
        )
    await session.flush()
    return codes


async def enable(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    user_id: int,
    session_id: str | None,
    sealed: str,
    code: str,
) -> tuple[list[str], str]:
    """Turn the second factor on once a first code matches the secret shown; the recovery codes (to
    show once) and the stage this session goes on to."""
    user = await session.get(User, user_id)
    assert user is not None
    if user.totp_enabled_at is not None:
        raise Conflict(N_("The second factor is already on."))
    secret = unseal(settings, sealed, ENROLMENT_SECONDS)
    if secret is None:
        raise InvalidInput(N_("This QR code has expired; scan the new one."))
    step = _matching_step(secret, _normalised(code), time.time())
    if step is None:
        raise WrongCode(N_("That code does not match; check the time on your phone and try the newest code."))
    user.totp_secret = seal(settings, secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    session.add(user)
    codes = await _replace_recovery_codes(session, settings, user_id)
    stage = await stage_after(session, settings, user, second_factor_done=True)
    await _set_stage(session, session_id, stage)
    await record(
        session, actor, AuditEntry("user.second_factor", "user", user_id, user.unit_id, after={"on": True})
    )
    return codes, stage


async def new_recovery_codes(
    session: AsyncSession, settings: Settings, actor: Actor, user_id: int
) -> list[str]:
    user = await session.get(User, user_id)
    assert user is not None
    if user.totp_enabled_at is None:
        raise Conflict(N_("Turn the second factor on first."))
    codes = await _replace_recovery_codes(session, settings, user_id)
    await record(session, actor, AuditEntry("user.recovery_codes", "user", user_id, user.unit_id))
    return codes


async def unused_recovery_codes(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    )
    return int(count or 0)


async def check_code(
    db: Database, settings: Settings, actor: Actor, user_id: int, session_id: str, code: str, client: str
) -> str:
    """The sign-in step: a TOTP code (each time step once) or an unused recovery code; the stage the
    session goes on to. Wrong codes count against the same throttle as wrong passwords."""
    async with db.read_session() as session:
        user = await session.get(User, user_id)
        assert user is not None
        keys = throttle_keys(settings, user.username, client)
        wait = await seconds_locked(session, keys)
    if wait:
        raise TooManyAttempts(N_("Too many failed sign-ins; wait and try again."), retry_after=wait)
    given = _normalised(code)
    secret = unseal(settings, user.totp_secret) if user.totp_secret else None
    async with db.write_session() as session:
        via = ""
        step = (
            _matching_step(secret, given, time.time())
            if secret and len(given) == 6 and given.isdigit()
            else None
        )
        if step is not None:
            # Atomic: of two requests with the same code, one moves the step on and the other finds it used.
            moved = await session.execute(
                update(User)
                .where(col(User.id) == user_id, col(User.totp_last_step) < step)
                .values(totp_last_step=step)
            )
            via = "totp" if moved.rowcount == 1 else ""  # type: ignore[attr-defined]
        elif len(given) == 8:
            used = await session.execute(
                update(RecoveryCode)
                .where(
                    col(RecoveryCode.user_id) == user_id,
                    col(RecoveryCode.code_hash) == keyed_hash(settings.secret_key, given),
                    col(RecoveryCode.used_at).is_(None),
                )
                .values(used_at=utcnow())
            )
            via = "recovery_code" if used.rowcount == 1 else ""  # type: ignore[attr-defined]
        if not via:
            await note_failure(session, settings, keys)
            await record(
                session,
                actor,
                AuditEntry("auth.second_factor", "user", user_id, user.unit_id, outcome="denied"),
            )
            await session.commit()
            error = WrongCode(N_("That code is wrong or already used; wait for the next code and try again."))
            error.audited = True
            raise error
        await note_success(session, keys)
        stage = await stage_after(session, settings, user, second_factor_done=True)
        await _set_stage(session, session_id, stage)
        entry = AuditEntry("auth.second_factor", "user", user_id, user.unit_id, extra={"via": via})
        await record(session, actor, entry)
        await session.commit()
    return stage


async def turn_off(session: AsyncSession, settings: Settings, actor: Actor, user_id: int, code: str) -> None:
    """The user turns their own second factor off, with a current code; not when a role requires it."""
    user = await session.get(User, user_id)
    assert user is not None
    if user.totp_enabled_at is None:
        raise Conflict(N_("The second factor is already off."))
    if required(settings, await roles_of(session, user_id)):
        raise Conflict(N_("Your role requires a second factor; it cannot be turned off."))
    secret = unseal(settings, user.totp_secret)
    if secret is None or _matching_step(secret, _normalised(code), time.time()) is None:
        raise WrongCode(N_("That code does not match; check the time on your phone and try the newest code."))
    await forget(session, user)
    entry = AuditEntry("user.second_factor", "user", user_id, user.unit_id, after={"on": False})
    await record(session, actor, entry)


async def forget(session: AsyncSession, user: User) -> None:
    """Turn the account's second factor off: its secret and its recovery codes go."""
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = "", None, 0
    session.add(user)
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
