"""Demo education for 华夏电力 (HXP): accounts for party members of its branches, a year of events
organised by li.na with attendance, leave, reflections and make-up, and what each persona finds waiting:
zhou.li an event tomorrow, one to reflect on and one missed to make up; li.na reflections to review."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.models import EducationAttendance, Person, Unit, User
from integrity.demo.cases import access_for
from integrity.domain.approvals.services import decide, pending_for
from integrity.domain.cases.clocks import local_today
from integrity.domain.education import plans, reflections, roster, teaching
from integrity.domain.education.events import (
    AudienceRule,
    EventDraft,
    close,
    create_event,
    publish,
    set_audience,
    take_step,
)
from integrity.domain.users.schemas import GrantIn, UserIn
from integrity.domain.users.services import create_user, grant_role
from integrity.lib.audit import Actor

ORGANISER = "li.na"  # inspector of 华夏电力: organises for the company and its branches
# Party members (党员) of these units get accounts with the member role; the others stay persons only.
MEMBER_UNITS = ("HXP-EAST", "HXP-EAST-SH", "HXP-EAST-HZ", "HXP-NORTH-TJ")


@dataclass(frozen=True)
class PastEvent:
    months_ago: int
    unit: str  # the audience: this unit and those below
    type_code: str
    title: str
    place: str
    speaker: str


# A year of the company's programme, newest last (the two most recent are zhou.li's own work).
YEAR = [
    PastEvent(11, "HXP", "party_lesson", "新年廉政党课：守纪律讲规矩", "公司本部大会议室", "公司纪委书记"),
    PastEvent(
        10, "HXP-EAST", "topic_study", "专题学习《中国共产党纪律处分条例》", "华东分公司三楼会议室", "李娜"
    ),
    PastEvent(
        9,
        "HXP-NORTH",
        "warning_education",
        "警示教育：旁听职务犯罪庭审",
        "天津市第一中级人民法院",
        "法院讲解员",
    ),
    PastEvent(8, "HXP", "lecture", "廉政讲座：招标采购中的廉洁风险", "公司本部大会议室", "集团纪委 张伟"),
    PastEvent(7, "HXP-EAST", "warning_education", "参观廉政教育基地", "上海市廉政教育基地", "基地讲解员"),
    PastEvent(6, "HXP", "education_month", "廉政教育月启动会", "公司本部大会议室", "公司总经理"),
    PastEvent(
        5, "HXP-NORTH", "topic_study", "专题学习：违反中央八项规定精神典型问题", "华北分公司会议室", "李娜"
    ),
    PastEvent(4, "HXP-EAST", "party_lesson", "廉政党课：以案为鉴", "华东分公司三楼会议室", "分公司党委书记"),
    PastEvent(3, "HXP", "lecture", "廉政讲座：领导干部家风建设", "公司本部大会议室", "特邀专家"),
    PastEvent(2, "HXP-EAST", "topic_study", "专题学习：廉洁从业若干规定", "华东分公司三楼会议室", "李娜"),
    PastEvent(1, "HXP-EAST", "warning_education", "警示教育：观看警示教育片", "华东分公司三楼会议室", "李娜"),
]
ESSAYS = [
    "通过这次学习，我对纪律规矩有了更深的认识。作为一名基层员工，要从日常小事做起，不收受礼品礼金，"
    "不参与可能影响公正履职的宴请，在采购和验收环节严格按制度办事。",
    "案例触目惊心。我将对照检查自己岗位上的廉洁风险点，管好自己的手和嘴，也提醒身边同事守住底线。",
    "学习让我认识到，廉洁不是口号，而是每一次审批、每一笔报销中的选择。今后我会主动学习制度，遇事多请示。",
]


async def _members(session: AsyncSession, actor: Actor, password: str) -> int:
    """An account with the member role for each party member of MEMBER_UNITS who has none; how many."""
    units = {
        u.code: u
        for u in (await session.execute(select(Unit).where(col(Unit.code).in_(MEMBER_UNITS)))).scalars()
    }
    taken = {p for p in (await session.execute(select(col(User.person_id)))).scalars() if p}
    persons = (
        await session.execute(
            select(Person)
            .where(
                col(Person.unit_id).in_([u.id for u in units.values()]), col(Person.party_member).is_(True)
            )
            .order_by(col(Person.id))
        )
    ).scalars()
    made = 0
    for person in list(persons):
        if person.id in taken:
            continue
        username = person.name_en.lower().replace(" ", ".")
        user = await create_user(
            session,
            actor,
            UserIn(
                username, person.name, person.unit_id, password, person.id, "zh", f"{username}@demo.invalid"
            ),
            access=None,
        )
        assert user.id is not None
        await grant_role(session, actor, GrantIn(user.id, "member", person.unit_id), access=None)
        made += 1
    return made


def _moment(day: date, hour: int, settings: Settings) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(settings.timezone))


async def load_demo_education(session: AsyncSession, settings: Settings, password: str) -> tuple[int, int]:
    """The demo's members and events; (members made, events made)."""
    members = await _members(session, Actor.command_line(), password)
    access, actor = await access_for(session, ORGANISER)
    units = {u.code: u for u in (await session.execute(select(Unit))).scalars()}
    people = {u.username: u.id for u in (await session.execute(select(User))).scalars()}
    zhou = people["zhou.li"]
    today = local_today()
    pick = random.Random(2026)  # noqa: S311 (not a secret: the same demo on every machine)
    tomorrow = await _tomorrow(session, settings, units["HXP-EAST"])  # first: event 1 in the README
    made, last = 1, tomorrow
    for spec in YEAR:
        day = today - timedelta(days=30 * spec.months_ago - 3)
        starts = _moment(day, 9 if spec.months_ago % 2 else 14, settings)
        unit = units[spec.unit]
        draft = EventDraft(
            unit_id=unit.id or 0,
            type_code=spec.type_code,
            title=spec.title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=spec.place,
            speaker=spec.speaker,
            description="学习相关文件，通报典型案例，交流学习体会。",
        )
        event = await create_event(session, actor, draft, access=access)
        assert event.id is not None
        await set_audience(
            session, actor, event.id, [AudienceRule("unit_tree", unit_id=unit.id)], access=access
        )
        await publish(session, actor, event.id, access=access)
        invited = list(
            (
                await session.execute(
                    select(col(EducationAttendance.user_id)).where(
                        col(EducationAttendance.event_id) == event.id
                    )
                )
            ).scalars()
        )
        marks: dict[str, list[int]] = {"present": [], "late": [], "excused": []}
        for uid in invited:
            if uid == zhou:  # zhou.li attended all but the one before last, which she makes up now
                if spec.months_ago != 2:
                    marks["present"].append(uid)
                continue
            roll = pick.random()
            status = "present" if roll < 0.78 else "late" if roll < 0.86 else "excused" if roll < 0.93 else ""
            if spec.months_ago <= 2:  # the open events: only zhou.li has something left to do
                status = status if status in ("present", "late") else "present"
            if status:
                marks[status].append(uid)
        for status, uids in marks.items():
            if uids:
                await roster.mark(session, actor, event.id, uids, status, access=access)
        await close(session, actor, event.id, access=access)
        await _reflections(session, event.id, spec.months_ago, marks, people, zhou, pick)
        if spec.months_ago > 2:  # what is done is archived: it asks nobody for anything any more
            await take_step(session, actor, event.id, "archive", access=access)
        made, last = made + 1, event.id
    await _teaching(session, tomorrow, last)
    await _plan(session, units["HXP-EAST"].id or 0)
    return members, made


