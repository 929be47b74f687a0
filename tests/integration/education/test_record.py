"""An event's attendance record after it closes: the counts and each person's outcome, the event's audit
events sealed inside, a QR code's text and the PDF's SHA-256 in the export ledger; the verifier answers
authentic, with the event's facts only to someone who may organise it; the standalone verifier agrees.
On both engines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from integrity.domain.education.events import close
from tests.conftest import Client, DemoApp, new_client
from tests.support.education import acting, now_code, organise, sign
from tests.support.helpers import audit_events, sql
from tests.support.helpers import close as close_client
from tests.support.notify import Office, make_office
from tests.support.trails import page_texts, run_verifier, service_public_key, trail_json, with_attachment


@pytest.fixture
async def office(demo_app: DemoApp) -> Office:
    roles = {"organiser": "inspector", "auditor": "auditor", "a": "member", "b": "member", "c": "member"}
    return await make_office(demo_app, roles)


async def test_the_attendance_record_is_issued_after_closing_and_verifies_against_the_ledger(
    demo_app: DemoApp, office: Office, organiser: Client, tmp_path: Path
) -> None:
    event = await organise(demo_app, office, title="廉政党课：出勤记录")
    early = await organiser.get(f"/education/{event}/attendance-record.pdf")
    assert early.status_code == 409
    assert "关闭" in early.text
    assert await sign(demo_app, office, "a", event, now_code(demo_app, event).token) == "present"
    async with acting(demo_app, office, "organiser") as (session, access, actor):
        await close(session, actor, event, access=access)
    page = await organiser.get(f"/education/{event}")
    assert f'href="/education/{event}/attendance-record.pdf"' in page.text
    got = await organiser.get(f"/education/{event}/attendance-record.pdf")
    assert got.status_code == 200
    assert got.content.startswith(b"%PDF")
    text = "".join(page_texts(got.content))
    names = {k: office.users[k][0] for k in office.users}
    (rows,) = [await sql(demo_app, "SELECT display_name FROM users WHERE username = :u", u=names["a"])]
    assert "出勤记录" in text
    assert "廉政党课：出勤记录" in text
    assert rows[0][0] in text
    # The list: organiser, auditor, a, b (c left out); a present, the three others absent.
    sealed = json.loads(trail_json(got.content))
    counts = sealed["export"]["counts"]
    assert (counts["present"], counts["absent"], len(sealed["export"]["people"])) == (1, 3, 4)
    actions = [e["action"] for e in sealed["events"]]
    assert "education.sign_in" in actions
    assert "education.close" in actions
    # The ledger knows the PDF and the sealed record (the QR code's text).
    digest = hashlib.sha256(got.content).hexdigest()
    ((kind, event_id, sealed_sha),) = await sql(
        demo_app, "SELECT kind, event_id, trail_sha256 FROM trail_exports WHERE pdf_sha256 = :d", d=digest
    )
    assert (kind, event_id) == ("attendance", event)
    assert sealed_sha == hashlib.sha256(trail_json(got.content)).hexdigest()
    auditor = await new_client(demo_app, office.username("auditor"))
    try:
        verdict = (await auditor.get("/api/v1/exports/verify", params={"sha256": digest})).json()
        by_qr = await auditor.get(
            "/api/v1/exports/verify", params={"sha256": f"integrity-export:x:{sealed_sha}"}
        )
        page = await auditor.get("/exports/verify", params={"sha256": digest})
        assert f'href="/education/{event}"' in page.text  # the verify page names the event it records
    finally:
        await close_client(auditor)
    assert verdict["authentic"] is True
    assert verdict["event_title"] == "廉政党课：出勤记录"
    assert by_qr.json()["authentic"] is True
    # An auditor elsewhere learns it is authentic, and nothing of the event.
    stranger_office = await make_office(demo_app, {"auditor": "auditor"})
    stranger = await new_client(demo_app, stranger_office.username("auditor"))
    try:
        told = (await stranger.get("/api/v1/exports/verify", params={"sha256": digest})).json()
        assert told["authentic"] is True
        assert told["event_title"] is None
        assert told["export_id"] is None
        assert (await stranger.get(f"/education/{event}/attendance-record.pdf")).status_code == 404
    finally:
        await close_client(stranger)
    # Issuing it is audited; the standalone verifier checks the seal, and catches an edited record.
    issued = await audit_events(demo_app, action="education.record_export", object_id=str(event))
    assert issued
    assert digest in issued[-1][5]  # the audit event names the PDF it issued
    assert run_verifier(got.content, tmp_path, service_public_key(demo_app)).returncode == 0

    def forged(record: dict[str, object]) -> None:
        record["export"]["counts"]["absent"] = 0  # type: ignore[index]

    raw = json.loads(trail_json(got.content))
    forged(raw)
    edited = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert (
        run_verifier(with_attachment(got.content, edited), tmp_path, service_public_key(demo_app)).returncode
        == 1
    )
