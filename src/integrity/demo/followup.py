"""Demo follow-up work: a recommendation letter with items for the East China branch, and decisions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Case, Person, Unit, User
from integrity.demo.cases import REVIEWER, access_for
from integrity.domain.approvals.services import decide
from integrity.domain.cases.clocks import local_today
from integrity.domain.decisions import services as decisions
from integrity.domain.decisions.schemas import DecisionIn
from integrity.domain.rectification.items import create_letter
from integrity.domain.rectification.schemas import LetterIn, LetterItemIn


async def _one(session: AsyncSession, model: type, column: object, value: object):  # type: ignore[no-untyped-def]
    return (await session.execute(select(model).where(column == value))).scalar_one()


async def load_demo_followup(session: AsyncSession) -> None:
    today = local_today()
    access, actor = await access_for(session, "zhang.wei")
    purchase = await _one(session, Case, col(Case.title), "华东分公司采购中涉嫌收受供应商回扣")
    east = await _one(session, Unit, col(Unit.code), "HXP-EAST")
    rectifier = await _one(session, User, col(User.username), "sun.qiang")
    await create_letter(
        session,
        access,
        actor,
        LetterIn(
            east.id,
            "关于加强华东分公司采购管理的纪检监察建议书",
            today - timedelta(days=40),
            "针对采购环节暴露出的制度漏洞，建议如下。（演示数据）",
            purchase.id,
            [
                LetterItemIn(
                    "建立供应商比价和定期轮换制度，形成书面制度文件", rectifier.id, today + timedelta(days=30)
                ),
                LetterItemIn("对采购岗位人员开展廉洁谈话并留存记录", rectifier.id, today - timedelta(days=5)),
            ],
        ),
    )

    inspector, inspector_actor = await access_for(session, "li.na")
    reviewer, reviewer_actor = await access_for(session, REVIEWER)
    absence = await _one(session, Case, col(Case.title), "上海运维中心值班期间脱岗问题")
    subject = await _one(session, Person, col(Person.employee_no), "HXP0402")
    # Approved, waiting for the reviewer, and returned to its drafter with the reviewer's reason.
    answers = {"admonishment": (True, "同意"), "criticism_education": None,
               "self_examination": (False, "离岗时长与证人证言不一致，请核实后再报。")}  # fmt: skip
    for measure, answer in answers.items():
        body = DecisionIn(
            absence.id, subject.id, measure, today - timedelta(days=10), "值班期间擅自离岗。（演示数据）"
        )
        decision = await decisions.draft(session, inspector, inspector_actor, body)
        request = await decisions.submit(session, inspector, inspector_actor, decision.id or 0)
        if answer is not None:
            approve, comment = answer
            await decide(session, reviewer, reviewer_actor, request.id or 0, approve=approve, comment=comment)
