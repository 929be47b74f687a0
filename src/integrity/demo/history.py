"""Demo history: the office's ledgers of January 2025 to October 2026 as an office brings them in when it
starts using Integrity (历史台账导入), so statistics and ledgers have periods to compare.

Every imported lead is closed, its deadlines met, its decisions executed: the history leaves nobody new
work (rectification items are not imported: a rectifier's own list is theirs to work through). Its case
numbers start LS- (历史) so they never meet the numbers the service issues. Imported rows carry no audit
events of their own (the import is one), as the office's paper ledgers had none.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import (
    Case,
    CaseClock,
    CaseSearchTerm,
    CaseSubject,
    CaseTransition,
    Decision,
    Measure,
    Person,
    Unit,
    User,
)
from integrity.domain.cases import search
from integrity.domain.cases import workflow as case_workflow
from integrity.domain.cases.clocks import local_today
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.workdays import add_months

FIRST, LAST = date(2025, 1, 6), date(2026, 10, 30)
PER_MONTH = 9
UNITS = (
    "HXP",
    "HXP-EAST",
    "HXP-EAST-SH",
    "HXP-EAST-HZ",
    "HXP-NORTH",
    "HXP-NORTH-TJ",
    "HXN-NW",
    "HXN-PV",
    "HXT",
)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = ("建华", "志强", "海燕", "晓东", "文静", "国庆", "丽萍", "立新", "春梅", "永刚", "红霞", "振宇")
MATTERS = (
    ("违规收受礼品礼金", "eight_point_rules"),
    ("公款吃喝", "eight_point_rules"),
    ("公车私用", "eight_point_rules"),
    ("违规发放津贴补贴", "eight_point_rules"),
    ("利用职务便利为亲属谋利", "integrity"),
    ("在物资采购中收受回扣", "integrity"),
    ("插手工程项目招投标", "integrity"),
    ("违规兼职取酬", "integrity"),
    ("工作中推诿扯皮、不作为", "work"),
    ("值班期间脱岗", "work"),
    ("安全生产监管失职", "work"),
    ("违规操作造成损失", "work"),
)
SOURCES = ("letters_visits", "letters_visits", "letters_visits", "audit", "inspection_tour", "referral",
           "routine_supervision")  # fmt: skip
DISPOSALS = ("talk_inquiry",) * 4 + ("preliminary_verification",) * 3 + ("closed",) * 2 + ("shelved",)
MEASURES = ("talk_reminder", "criticism_education", "admonishment", "party_warning", "party_serious_warning",
            "administrative_warning", "demerit", "removal_from_party_posts", "party_probation")  # fmt: skip


def _at(day: date, hour: int = 2) -> datetime:
    """A step on `day` (10:00 in the office, 02:00 UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def load_demo_history(session: AsyncSession) -> int:
    """The imported history; how many leads it holds."""
    rng = random.Random(2025)  # noqa: S311 (not a secret: the same history on every machine)
    units = {
        u.code: u for u in (await session.execute(select(Unit).where(col(Unit.code).in_(UNITS)))).scalars()
    }
    importer = (await session.execute(select(User).where(col(User.username) == "zhang.wei"))).scalar_one()
    forms = dict((await session.execute(select(col(Measure.code), col(Measure.form)))).all())
    months = dict((await session.execute(select(col(Measure.code), col(Measure.period_months)))).all())
    people: dict[str, list[int]] = {}
    for code, unit in units.items():
        rows = [
            {"unit_id": unit.id, "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
             "employee_no": f"LS-{code}-{n:02d}", "position": "干部", "party_member": False}
            for n in range(4)
        ]  # fmt: skip
        await session.execute(insert(Person), rows)
        people[code] = [
            int(i or 0)
            for i in (
                await session.execute(
                    select(col(Person.id)).where(col(Person.employee_no).startswith(f"LS-{code}-"))
                )
            ).scalars()
        ]
    cases: list[dict[str, Any]] = []
    subjects: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    clocks: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    yesterday, number = local_today() - timedelta(days=1), {2024: 0, 2025: 0, 2026: 0}
    month = FIRST.replace(day=1)
    while month <= LAST:
        for _ in range(rng.randint(PER_MONTH - 3, PER_MONTH + 3)):
            received = _workday(month + timedelta(days=rng.randrange(27)))
            if received > LAST:
                continue
            code = rng.choice(UNITS)
            unit, matter, method = units[code], rng.choice(MATTERS), rng.choice(DISPOSALS)
            # The lead's path as days after receipt: (step, from, to, day).
            path: list[tuple[str, str, str, int]] = [("register", "", case_workflow.REGISTERED, 0)]
            proposed = rng.randint(3, 10)
            disposed = proposed + rng.randint(2, 12)
            path += [
                ("propose_disposal", case_workflow.REGISTERED, case_workflow.DISPOSAL_PROPOSED, proposed),
                ("approve", case_workflow.DISPOSAL_PROPOSED, method, disposed),
            ]
            last, verified, decided, measure = disposed + rng.randint(15, 40), 0, 0, ""
            if method == "preliminary_verification":
                verified = disposed + rng.randint(40, 95)
                last = verified
                if rng.random() < 0.55:  # filed (立案), heard, decided
                    filed = verified + rng.randint(2, 7)
                    heard = filed + rng.randint(30, 80)
                    decided = heard + rng.randint(10, 40)
                    path += [
                        ("propose_investigation", method, case_workflow.INVESTIGATION_PROPOSED, verified),
                        ("approve", case_workflow.INVESTIGATION_PROPOSED, case_workflow.INVESTIGATION, filed),
                        ("start_hearing", case_workflow.INVESTIGATION, case_workflow.HEARING, heard),
                        ("conclude_hearing", case_workflow.HEARING, case_workflow.DECIDED, decided),
                    ]
                    measure = rng.choice(MEASURES)
                    last = decided + 40  # the execution reported
            path.append(("close", path[-1][2], case_workflow.CLOSED, max(last, path[-1][3]) + 1))
            # A path that would run past yesterday starts earlier: history is all in the past.
            received -= timedelta(days=max(0, (received + timedelta(days=path[-1][3]) - yesterday).days))
            number[received.year] += 1
            case_id = len(cases)  # its place in the list: the id the database gives it replaces it below
            person = rng.choice(people[code])
            title = f"反映{unit.name}干部{matter[0]}问题"
            cases.append({
                "number": f"LS-{received.year}-{number[received.year]:04d}",
                "unit_id": unit.id, "source": rng.choice(SOURCES), "category": matter[1], "title": title,
                "summary": f"{title}。（历史台账导入）", "status": case_workflow.CLOSED, "disposal": None,
                "confidential": False, "received_on": received, "created_by_id": importer.id,
                "created_at": _at(received), "updated_at": _at(received), "version": 1,
            })  # fmt: skip
            subjects.append({"case_id": case_id, "person_id": person})
            terms += [
                {"term": t, "case_id": case_id} for t in search.terms_of(f"{title} {cases[-1]['number']}")
            ]
            steps += [
                {"case_id": case_id, "transition": name, "from_status": a, "to_status": b,
                 "actor_id": importer.id, "reason": "历史台账导入", "at": _at(received + timedelta(days=d))}
                for name, a, b, d in path
            ]  # fmt: skip
            if verified:
                started = received + timedelta(days=disposed)
                clocks.append({"case_id": case_id, "rule_code": "verification", "started_on": started,
                               "due_on": started + timedelta(days=84),
                               "met_on": received + timedelta(days=verified), "stop_reason": ""})  # fmt: skip
            if decided:
                on = received + timedelta(days=decided)
                period = months.get(measure)
                decisions.append({
                    "case_id": case_id, "unit_id": unit.id, "person_id": person, "measure_code": measure,
                    "form": forms[measure], "period_months": period, "effective_on": on,
                    "effect_ends_on": add_months(on, period) if period else None,
                    "reasoning": "经审理，违反廉洁纪律。（历史台账导入）", "status": "executed",
                    "drafted_by_id": importer.id, "drafted_at": _at(on), "approved_by_id": importer.id,
                    "approved_on": on, "announced_on": on + timedelta(days=7),
                    "executed_on": on + timedelta(days=40), "execution_report": "已执行。",
                })  # fmt: skip
        month = add_months(month, 1)
    made = await session.execute(insert(Case).returning(col(Case.id), sort_by_parameter_order=True), cases)
    ids: list[Any] = list(made.scalars())
    children: list[tuple[Any, list[dict[str, Any]]]] = [
        (CaseSubject, subjects), (CaseTransition, steps), (CaseClock, clocks),
        (CaseSearchTerm, terms), (Decision, decisions),
    ]  # fmt: skip
    for table, of_cases in children:
        if of_cases:
            await session.execute(insert(table), [{**r, "case_id": ids[r["case_id"]]} for r in of_cases])
    extra = {"leads": len(cases), "decisions": len(decisions)}
    hxp = units["HXP"].id or 0
    await record(
        session, Actor.command_line(), AuditEntry("demo.history_import", "unit", hxp, hxp, extra=extra)
    )
    return len(cases)
