"""A unit's yearly education report (年度廉政教育工作报告): events held by type against the plan, coverage
per unit, reflections, and the year's events; the same facts as a PDF (in the PDF workers) and as an
Excel workbook (in a worker thread), each issue audited."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.db.models import EducationAttendance, EducationEvent, EducationReflection, Unit
from integrity.db.types import utcnow
from integrity.domain.education import coverage, plans, types
from integrity.domain.education.workflow import CANCELLED, DRAFT
from integrity.lib import excel
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.authz import AccessScope
from integrity.lib.i18n import current_locale, gettext, local_name
from integrity.lib.labels import label
from integrity.lib.localtime import period_bounds
from integrity.lib.pdf.pool import PdfPool
from integrity.lib.pdf.render import RenderJob
from integrity.lib.templating import local_time, template_environment


@dataclass(frozen=True)
class TypeLine:
    """Events of one type in the year: held (closed or archived), cancelled, and the plan's minimum."""

    code: str
    name: str
    held: int
    cancelled: int
    planned: int | None


@dataclass(frozen=True)
class EventLine:
    event: EducationEvent
    unit: str
    type_name: str
    invited: int
    attended: int


@dataclass(frozen=True)
class YearlyReport:
    unit: Unit
    year: int
    types: list[TypeLine]
    progress: list[plans.QuotaProgress]
    coverage: list[coverage.UnitCoverage]
    reflections: dict[str, int]  # latest round per person and event: submitted, accepted, returned; excellent
    events: list[EventLine]
    type_names: dict[str, str]

    @property
    def held(self) -> int:
        return sum(t.held for t in self.types)


