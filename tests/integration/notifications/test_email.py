"""Email goes to exactly the reviewers in scope, in their language, and never beyond the read rule."""

from __future__ import annotations

from typing import Any

from integrity.domain.accounts.authentication import offline_access
from integrity.domain.cases.schemas import TransitionIn
from integrity.domain.cases.transitions import apply_transition
from tests.conftest import DemoApp, new_client
from tests.support.cases import act
from tests.support.helpers import close, sql, unit_id
from tests.support.notify import Office, SmtpSink, make_office, make_person, new_case, settings_for, worker


async def _office_with_a_subject_and_a_relative(demo_app: DemoApp) -> tuple[Office, int, int]:
    hxt = await unit_id(demo_app, "HXT")
    subject_reviewer = await make_person(demo_app, hxt, "审核人本人")
    relative = await make_person(demo_app, hxt, "审核人亲属")
    office = await make_office(
        demo_app,
        {"maker": "inspector", "r1": "reviewer", "subject": "reviewer", "kin": "reviewer"},
        persons={"subject": subject_reviewer},
    )
    kin = await new_client(demo_app, office.username("kin"))
    try:
        declared = await kin.write(
            "POST", "/api/v1/me/relations", json={"person_id": relative, "kind": "kin"}
        )
        assert declared.status_code == 201, declared.text
    finally:
        await close(kin)
    return office, subject_reviewer, relative


async def test_a_new_proposal_mails_each_reviewer_in_scope_once_and_nobody_else(
    demo_app: DemoApp, smtp: SmtpSink
) -> None:
    office, subject_reviewer, relative = await _office_with_a_subject_and_a_relative(demo_app)
    maker = await new_client(demo_app, office.username("maker"))
    try:
        case = await new_case(maker, office, [subject_reviewer, relative], "违规收受礼金问题线索")
        assert (await act(maker, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
    finally:
        await close(maker)
    work = worker(demo_app, settings_for(demo_app, smtp))
    await work.run_once()
    mails = smtp.to(office.email("r1"))
    assert len(mails) == 1
    assert case["number"] in mails[0].message["Subject"] or case["number"] in mails[0].text()
    assert "待您审核" in mails[0].message["Subject"]
    assert "违规收受礼金问题线索" in mails[0].text()  # not confidential: the title may travel
    for nobody in ("maker", "subject", "kin"):
        assert smtp.to(office.email(nobody)) == [], nobody
    # Not in their bells either, not even as a count.
    for key, expected in (("r1", 1), ("subject", 0), ("kin", 0), ("maker", 0)):
        reader = await new_client(demo_app, office.username(key))
        try:
            mine = (await reader.get("/api/v1/notifications")).json()
            assert mine["unread"] == expected, key
            assert len([n for n in mine["items"] if n["type"] == "approval.requested"]) == expected
        finally:
            await close(reader)
    await work.run_once()  # a second pass sends nothing again
    assert len(smtp.to(office.email("r1"))) == 1


async def test_a_confidential_case_is_named_by_its_number_alone_outside_the_service(
    demo_app: DemoApp, smtp: SmtpSink
) -> None:
    hxt = await unit_id(demo_app, "HXT")
    person = await make_person(demo_app, hxt, "保密线索对象")
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    maker = await new_client(demo_app, office.username("maker"))
    title = "某工程招标中的利益输送"
    try:
        case = await new_case(maker, office, [person], title, confidential=True)
        assert (
            await act(
                maker, case, "propose_disposal", disposal="talk_inquiry", reason="线索具体，建议谈话函询"
            )
        ).status_code == 200
    finally:
        await close(maker)
    await worker(demo_app, settings_for(demo_app, smtp)).run_once()
    [mail] = smtp.to(office.email("r1"))
    body = mail.text()
    assert case["number"] in body
    assert title not in body
    assert title not in str(mail.message["Subject"])
    assert "保密线索对象" not in body
    reviewer = await new_client(demo_app, office.username("r1"))
    try:
        inside = (await reviewer.get("/api/v1/notifications")).json()["items"]
        assert any(title in n["about"] for n in inside)  # in the app, to a reader of the case, it is named
    finally:
        await close(reviewer)


async def test_a_rolled_back_change_notifies_no_one(demo_app: DemoApp, smtp: SmtpSink) -> None:
    hxt = await unit_id(demo_app, "HXT")
    person = await make_person(demo_app, hxt, "回滚线索对象")
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    maker = await new_client(demo_app, office.username("maker"))
    try:
        case = await new_case(maker, office, [person], "回滚测试线索")
    finally:
        await close(maker)
    before = (await sql(demo_app, "SELECT count(*) FROM notification_events"))[0][0]
    async with demo_app.app.state.db.write_session() as session:
        access, actor = await offline_access(session, office.username("maker"), "test")
        data = TransitionIn("propose_disposal", case["version"], "理由", "talk_inquiry")
        await apply_transition(session, access, actor, case["id"], data)
        pending = await sql_in(session, "SELECT count(*) FROM notification_events")
        assert pending == before + 2  # the proposal's request and the status change, in this transaction
        await session.rollback()
    assert (await sql(demo_app, "SELECT count(*) FROM notification_events"))[0][0] == before
    await worker(demo_app, settings_for(demo_app, smtp)).run_once()
    assert smtp.to(office.email("r1")) == []


async def sql_in(session: Any, statement: str) -> int:
    from sqlalchemy import text

    return int((await session.execute(text(statement))).scalar_one())


async def test_email_speaks_the_recipients_language(demo_app: DemoApp, smtp: SmtpSink) -> None:
    office = await make_office(demo_app, {"me": "auditor"})
    await sql(demo_app, "UPDATE users SET locale = 'en' WHERE id = :u", u=office.users["me"][1])
    me = await new_client(demo_app, office.username("me"))
    try:
        assert (await me.post("/account/notifications/test", data={"csrf_token": me.csrf})).status_code == 303
    finally:
        await close(me)
    await worker(demo_app, settings_for(demo_app, smtp)).run_once()
    [mail] = smtp.to(office.email("me"))
    assert mail.message["Subject"] == "Integrity: Test message from Integrity"
    assert "notification settings" in mail.text()
    assert mail.message.get_content_type() == "multipart/alternative"  # plain text and HTML


async def test_the_html_part_escapes_what_users_typed(demo_app: DemoApp, smtp: SmtpSink) -> None:
    person = await make_person(demo_app, await unit_id(demo_app, "HXT"), "转义对象")
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    maker = await new_client(demo_app, office.username("maker"))
    try:
        case = await new_case(maker, office, [person], "<img src=x onerror=alert(1)>线索")
        assert (await act(maker, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
    finally:
        await close(maker)
    await worker(demo_app, settings_for(demo_app, smtp)).run_once()
    [mail] = smtp.to(office.email("r1"))
    html = mail.message.get_body(preferencelist=("html",))
    assert html is not None
    body = html.get_content()
    assert "&lt;img src=x onerror=alert(1)&gt;线索" in body
    assert "<img" not in body
