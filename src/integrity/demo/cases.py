"""Demo cases at different points of the lifecycle, made through the same services as real work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.config import Settings
from integrity.db.models import ApprovalRequest, Person, Unit
from integrity.domain.accounts.authentication import offline_access
from integrity.domain.approvals.services import decide
from integrity.domain.cases.schemas import CaseIn, TransitionIn
from integrity.domain.cases.services import register_case
from integrity.domain.cases.transitions import apply_transition
from integrity.lib.audit import Actor
from integrity.lib.authz import AccessScope


@dataclass(frozen=True)
class DemoCase:
    unit: str
    author: str
    title: str
    source: str
    category: str
    subject: str  # employee number
    confidential: bool = False
    # Transitions in order (with the disposal where one is needed); "approve" lets the reviewer decide,
    # ("return", reason) has them return the proposal with that reason.
    steps: tuple[tuple[str, str | None], ...] = ()


PV = ("propose_disposal", "preliminary_verification")
APPROVE = ("approve", None)

DEMO_CASES = [
    DemoCase(
        "HXP",
        "li.na",
        "反映马俊周末公车私用问题",
        "letters_visits",
        "eight_point_rules",
        "HXP0203",
        steps=(("propose_disposal", "talk_inquiry"),),
    ),
    DemoCase(
        "HXP-EAST",
        "zhang.wei",
        "华东分公司采购中涉嫌收受供应商回扣",
        "audit",
        "integrity",
        "HXP0303",
        steps=(PV, APPROVE),
    ),
    DemoCase(
        "HXN-NW",
        "zhang.wei",
        "西北风电场物资出入库管理混乱问题线索",
        "inspection_tour",
        "work",
        "HXN0202",
        # Returned to its maker with the reviewer's reason: waiting on zhang.wei's list.
        steps=(
            ("propose_disposal", "shelved"),
            ("return", "线索反映的出入库问题具体、可查，不宜暂存待查，请改为初步核实后重新报批。"),
        ),
    ),
    DemoCase(
        "HXP-NORTH",
        "li.na",
        "华北分公司工程款支付异常",
        "referral",
        "integrity",
        "HXP0602",
        True,
        steps=(PV, APPROVE, ("propose_investigation", None)),
    ),
    DemoCase(
        "HXT",
        "zhang.wei",
        "物资贸易公司违规发放津贴补贴",
        "routine_supervision",
        "eight_point_rules",
        "HXT0102",
        steps=(("propose_disposal", "closed"), APPROVE),
    ),
    DemoCase(
        "HXP-EAST-SH",
        "li.na",
        "上海运维中心值班期间脱岗问题",
        "letters_visits",
        "work",
        "HXP0402",
        # The letter is sent: its 15-working-day reply clock runs.
        steps=(("propose_disposal", "talk_inquiry"), APPROVE, ("send_inquiry_letter", None)),
    ),
]

REVIEWER = "liu.yang"


async def access_for(session: AsyncSession, username: str) -> tuple[AccessScope, Actor]:
    """The scope a demo user would have in a request."""
    return await offline_access(session, username, "demo")


async def load_demo_cases(session: AsyncSession, settings: Settings) -> int:
    reviewer, reviewer_actor = await access_for(session, REVIEWER)
    for spec in DEMO_CASES:
        access, actor = await access_for(session, spec.author)
        unit = (await session.execute(select(Unit).where(col(Unit.code) == spec.unit))).scalar_one()
        person = (
            await session.execute(select(Person).where(col(Person.employee_no) == spec.subject))
        ).scalar_one()
        assert unit.id is not None
        assert person.id is not None
        data = CaseIn(
            unit.id,
            spec.source,
            spec.category,
            spec.title,
            date(2026, 11, 2),
            f"{spec.title}。（演示数据）",
            spec.confidential,
            [person.id],
        )
        case = await register_case(session, settings, access, actor, data)
        assert case.id is not None
        for name, disposal in spec.steps:
            if name in ("approve", "return"):
                pending = select(ApprovalRequest).where(
                    col(ApprovalRequest.object_id) == case.id, col(ApprovalRequest.status) == "pending"
                )
                request = (await session.execute(pending)).scalar_one()
                assert request.id is not None
                approve = name == "approve"
                comment = "同意" if approve else (disposal or "")
                await decide(session, reviewer, reviewer_actor, request.id, approve=approve, comment=comment)
            else:
                await session.refresh(case)
                step = TransitionIn(name, case.version, "经研究，按程序处置", disposal)
                await apply_transition(session, access, actor, case.id, step)
    return len(DEMO_CASES)
