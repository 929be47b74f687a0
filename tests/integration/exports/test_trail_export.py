"""The case trail PDF: complete, Chinese with embedded fonts, watermarked, PDF/A-3, verifiable, audited."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from integrity.db.engine import create_database
from integrity.domain.exports.sealing import TRAIL_FORMAT
from integrity.lib.audit import Actor, AuditEntry, record
from tests.conftest import DemoApp, new_client
from tests.support.cases import register
from tests.support.helpers import TEST_PASSWORD, audit_events, close, make_user, person_id, sql
from tests.support.trails import (
    drawn_glyph_ids,
    edit_trail,
    export_trail,
    font_names,
    page_texts,
    reader,
    run_verifier,
    service_public_key,
    trail_json,
    with_attachment,
)

# 钱勇's demo case: a talk, two decisions (one approved), clocks running; found by its title.
DEMO_TITLE = "上海运维中心值班期间脱岗问题"


async def demo_case(demo_app: DemoApp) -> tuple[int, str]:
    """The id and number of the demo case, as this database numbered it."""
    rows = await sql(demo_app, "SELECT id, number FROM cases WHERE title = :t ORDER BY id", t=DEMO_TITLE)
    return int(rows[0][0]), str(rows[0][1])


async def test_auditor_exports_a_complete_trail_that_the_standalone_verifier_accepts(
    demo_app: DemoApp, tmp_path: Path
) -> None:
    case_id, case_number = await demo_case(demo_app)
    auditor = await new_client(demo_app, "zhao.min")
    response = await export_trail(auditor, case_id)
    await close(auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    texts = page_texts(pdf)
    pages = len(texts)
    assert pages >= 4
    whole = "\n".join(texts)
    for expected in (
        "案件审计轨迹",
        case_number,
        "上海运维中心值班期间脱岗问题",
        "钱勇",
        "诫勉",
        "目录",
        "核验信息",
    ):
        assert expected in whole, expected
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 / 共 {pages} 页" in text  # page X of Y on every page
        assert "赵敏" in text  # the watermark names the downloader on every page
        if number > 1:
            assert case_number in text  # running header
    # Readable words, not codes: actions and field changes.
    assert "登记案件" in whole
    assert "案件状态变更" in whole
    assert "受理登记 → 拟处置" in whole.replace("\n", "")
    # PDF/A-3 with the trail attached.
    doc = reader(pdf)
    xmp = doc.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]{1,3}3", xmp), xmp[:500]
    raw = trail_json(pdf)
    assert f'"format":"{TRAIL_FORMAT}"' in raw.decode()
    # A PDF cannot hold its own hash, but it prints the hash of the trail it carries.
    assert hashlib.sha256(raw).hexdigest() in re.sub(r"\s", "", whole)
    # The standalone verifier, with the service's public key.
    verified = run_verifier(pdf, tmp_path, service_public_key(demo_app))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VERIFIED" in verified.stdout
    # The export ledger: recorded with its SHA-256 in the audit trail, found again by the verify API.
    recorded = await audit_events(demo_app, action="case.trail_export", object_id=str(case_id))
    assert response.headers["x-export-sha256"] in recorded[-1].changes


async def test_chinese_text_has_real_glyphs_in_an_embedded_cjk_font(demo_app: DemoApp) -> None:
    auditor = await new_client(demo_app, "zhao.min")
    pdf = (await export_trail(auditor, (await demo_case(demo_app))[0])).content
    await close(auditor)
    fonts = font_names(pdf)
    assert any("WenQuanYi" in name or "CJK" in name for name in fonts), fonts
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), fonts  # subset-embedded, not referenced
    drawn = drawn_glyph_ids(pdf)
    cjk = [glyphs for name, glyphs in drawn.items() if "WenQuanYi" in name or "CJK" in name]
    assert cjk
    assert sum(len(g) for g in cjk) > 100  # hundreds of distinct Chinese glyphs are drawn ...
    for name, glyphs in drawn.items():
        assert 0 not in glyphs, f"{name} draws .notdef (a missing glyph)"  # ... and never a blank box


async def test_a_changed_byte_in_the_embedded_trail_fails_verification(
    demo_app: DemoApp, tmp_path: Path
) -> None:
    auditor = await new_client(demo_app, "zhao.min")
    response = await export_trail(auditor, (await demo_case(demo_app))[0])
    pdf = response.content
    key = service_public_key(demo_app)
    raw = trail_json(pdf)

    # One byte of one event's actor: its hash no longer matches.
    position = raw.index(b'"actor":"') + len(b'"actor":"')
    flipped = raw[:position] + bytes([raw[position] ^ 0x01]) + raw[position + 1 :]
    forged = with_attachment(pdf, flipped)
    result = run_verifier(forged, tmp_path, key)
    assert result.returncode == 1, result.stdout
    assert "does not match its hash" in result.stdout

    # An event dropped (the rest left intact): only the seal catches it.
    dropped = with_attachment(pdf, edit_trail(raw, lambda t: t["events"].pop(2)))
    result = run_verifier(dropped, tmp_path, key)
    assert result.returncode == 1
    assert "seal does not verify" in result.stdout

    # A stranger's key: the signatures do not verify.
    stranger = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    assert run_verifier(pdf, tmp_path, stranger).returncode == 1
    # And the untouched PDF still verifies.
    assert run_verifier(pdf, tmp_path, key).returncode == 0

    # The service's own check: the forged file claims the export but is not it.
    verdict = await auditor.write(
        "POST", "/api/v1/exports/verify", files={"file": ("forged.pdf", forged, "application/pdf")}
    )
    assert verdict.status_code == 200, verdict.text
    body = verdict.json()
    assert body["authentic"] is False
    assert body["export_id"] == response.headers["x-export-id"]
    genuine = await auditor.write(
        "POST", "/api/v1/exports/verify", files={"file": ("trail.pdf", pdf, "application/pdf")}
    )
    assert genuine.json()["authentic"] is True
    assert genuine.json()["generated_by"] == "赵敏"
    by_hash = await auditor.get(
        "/api/v1/exports/verify", params={"sha256": response.headers["x-export-sha256"]}
    )
    assert by_hash.json()["authentic"] is True
    assert by_hash.json()["case_number"] == (await demo_case(demo_app))[1]
    page = await auditor.get(
        "/exports/verify", params={"sha256": response.headers["x-export-sha256"], "lang": "zh"}
    )
    assert page.status_code == 200
    assert 'data-authentic="yes"' in page.text
    assert "赵敏" in page.text
    uploaded = await auditor.write(
        "POST", "/exports/verify?lang=zh", files={"file": ("forged.pdf", forged, "application/pdf")}
    )
    assert 'data-authentic="no"' in uploaded.text
    assert "已被改动" in uploaded.text
    unknown = await auditor.get("/api/v1/exports/verify", params={"sha256": "ab" * 32})
    assert unknown.json()["authentic"] is False
    junk = await auditor.get("/api/v1/exports/verify", params={"sha256": "not a hash"})
    assert junk.status_code == 422
    assert junk.headers["content-type"].startswith("application/problem+json")
    await close(auditor)


async def test_only_readers_of_the_whole_case_may_export(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    secret = await register(inspector, demo_app, confidential=True, title="保密线索")
    url = f"/api/v1/cases/{secret['id']}/trail.pdf"
    # An inspector reads the case but not the whole audit trail: the route is refused.
    assert (await inspector.get(url)).status_code == 403
    await close(inspector)
    # An auditor whose scope does not reach the case: 404, as if it did not exist.
    outsider_name, _ = await make_user(demo_app, "auditor", "HXN")
    outsider = await new_client(demo_app, outsider_name, TEST_PASSWORD)
    assert (await outsider.get(url)).status_code == 404
    assert (await outsider.get("/cases/999999/trail.pdf")).status_code == 404
    await close(outsider)
    # A rectifier, a member: no export permission at all.
    for username in ("sun.qiang", "zhou.li"):
        c = await new_client(demo_app, username)
        assert (await c.get(url)).status_code == 403
        await close(c)
    # An auditor in scope sees the button on the case page and gets the PDF from it.
    auditor = await new_client(demo_app, "zhao.min")
    page = await auditor.get(f"/cases/{secret['id']}")
    assert f'href="/cases/{secret["id"]}/trail.pdf"' in page.text
    download = await auditor.get(f"/cases/{secret['id']}/trail.pdf", params={"lang": "zh"})
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert "案件审计轨迹 · 保密" in "\n".join(page_texts(download.content))  # the marking, on every page
    # Without asking, the PDF is in the auditor's own language (zhao.min reads English).
    own = await export_trail(auditor, secret["id"], lang="")
    assert "Case audit trail" in "\n".join(page_texts(own.content))
    await close(auditor)


async def test_an_auditor_related_to_the_subject_cannot_export(demo_app: DemoApp) -> None:
    inspector = await new_client(demo_app, "li.na")
    case = await register(inspector, demo_app)
    await close(inspector)
    # The subject of the case is this auditor's own person record: subject exclusion holds for exports.
    me, _ = await make_user(demo_app, "auditor", "HX", person_id=await person_id(demo_app, "HXP0203"))
    auditor = await new_client(demo_app, me, TEST_PASSWORD)
    assert (await auditor.get(f"/api/v1/cases/{case['id']}/trail.pdf")).status_code == 404
    # Given the PDF another auditor exported, the verifier says it is authentic and nothing of the case.
    colleague = await new_client(demo_app, "zhao.min")
    exported = await export_trail(colleague, case["id"])
    await close(colleague)
    assert exported.status_code == 200
    by_hash = await auditor.get(
        "/api/v1/exports/verify", params={"sha256": exported.headers["x-export-sha256"]}
    )
    by_file = await auditor.write(
        "POST", "/api/v1/exports/verify", files={"file": ("t.pdf", exported.content, "application/pdf")}
    )
    page = await auditor.get("/exports/verify", params={"sha256": exported.headers["x-export-sha256"]})
    await close(auditor)
    for verdict in (by_hash.json(), by_file.json()):
        assert verdict["authentic"] is True, verdict
        assert {k: verdict.get(k) for k in ("case_id", "case_number", "generated_by", "export_id")} == {
            "case_id": None,
            "case_number": None,
            "generated_by": None,
            "export_id": None,
        }
    assert page.status_code == 200
    assert case["number"] not in page.text
    assert "赵敏" not in page.text


async def test_a_long_trail_laid_out_in_parts_keeps_its_page_numbers_and_contents(
    demo_app: DemoApp, tmp_path: Path
) -> None:
    inspector = await new_client(demo_app, "li.na")
    case = await register(inspector, demo_app)
    await close(inspector)
    # 600 real chained events: enough for the events to be cut into parts laid out side by side.
    db = create_database(demo_app.db.url)
    async with db.write_session() as session:
        entries = [
            AuditEntry(
                "case.note", "case", case["id"], case["unit_id"], after={"note_id": n, "body": f"第{n}条记录"}
            )
            for n in range(600)
        ]
        await record(session, Actor("li.na"), *entries)
        await session.commit()
    await db.dispose()
    auditor = await new_client(demo_app, "zhao.min")
    response = await export_trail(auditor, case["id"])
    await close(auditor)
    assert response.status_code == 200, response.text
    texts = page_texts(response.content)
    pages = len(texts)
    assert pages > 20
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 / 共 {pages} 页" in text
    # Every numbered section listed in the contents starts on the page the contents give.
    contents = dict(re.findall(r"(\d)\. [^\n\d]+?(\d+)\n", texts[1] + "\n"))
    assert set(contents) == {str(n) for n in range(1, 10)}, texts[1]
    for number, title in ((8, "审计事件"), (9, "核验信息")):
        page = int(contents[str(number)])
        assert f"{number}. {title}" in texts[page - 1], (number, page)
    assert "第599条记录" in texts[-2] or "第599条记录" in texts[-3]  # the last event, before the verification
    assert run_verifier(response.content, tmp_path, service_public_key(demo_app)).returncode == 0
