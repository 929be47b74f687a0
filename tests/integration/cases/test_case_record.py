"""Editing a case, notes, links and evidence files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from litestar.testing import AsyncTestClient

from integrity.app import create_app
from integrity.domain.cases import workflow
from integrity.lib.uploads import content_disposition, sniff, stored_path
from tests.conftest import Client, DemoApp, new_client
from tests.support.cases import drive_to, register
from tests.support.helpers import audit_events, close

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"0" * 2000


async def test_edits_need_the_current_version_and_closed_cases_are_read_only(demo_app: DemoApp) -> None:
    inspector, reviewer = await new_client(demo_app, "li.na"), await new_client(demo_app, "chen.jing")
    case = await register(inspector, demo_app)
    url = f"/api/v1/cases/{case['id']}"
    stale = await inspector.write("PATCH", url, json={"version": case["version"] - 1, "title": "新标题"})
    assert stale.status_code == 409
    edited = await inspector.write(
        "PATCH", url, json={"version": case["version"], "title": "新标题", "category": "work"}
    )
    assert edited.status_code == 200
    assert edited.json()["version"] == case["version"] + 1
    assert (await inspector.get(url)).json()["case"]["title"] == "新标题"
    assert await audit_events(demo_app, action="case.edit", object_id=str(case["id"]))
    bad = await inspector.write("PATCH", url, json={"version": edited.json()["version"], "category": "nope"})
    assert bad.status_code == 422

    closed = await drive_to(workflow.CLOSED, demo_app, inspector, reviewer)
    refused = await inspector.write(
        "PATCH", f"/api/v1/cases/{closed['id']}", json={"version": closed["version"], "title": "改"}
    )
    assert refused.status_code == 409
    await close(inspector)
    await close(reviewer)


async def test_notes_and_links(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    first, second = (
        await register(inspector, demo_app),
        await register(inspector, demo_app, title="同一事项重复举报"),
    )
    note = await inspector.write(
        "POST", f"/api/v1/cases/{first['id']}/notes", json={"body": "已调取车辆使用记录。"}
    )
    assert note.status_code == 201
    assert [n["body"] for n in (await inspector.get(f"/api/v1/cases/{first['id']}/notes")).json()] == [
        "已调取车辆使用记录。"
    ]
    link = await inspector.write(
        "POST",
        f"/api/v1/cases/{second['id']}/links",
        json={"other_case_id": first["id"], "kind": "duplicate_of"},
    )
    assert link.status_code == 201
    again = await inspector.write(
        "POST",
        f"/api/v1/cases/{second['id']}/links",
        json={"other_case_id": first["id"], "kind": "duplicate_of"},
    )
    assert again.status_code == 409
    group = await new_client(demo_app, "zhang.wei")
    secret = await register(group, demo_app, confidential=True, title="保密")
    hidden = await inspector.write(
        "POST", f"/api/v1/cases/{first['id']}/links", json={"other_case_id": secret["id"], "kind": "related"}
    )
    assert hidden.status_code == 404
    auditor = await new_client(demo_app, "zhao.min")
    assert (
        await auditor.write("POST", f"/api/v1/cases/{first['id']}/notes", json={"body": "x"})
    ).status_code == 403
    for c in (inspector, group, auditor):
        await close(c)


async def upload(c: Client, case_id: int, name: str, content: bytes) -> object:
    return await c.write(
        "POST",
        f"/api/v1/cases/{case_id}/evidence",
        files={"file": (name, content, "application/octet-stream")},
    )


async def test_evidence_is_typed_by_content_stored_by_hash_and_downloads_are_audited(
    demo_app: DemoApp,
) -> None:
    inspector = await new_client(demo_app, "li.na")
    case = await register(inspector, demo_app)
    response = await upload(inspector, case["id"], "../../车辆记录.pdf", PDF)
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["content_type"] == "application/pdf"
    assert body["filename"] == "车辆记录.pdf"  # no path parts survive
    stored = stored_path(demo_app.settings, body["sha256"])
    assert stored.read_bytes() == PDF

    download = await inspector.get(f"/api/v1/cases/{case['id']}/evidence/{body['id']}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E8%BD%A6" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    assert await audit_events(demo_app, action="case.evidence.download", object_id=str(case["id"]))

    exe = await upload(inspector, case["id"], "report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)
    assert exe.status_code == 422  # type: ignore[attr-defined]
    html = await upload(inspector, case["id"], "notes.txt", b"<html><script>alert(1)</script></html>")
    assert html.status_code == 422  # type: ignore[attr-defined]
    text = await upload(inspector, case["id"], "谈话记录.txt", "谈话记录：本人对反映问题作出说明。".encode())
    assert text.status_code == 201  # type: ignore[attr-defined]
    no_token = await inspector.post(
        f"/api/v1/cases/{case['id']}/evidence", files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    assert no_token.status_code == 403
    await close(inspector)


async def test_evidence_size_is_limited(demo_app: DemoApp, tmp_path: Path) -> None:
    app = create_app(demo_app.db.settings(evidence_max_bytes=4096))
    async with AsyncTestClient(app) as inner:
        c = Client(inner, app)  # an app of its own: a 4 KB evidence limit
        await c.sign_in("li.na")
        case = await register(c, demo_app)
        ok = await upload(c, case["id"], "small.pdf", PDF)
        assert ok.status_code == 201  # type: ignore[attr-defined]
        big = await upload(c, case["id"], "big.pdf", PDF + b"0" * 5000)
        assert big.status_code == 413  # type: ignore[attr-defined]
        huge = await upload(
            c, case["id"], "huge.pdf", PDF + b"0" * 2_000_000
        )  # over the streaming body limit
        assert huge.status_code == 413  # type: ignore[attr-defined]


async def test_evidence_of_an_excluded_case_is_not_found(demo_app: DemoApp) -> None:
    group = await new_client(demo_app, "zhang.wei")
    case = await register(group, demo_app, subjects=("HXP0601",), title="李明工程问题")
    body = (await upload(group, case["id"], "合同.pdf", PDF)).json()  # type: ignore[attr-defined]
    li_na = await new_client(demo_app, "li.na")  # declared kin of 李明
    assert (await li_na.get(f"/api/v1/cases/{case['id']}/evidence")).status_code == 404
    assert (await li_na.get(f"/api/v1/cases/{case['id']}/evidence/{body['id']}")).status_code == 404
    await close(group)
    await close(li_na)


def test_sniffing_and_disposition_helpers() -> None:
    assert sniff(PDF[:100]) == "application/pdf"
    assert sniff("中文".encode()[:-1]) == "text/plain"  # a character cut at the edge is still text
    assert sniff(b"\x00\x01\x02binary") is None
    header = content_disposition('报告"; evil=1.pdf')
    assert header.startswith('attachment; filename="')
    assert '"; evil' not in header.split("filename*=")[0].replace('filename="', "", 1)[:-2]