async def _plan(session: AsyncSession, east: int) -> None:
    """The East China branch's plan for this year: three warning-education sessions (two held: behind),
    a party lesson by the branch's party secretary, and eight events for each member."""
    access, actor = await access_for(session, ORGANISER)
    year = local_today().year
    quotas = (
        ("events", "warning_education", 3, ""),
        ("events", "party_lesson", 1, "分公司党委书记讲廉政党课"),
        ("attendance", "", 8, ""),
    )
    for kind, type_code, minimum, label in quotas:
        await plans.add_quota(
            session, actor, east, year, kind, minimum, type_code=type_code, label=label, access=access
        )


TEACHING_SUMMARY = (
    "某贸易公司以“节日慰问”“加班补助”等名义，连续两年违规向职工发放津贴补贴，相关负责人受到党纪处分，"
    "违规款项全部收回。案例警示我们：津贴补贴必须有制度依据、经集体决策，不能以任何名目变相发放。"
)


async def _teaching(session: AsyncSession, tomorrow_id: int, last: int) -> None:
    """The group's closed allowance case as teaching material: approved for tomorrow's meeting (zhou.li
    reads it), waiting for liu.yang on last month's one."""
    writer_access, writer = await access_for(session, "zhang.wei")  # the group's inspector sees the case
    reviewer_access, reviewer = await access_for(session, "liu.yang")
    number = "JJ-2026-0005"
    tomorrow = await teaching.link_case(
        session, writer, tomorrow_id, number, TEACHING_SUMMARY, access=writer_access
    )
    request = await pending_for(session, teaching.OBJECT, tomorrow.id or 0)
    assert request is not None
    assert request.id is not None
    await decide(
        session, reviewer_access, reviewer, request.id, approve=True, comment="同意，可用于警示教育。"
    )
    await teaching.link_case(session, writer, last, number, TEACHING_SUMMARY, access=writer_access)