async def yearly_report(session: AsyncSession, access: AccessScope, unit_id: int, year: int) -> YearlyReport:
    """The report of the unit and those below for a calendar year (404 outside the reader's scope)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    units = await coverage.by_unit(session, access, unit_id, start, end)  # checks the scope first
    top = units[0].unit
    names = {u.unit.id: local_name(u.unit.name, u.unit.name_en) for u in units}
    first, last = period_bounds(start, end)
    found = await session.execute(
        select(EducationEvent)
        .where(
            col(EducationEvent.unit_id).in_(list(names)),
            col(EducationEvent.status) != DRAFT,
            col(EducationEvent.starts_at).between(first, last),
        )
        .order_by(col(EducationEvent.starts_at))
    )
    events = list(found.scalars())
    ids = [e.id for e in events]
    per_event: dict[int, Counter[str]] = defaultdict(Counter)
    counted = await session.execute(
        select(col(EducationAttendance.event_id), col(EducationAttendance.status), func.count())
        .where(col(EducationAttendance.event_id).in_(ids))
        .group_by(col(EducationAttendance.event_id), col(EducationAttendance.status))
    )
    for event_id, status, n in counted.all():
        per_event[event_id][status] = int(n)
    type_names = await types.type_names(session)
    _plan, quotas = await plans.plan_of(session, unit_id, year)
    progress = await plans.progress(session, top, year, quotas)
    return YearlyReport(
        top,
        year,
        _by_type(events, quotas, type_names),
        progress,
        units,
        await _reflections(session, ids),
        [
            EventLine(
                e,
                names.get(e.unit_id, ""),
                type_names.get(e.type_code, e.type_code),
                sum(per_event[e.id or 0].values()),
                sum(per_event[e.id or 0][s] for s in coverage.ATTENDED),
            )
            for e in events
        ],
        type_names,
    )


def _by_type(events: list[EducationEvent], quotas: list[Any], names: dict[str, str]) -> list[TypeLine]:
    held = Counter(e.type_code for e in events if e.status in plans.HELD)
    cancelled = Counter(e.type_code for e in events if e.status == CANCELLED)
    planned = {q.type_code: q.minimum for q in quotas if q.kind == "events" and q.type_code}
    codes = sorted(set(held) | set(cancelled) | set(planned), key=lambda c: names.get(c, c))
    return [TypeLine(c, names.get(c, c), held[c], cancelled[c], planned.get(c)) for c in codes]


async def _reflections(session: AsyncSession, event_ids: list[Any]) -> dict[str, int]:
    latest = (
        select(
            col(EducationReflection.event_id),
            col(EducationReflection.user_id),
            func.max(col(EducationReflection.round)).label("round"),
        )
        .where(col(EducationReflection.event_id).in_(event_ids))
        .group_by(col(EducationReflection.event_id), col(EducationReflection.user_id))
        .subquery()
    )
    rows = await session.execute(
        select(col(EducationReflection.status), col(EducationReflection.excellent), func.count())
        .join(
            latest,
            (latest.c.event_id == col(EducationReflection.event_id))
            & (latest.c.user_id == col(EducationReflection.user_id))
            & (latest.c.round == col(EducationReflection.round)),
        )
        .group_by(col(EducationReflection.status), col(EducationReflection.excellent))
    )
    tally = dict.fromkeys(("submitted", "accepted", "returned", "excellent"), 0)
    for status, excellent, n in rows.all():
        tally[status] = tally.get(status, 0) + int(n)
        if excellent:
            tally["excellent"] += int(n)
    return tally


def _rate(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "—"


async def report_pdf(pool: PdfPool, report: YearlyReport, issued_by: str) -> tuple[bytes, int]:
    html = (
        template_environment()
        .get_template("pdf/education_report.html")
        .render(
            r=report,
            rate=_rate,
            issued_by=issued_by,
            issued_at=local_time(utcnow()),
            locale=current_locale.get(),
        )
    )
    rendered = await pool.render(RenderJob(html, (), utcnow()))
    return rendered.pdf, rendered.pages


async def report_workbook(report: YearlyReport) -> bytes:
    """The report's tables, one sheet each, in the reader's language."""
    statuses = [label("attendance", s) for s in coverage.STATUSES]
    sheets: list[excel.Sheet] = [
        (
            gettext("Events by type"),
            [gettext("Type of event"), gettext("Held"), gettext("Cancelled"), gettext("Planned at least")],
            [[t.name, t.held, t.cancelled, t.planned if t.planned is not None else ""] for t in report.types],
        ),
        (
            gettext("Plan"),
            [gettext("Quota"), gettext("Reached"), gettext("Of"), gettext("Met")],
            [
                [_quota_words(p, report.type_names), p.done, p.of, gettext("Yes") if p.met else gettext("No")]
                for p in report.progress
            ],
        ),
        (
            gettext("Coverage"),
            [
                gettext("Unit"),
                gettext("People"),
                *statuses,
                gettext("Attendance rate"),
                gettext("Never attended"),
            ],
            [
                [
                    "　" * c.depth + local_name(c.unit.name, c.unit.name_en),
                    c.total.people,
                    *(c.total.counts[s] for s in coverage.STATUSES),
                    _rate(c.total.rate),
                    c.total.never,
                ]
                for c in report.coverage
            ],
        ),
        (
            gettext("Reflections"),
            [gettext("Submitted, to review"), gettext("Accepted"), gettext("Returned"), gettext("Excellent")],
            [[report.reflections[k] for k in ("submitted", "accepted", "returned", "excellent")]],
        ),
        (
            gettext("Events"),
            [
                gettext("When"),
                gettext("Event"),
                gettext("Type of event"),
                gettext("Organised by"),
                gettext("Status"),
                gettext("Invited"),
                gettext("Attended"),
            ],
            [
                [
                    local_time(e.event.starts_at, "%Y-%m-%d %H:%M"),
                    e.event.title,
                    e.type_name,
                    e.unit,
                    label("education", e.event.status),
                    e.invited,
                    e.attended,
                ]
                for e in report.events
            ],
        ),
    ]
    return await excel.workbook_of(sheets)


def _quota_words(p: plans.QuotaProgress, names: dict[str, str]) -> str:
    q = p.quota
    if q.kind == "events":
        words = gettext("At least %(n)s events held") % {"n": q.minimum}
        if q.type_code:
            words += f"（{names.get(q.type_code, q.type_code)}）"
    else:
        words = gettext("Each member attends at least %(n)s events") % {"n": q.minimum}
    return f"{words} · {q.label}" if q.label else words


async def audit_issue(session: AsyncSession, actor: Actor, report: YearlyReport, form: str) -> None:
    """Each report handed out is an audit event (pdf or xlsx)."""
    extra = {"year": report.year, "file_format": form, "events_listed": len(report.events)}
    unit_id = report.unit.id or 0
    await record(session, actor, AuditEntry("education.report_export", "unit", unit_id, unit_id, extra=extra))
