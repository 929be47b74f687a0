"""The daily digest: after the configured hour, once a day, with what the user chose to hear that way."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.conftest import DemoApp, new_client
from tests.support.cases import act
from tests.support.helpers import close, unit_id
from tests.support.notify import SmtpSink, make_office, make_person, new_case, settings_for, worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_a_reviewer_who_chose_the_digest_gets_one_email_a_day(
    demo_app: DemoApp, smtp: SmtpSink
) -> None:
    office = await make_office(demo_app, {"maker": "inspector", "r1": "reviewer"})
    reviewer = await new_client(demo_app, office.username("r1"))
    maker = await new_client(demo_app, office.username("maker"))
    try:
        chosen = {
            "csrf_token": reviewer.csrf,
            "email": office.email("r1"),
            "mode_approval.requested": "digest",
        }
        assert (await reviewer.post("/account/notifications", data=chosen)).status_code == 303
        person = await make_person(demo_app, await unit_id(demo_app, "HXT"), "汇总对象")
        titles = []
        for n in range(2):
            case = await new_case(maker, office, [person], f"汇总测试线索{n}")
            titles.append(case["number"])
            assert (await act(maker, case, "propose_disposal", disposal="talk_inquiry")).status_code == 200
    finally:
        await close(reviewer)
        await close(maker)
    work = worker(demo_app, settings_for(demo_app, smtp))
    await work.run_once(datetime(2026, 12, 2, 7, 30, tzinfo=SHANGHAI))  # before the digest hour (8)
    assert smtp.to(office.email("r1")) == []
    await work.run_once(datetime(2026, 12, 2, 8, 5, tzinfo=SHANGHAI))
    [digest] = smtp.to(office.email("r1"))
    assert "每日通知汇总（2 条）" in str(digest.message["Subject"])
    assert all(number in digest.text() for number in titles)
    await work.run_once(datetime(2026, 12, 2, 17, 0, tzinfo=SHANGHAI))
    assert len(smtp.to(office.email("r1"))) == 1  # one digest a day