async def _reflections(
    session: AsyncSession,
    event_id: int,
    months_ago: int,
    marks: dict[str, list[int]],
    people: dict[str, int | None],
    zhou: int | None,
    pick: random.Random,
) -> None:
    """Those who attended wrote (all of them for the open events); reviewed (some 优秀) except last
    month's, which wait for li.na."""
    names = {v: k for k, v in people.items()}
    organiser, organiser_actor = await access_for(session, ORGANISER)
    writers = [u for u in marks["present"] + marks["late"] if u not in (zhou, people[ORGANISER])]
    for uid in writers:
        if months_ago > 2 and pick.random() < 0.3:
            continue
        _access, actor = await access_for(session, names[uid])
        written = await reflections.submit(session, actor, event_id, pick.choice(ESSAYS))
        if months_ago > 1:
            excellent = pick.random() < 0.2
            await reflections.review(
                session, organiser_actor, written.id or 0, accept=True, excellent=excellent, access=organiser
            )
    if months_ago > 2:  # the older absences were made up
        absent = (
            await session.execute(
                select(col(EducationAttendance.user_id)).where(
                    col(EducationAttendance.event_id) == event_id, col(EducationAttendance.status) == "absent"
                )
            )
        ).scalars()
        for uid in list(absent)[:2]:
            if uid == people[ORGANISER]:
                continue
            _access, actor = await access_for(session, names[uid])
            report = await reflections.submit(session, actor, event_id, ESSAYS[0] + "（补学）")
            await reflections.review(session, organiser_actor, report.id or 0, accept=True, access=organiser)


async def _tomorrow(session: AsyncSession, settings: Settings, east: Unit) -> int:
    """The branch's warning-education meeting tomorrow at 09:00, published (zhou.li is invited)."""
    access, actor = await access_for(session, ORGANISER)
    starts = _moment(local_today() + timedelta(days=1), 9, settings)
    draft = EventDraft(
        unit_id=east.id or 0,
        type_code="warning_education",
        title=f"{starts.year}年度警示教育大会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="华东分公司三楼会议室",
        speaker="集团纪委 张伟",
        description="观看警示教育片，通报近期典型案例，签订廉洁承诺书。",
    )
    event = await create_event(session, actor, draft, access=access)
    assert event.id is not None
    await set_audience(session, actor, event.id, [AudienceRule("unit_tree", unit_id=east.id)], access=access)
    await publish(session, actor, event.id, access=access)
    return event.id
