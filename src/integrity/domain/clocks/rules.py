"""Clock rules: how long a status or a recorded step may take, edited by administrators of the root unit."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import ClockRule
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import InvalidInput, NotFound
from integrity.lib.i18n import N_

FIELDS = ("status", "start_step", "amount", "unit", "label", "label_en", "extendable")
# Longer than these is not a deadline any office keeps: a typo, refused.
MAX_AMOUNT = {"working_days": 250, "months": 24}


class ClockRuleOut(msgspec.Struct):
    code: str
    status: str
    start_step: str  # "" : starts on entering the status
    amount: int
    unit: str
    label: str
    label_en: str
    extendable: bool

    @classmethod
    def of(cls, r: ClockRule) -> ClockRuleOut:
        return cls(r.code, r.status, r.start_step, r.amount, r.unit, r.label, r.label_en, r.extendable)


class ClockRulePatch(msgspec.Struct, forbid_unknown_fields=True):
    """What an administrator may change: the length and whether a reviewer can extend it.

    (Its name is the catalogue's, translated where it is shown, like every other label.)
    """

    amount: Annotated[int, msgspec.Meta(ge=1)] | None = None
    unit: Literal["working_days", "months"] | None = None
    extendable: bool | None = None


def snapshot(r: ClockRule) -> dict[str, object]:
    return {f: getattr(r, f) for f in FIELDS}


async def list_rules(session: AsyncSession) -> list[ClockRule]:
    return list((await session.execute(select(ClockRule).order_by(col(ClockRule.code)))).scalars())


async def update_rule(
    session: AsyncSession, actor: Actor, unit_id: int | None, code: str, patch: ClockRulePatch
) -> ClockRule:
    """Change a rule for clocks started from now on (running clocks keep their due date), audited."""
    rule = await session.get(ClockRule, code)
    if rule is None:
        raise NotFound(N_("No such clock rule."))
    before = snapshot(rule)
    for field in ("amount", "unit", "extendable"):
        value = getattr(patch, field)
        if value is not None:
            setattr(rule, field, value)
    if rule.amount > MAX_AMOUNT[rule.unit]:
        raise InvalidInput(
            N_("A clock lasts at most 250 working days or 24 months."), allowed=MAX_AMOUNT[rule.unit]
        )
    await session.flush()
    await record(
        session, actor, AuditEntry("clock_rule.update", "clock_rule", code, unit_id, before, snapshot(rule))
    )
    return rule
