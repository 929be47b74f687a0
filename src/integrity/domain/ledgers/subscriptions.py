"""Scheduled reports (定期报表): a reviewer or auditor subscribes to a ledger of a unit, monthly or quarterly;
on the first working day of the next period the worker issues it as its subscriber, keeps the PDF, and
tells them through the notification channels (a link to the export, never the file in an email)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import ReportSubscription, TrailExport, Unit, User
from integrity.db.types import utcnow
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.cases.clocks import work_calendar
from integrity.domain.ledgers import issue
from integrity.domain.ledgers.tables import ledger_named
from integrity.domain.notifications.outbox import emit
from integrity.domain.org.services import require_in_unit
from integrity.domain.statistics.figures import Reach
from integrity.domain.statistics.periods import Period
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.errors import Conflict, Forbidden, NotFound, one_of
from integrity.lib.i18n import N_
from integrity.lib.pdf.pool import PdfPool

log = logging.getLogger("integrity.reports")
CADENCES = ("month", "quarter")
SUBSCRIBERS = {"reviewer", "auditor"}  # who may order a ledger sent to them
READY = "report.ready"  # the notification


def report_path(settings: Settings, export_id: str) -> Path:
    return Path(settings.data_dir) / "reports" / f"{export_id}.pdf"


def _holds_over(access: AccessScope, unit: Unit) -> bool:
    return any(unit.path.startswith(p) for p in access.role_paths(SUBSCRIBERS))


async def subscribe(
    session: AsyncSession,
    access: AccessScope,
    actor: Actor,
    ledger_name: str,
    unit_id: int,
    cadence: str,
    descendants: bool,
    today: date,
) -> ReportSubscription:
    """A standing order; the first report is the period that ends after today (not one already past)."""
    ledger = ledger_named(ledger_name)
    if cadence not in CADENCES:
        raise one_of("cadence", CADENCES)
    unit = await require_in_unit(session, access, unit_id, "case", "read")  # 404 outside scope
    if not _holds_over(access, unit):
        raise Forbidden(N_("Only a reviewer or an auditor of the unit orders its ledgers."))
    found = await session.execute(
        select(ReportSubscription).where(
            col(ReportSubscription.user_id) == access.principal.user_id,
            col(ReportSubscription.ledger) == ledger.name,
            col(ReportSubscription.unit_id) == unit_id,
            col(ReportSubscription.cadence) == cadence,
        )
    )
    if found.scalar_one_or_none() is not None:
        raise Conflict(N_("You already receive this ledger at this interval."))
    made = ReportSubscription(
        user_id=access.principal.user_id,
        ledger=ledger.name,
        unit_id=unit_id,
        descendants=descendants,
        cadence=cadence,
        created_at=utcnow(),
        last_period_end=Period.containing(cadence, today).previous().end,
    )
    session.add(made)
    await session.flush()
    after = {"ledger": ledger.name, "cadence": cadence, "descendants": descendants}
    await record(
        session, actor, AuditEntry("statistics.report_subscribe", "unit", unit_id, unit_id, after=after)
    )
    return made


async def unsubscribe(session: AsyncSession, access: AccessScope, actor: Actor, subscription_id: int) -> None:
    found = await session.get(ReportSubscription, subscription_id)
    if found is None or found.user_id != access.principal.user_id:
        raise NotFound(N_("No such scheduled report."))
    before = {"ledger": found.ledger, "cadence": found.cadence}
    await session.delete(found)
    entry = AuditEntry("statistics.report_unsubscribe", "unit", found.unit_id, found.unit_id, before=before)
    await record(session, actor, entry)


@dataclass(frozen=True)
class Subscribed:
    subscription: ReportSubscription
    unit: Unit


async def subscriptions_of(session: AsyncSession, user_id: int) -> list[Subscribed]:
    rows = await session.execute(
        select(ReportSubscription, Unit)
        .join(Unit, col(Unit.id) == col(ReportSubscription.unit_id))
        .where(col(ReportSubscription.user_id) == user_id)
        .order_by(col(ReportSubscription.id))
    )
    return [Subscribed(s, u) for s, u in rows.all()]


async def reports_of(session: AsyncSession, user_id: int, limit: int = 50) -> list[TrailExport]:
    """The user's kept reports, newest first."""
    rows = await session.execute(
        select(TrailExport)
        .where(col(TrailExport.user_id) == user_id, col(TrailExport.stored).is_(True))
        .order_by(col(TrailExport.generated_at).desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def kept_report(
    session: AsyncSession, settings: Settings, access: AccessScope, export_id: str
) -> tuple[TrailExport, Path]:
    """A kept report for its subscriber, while they still read the unit's cases (404 otherwise)."""
    export = await session.get(TrailExport, export_id)
    if export is None or not export.stored or export.user_id != access.principal.user_id:
        raise NotFound(N_("No such report."))
    await require_in_unit(session, access, export.unit_id, "case", "read")
    path = report_path(settings, export.id)
    if not await anyio.Path(path).exists():
        raise NotFound(N_("No such report."))
    return export, path


async def first_working_day(session: AsyncSession, period: Period) -> date:
    calendar = await work_calendar(session)
    day = period.start
    while not calendar.is_workday(day):
        day = date.fromordinal(day.toordinal() + 1)
    return day


async def _claim(db: Database, subscription: ReportSubscription, end: date) -> bool:
    """Take the period for this worker: two workers never issue the same report."""
    async with db.write_session() as session:
        taken = await session.execute(
            update(ReportSubscription)
            .where(
                col(ReportSubscription.id) == subscription.id,
                or_(
                    col(ReportSubscription.last_period_end).is_(None),
                    col(ReportSubscription.last_period_end) < end,
                ),
            )
            .values(last_period_end=end)
        )
        await session.commit()
    return bool(getattr(taken, "rowcount", 0))


async def _issue(
    db: Database, settings: Settings, pool: PdfPool, subscription: ReportSubscription, period: Period
) -> Any:
    async with db.read_session() as session:
        username = (
            await session.execute(select(col(User.username)).where(col(User.id) == subscription.user_id))
        ).scalar_one()
        access, actor = await offline_access(session, username, "scheduled report")
        unit = await require_in_unit(session, access, subscription.unit_id, "case", "read")
    ledger = ledger_named(subscription.ledger)
    reach = Reach(unit, subscription.descendants)
    made = await issue.ledger_pdf(db, pool, settings, access, actor, ledger, reach, period, stored=True)
    assert made.export is not None
    target = anyio.Path(report_path(settings, made.export.id))
    await target.parent.mkdir(parents=True, exist_ok=True)
    await target.write_bytes(made.data)
    async with db.write_session() as session:
        params = {"title": made.export.title, "export_id": made.export.id, "user_id": subscription.user_id}
        await emit(session, READY, "report", subscription.id or 0, unit_id=unit.id, params=params)
        await session.commit()
    return made.export


async def produce_due(db: Database, settings: Settings, pool: PdfPool, today: date) -> int:
    """Issue every report whose period has ended, from the first working day of the next; how many."""
    async with db.read_session() as session:
        subscriptions = list((await session.execute(select(ReportSubscription))).scalars())
        starts = {c: await first_working_day(session, Period.containing(c, today)) for c in CADENCES}
    issued = 0
    for subscription in subscriptions:
        period = Period.containing(subscription.cadence, today).previous()
        done = subscription.last_period_end is not None and subscription.last_period_end >= period.end
        if done or today < starts[subscription.cadence] or not await _claim(db, subscription, period.end):
            continue
        try:
            await _issue(db, settings, pool, subscription, period)
            issued += 1
        except (LookupError, NotFound) as exc:  # the subscriber left, or no longer reads the unit
            log.warning("scheduled report %s not issued: %s", subscription.id, exc)
        except Exception:  # the PDF failed: the period is given back, and the next scan tries again
            await _give_back(db, subscription, subscription.last_period_end)
            raise
    return issued


async def _give_back(db: Database, subscription: ReportSubscription, end: date | None) -> None:
    async with db.write_session() as session:
        await session.execute(
            update(ReportSubscription)
            .where(col(ReportSubscription.id) == subscription.id)
            .values(last_period_end=end)
        )
        await session.commit()
