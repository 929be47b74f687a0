"""A realistic demo: a state-owned group company, its companies and branches, people and accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import Person, Unit
from integrity.demo.cases import load_demo_cases
from integrity.demo.education import MEMBER_UNITS, load_demo_education
from integrity.demo.followup import load_demo_followup
from integrity.demo.history import load_demo_history
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.notifications.services import send_test
from integrity.domain.notifications.worker import Worker
from integrity.domain.org.schemas import PersonIn, UnitIn
from integrity.domain.org.services import create_person, create_unit, declare_relation
from integrity.domain.users.schemas import GrantIn, UserIn
from integrity.domain.users.services import create_user, grant_role
from integrity.domain.wiring import install_all
from integrity.lib.audit import Actor

DEMO_PASSWORD = "Integrity-2026"  # noqa: S105 - demo accounts only; `demo` refuses to run in production
DEMO_EMAIL = "%s@example.com"  # a reserved domain (RFC 2606): demo mail never reaches anyone

# code, parent code, Chinese name, English name, kind
UNITS: list[tuple[str, str | None, str, str, str]] = [
    ("HX", None, "华夏能源集团有限公司", "Huaxia Energy Group Co., Ltd.", "group"),
    ("HX-JW", "HX", "集团纪委办公室", "Group Discipline Inspection Office", "department"),
    ("HXP", "HX", "华夏电力股份有限公司", "Huaxia Power Co., Ltd.", "company"),
    ("HXP-EAST", "HXP", "华东分公司", "East China Branch", "branch"),
    ("HXP-EAST-SH", "HXP-EAST", "上海运维中心", "Shanghai Operations Centre", "team"),
    ("HXP-EAST-HZ", "HXP-EAST", "杭州项目部", "Hangzhou Project Office", "team"),
    ("HXP-NORTH", "HXP", "华北分公司", "North China Branch", "branch"),
    ("HXP-NORTH-TJ", "HXP-NORTH", "天津运维中心", "Tianjin Operations Centre", "team"),
    ("HXN", "HX", "华夏新能源有限公司", "Huaxia New Energy Co., Ltd.", "company"),
    ("HXN-NW", "HXN", "西北风电分公司", "Northwest Wind Power Branch", "branch"),
    ("HXN-PV", "HXN", "光伏事业部", "Solar Division", "department"),
    ("HXT", "HX", "华夏物资贸易有限公司", "Huaxia Materials Trading Co., Ltd.", "company"),
]

# unit code, name, English name, employee no., position, cadre level, party member
PERSONS: list[tuple[str, str, str, str, str, str, bool]] = [
    ("HX", "王建国", "Wang Jianguo", "HX0001", "信息中心主任", "正处级", True),
    ("HX-JW", "张伟", "Zhang Wei", "HX0101", "纪检监察室主任", "正处级", True),
    ("HX-JW", "刘洋", "Liu Yang", "HX0102", "案件审理室主任", "正处级", True),
    ("HX-JW", "赵敏", "Zhao Min", "HX0103", "审计监督专员", "副处级", True),
    ("HXP", "李娜", "Li Na", "HXP0201", "纪委副书记", "副处级", True),
    ("HXP", "陈静", "Chen Jing", "HXP0202", "纪委委员", "正科级", True),
    ("HXP", "马俊", "Ma Jun", "HXP0203", "总经理", "正局级", True),
    ("HXP", "黄晓明", "Huang Xiaoming", "HXP0204", "财务部经理", "正处级", True),
    ("HXP-EAST", "孙强", "Sun Qiang", "HXP0301", "综合管理部主任", "正科级", True),
    ("HXP-EAST", "吴磊", "Wu Lei", "HXP0302", "分公司总经理", "正处级", True),
    ("HXP-EAST", "郑芳", "Zheng Fang", "HXP0303", "采购主管", "副科级", False),
    ("HXP-EAST-SH", "周丽", "Zhou Li", "HXP0401", "运维工程师", "", True),
    ("HXP-EAST-SH", "钱勇", "Qian Yong", "HXP0402", "运维中心主任", "正科级", True),
    ("HXP-EAST-SH", "冯雪", "Feng Xue", "HXP0403", "安全员", "", False),
    ("HXP-EAST-HZ", "蒋涛", "Jiang Tao", "HXP0501", "项目经理", "副科级", True),
    ("HXP-EAST-HZ", "韩梅", "Han Mei", "HXP0502", "造价工程师", "", False),
    ("HXP-NORTH", "李明", "Li Ming", "HXP0601", "工程部经理", "正科级", True),
    ("HXP-NORTH", "杨帆", "Yang Fan", "HXP0602", "分公司副总经理", "副处级", True),
    ("HXP-NORTH-TJ", "朱红", "Zhu Hong", "HXP0701", "运维中心主任", "正科级", True),
    ("HXP-NORTH-TJ", "秦川", "Qin Chuan", "HXP0702", "检修班长", "", True),
    ("HXN", "许刚", "Xu Gang", "HXN0101", "总经理", "正局级", True),
    ("HXN", "何丽娟", "He Lijuan", "HXN0102", "纪委书记", "副局级", True),
    ("HXN-NW", "高峰", "Gao Feng", "HXN0201", "风电场场长", "正科级", True),
    ("HXN-NW", "罗斌", "Luo Bin", "HXN0202", "物资管理员", "", False),
    ("HXN-PV", "梁静", "Liang Jing", "HXN0301", "事业部总监", "正处级", True),
    ("HXT", "宋佳", "Song Jia", "HXT0101", "总经理", "正处级", True),
    ("HXT", "唐亮", "Tang Liang", "HXT0102", "销售部经理", "正科级", True),
    ("HXT", "曹颖", "Cao Ying", "HXT0103", "会计", "", False),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    employee_no: str  # the person this account is
    unit: str  # home unit
    grants: tuple[tuple[str, str], ...]  # (role, unit code)
    locale: str = "zh"


USERS: list[DemoUser] = [
    DemoUser("admin", "HX0001", "HX", (("admin", "HX"),)),
    DemoUser("zhang.wei", "HX0101", "HX-JW", (("inspector", "HX"),)),
    DemoUser("li.na", "HXP0201", "HXP", (("inspector", "HXP"),)),
    DemoUser("liu.yang", "HX0102", "HX-JW", (("reviewer", "HX"),)),
    DemoUser("chen.jing", "HXP0202", "HXP", (("reviewer", "HXP"), ("inspector", "HXN"))),
    DemoUser("zhao.min", "HX0103", "HX-JW", (("auditor", "HX"),), "en"),
    DemoUser("sun.qiang", "HXP0301", "HXP-EAST", (("rectifier", "HXP-EAST"),)),
    DemoUser("zhou.li", "HXP0401", "HXP-EAST-SH", (("member", "HXP-EAST-SH"),)),
]

ROLE_NOTE = {
    "admin": "系统管理员 / system administrator (no case content)",
    "inspector": "纪检监察员 / inspector",
    "reviewer": "审核人 / reviewer",
    "auditor": "审计员 / auditor",
    "rectifier": "整改责任人 / rectification owner",
    "member": "党员/职工 / member",
}


async def _load(session: AsyncSession, actor: Actor, password: str) -> None:
    units: dict[str, Unit] = {}
    for code, parent, name, name_en, kind in UNITS:
        if parent is None:
            unit = await create_unit(
                session,
                actor,
                None,
                access=None,
                root={"code": code, "name": name, "name_en": name_en, "kind": kind},
            )
        else:
            parent_id = units[parent].id
            assert parent_id is not None
            unit = await create_unit(
                session, actor, UnitIn(parent_id, code, name, kind, name_en), access=None
            )
        units[code] = unit
    persons: dict[str, Person] = {}
    for unit_code, name, name_en, number, position, level, party in PERSONS:
        unit_id = units[unit_code].id
        assert unit_id is not None
        persons[number] = await create_person(
            session,
            actor,
            PersonIn(unit_id, name, name_en, number, position, level, party),
            access=None,
        )
    for spec in USERS:
        person = persons[spec.employee_no]
        home = units[spec.unit]
        assert home.id is not None
        user = await create_user(
            session,
            actor,
            UserIn(
                spec.username,
                person.name,
                home.id,
                password,
                person.id,
                spec.locale,
                DEMO_EMAIL % spec.username,
            ),
            access=None,
        )
        assert user.id is not None
        for role, unit_code in spec.grants:
            unit_id = units[unit_code].id
            assert unit_id is not None
            await grant_role(session, actor, GrantIn(user.id, role, unit_id), access=None)
        if spec.username == "li.na":
            # Li Na declared that Li Ming is her brother: she is kept out of his cases.
            relative = persons["HXP0601"]
            assert relative.id is not None
            await declare_relation(session, actor, user.id, home.id, relative.id, "kin", "兄妹")


async def load_demo(db: Database, settings: Settings, password: str) -> str:
    """Load once; a second run says so and changes nothing."""
    install_all()  # the demo's proposals and decisions go through the approval services
    async with db.write_session() as session:
        existing = (await session.execute(select(func.count()).select_from(Unit))).scalar_one()
        if existing:
            return "Demo data is already loaded (the database has units); nothing changed.\n" + logins(
                password, settings.roles_needing_second_factor
            )
        await _load(session, Actor.command_line(), password)
        await session.flush()
        cases = await load_demo_cases(session, settings)
        await load_demo_followup(session)
        members, events = await load_demo_education(session, settings, password)
        history = await load_demo_history(session)  # after the members: its people hold no account
        await session.commit()
    await _fill_bells(db, settings)
    return (
        f"Loaded {len(UNITS)} units, {len(PERSONS)} persons, {len(USERS)} users and {members} members, "
        f"{cases} cases, a recommendation letter with 2 rectification items and 2 decisions, "
        f"{events} education events, and {history} leads of 2025 and 2026 imported as history.\n"
        + logins(password, settings.roles_needing_second_factor)
    )


async def _fill_bells(db: Database, settings: Settings) -> None:
    """Those whom the cases above tell nothing (the administrator, the auditor, the member) sent
    themselves a test message from their settings page; then the worker's first pass runs."""
    async with db.write_session() as session:
        for username in ("admin", "zhao.min", "zhou.li"):
            access, actor = await offline_access(session, username, "demo")
            await send_test(session, access, actor)
        await session.commit()
    work = Worker(db, settings)
    await work.run_once()
    work.close()


def logins(password: str, second_factor_roles: frozenset[str] = frozenset()) -> str:
    lines = ["Demo sign-ins (password for all: " + password + "):"]
    for spec in USERS:
        roles = ", ".join(f"{ROLE_NOTE[r].split(' / ')[1]} @ {u}" for r, u in spec.grants)
        needs = (
            " (sets up two-step verification at the first sign-in)"
            if {r for r, _u in spec.grants} & second_factor_roles
            else ""
        )
        lines.append(f"  {spec.username:<10} {roles}{needs}")
    accounts = {u.employee_no for u in USERS}
    members = [
        name_en.lower().replace(" ", ".")
        for unit, _name, name_en, number, _position, _level, party in PERSONS
        if unit in MEMBER_UNITS and party and number not in accounts
    ]
    lines.append(f"  {', '.join(members)}: member @ their unit (party members, for integrity education)")
    if second_factor_roles:
        lines.append("  (no phone at hand? serve with INTEGRITY_SECOND_FACTOR_ROLES= to make it optional)")
    return "\n".join(lines)
