"""The trail's HTML from templates/pdf/trail.html: the loaded trail put into rows a reader can follow."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import segno
from jinja2 import Environment
from markupsafe import Markup

from integrity.domain.cases.labels import label
from integrity.domain.exports.readable import APPROVAL_STATUS_LABELS, Names, readable
from integrity.domain.exports.trail import CaseTrail
from integrity.lib.audit.checkpoint import Checkpoint
from integrity.lib.i18n import N_, current_locale, gettext

TEMPLATE = "pdf/trail.html"


@dataclass(frozen=True)
class ExportFacts:
    """Who asked for the export and when; printed on the cover, in the watermark and in the JSON."""

    id: str
    generated_by: str
    generated_at: datetime
    zone: str

    @property
    def generated_at_local(self) -> str:
        return self.generated_at.astimezone(ZoneInfo(self.zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from integrity.app import template_environment  # the app's environment: autoescape, i18n, labels

    return template_environment()


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code (our own markup, no URL to fetch); its text is hex and a UUID only."""
    svg = segno.make(text, error="m").svg_inline(scale=4, border=2, omitsize=False)
    return Markup(svg)  # noqa: S704  (segno's output: fixed markup around our hex text)


def css_string(text: str) -> str:
    """A CSS string literal that no text can break out of."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_css(case_number: str, title: str, page_of: str) -> Markup:
    """The running header and "page X of Y" footer, in the reader's language."""
    before, _, rest = page_of.partition("%(page)s")
    middle, _, after = rest.partition("%(pages)s")
    header, title_text = css_string(case_number), css_string(title)
    footer = f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(after)}"
    return Markup(  # noqa: S704  (every text in it went through css_string)
        f"@page {{ @top-left {{ content: {header}; }} @top-right {{ content: {title_text}; }}"
        f" @bottom-right {{ content: {footer}; }} }}"
    )


def trail_html(
    trail: CaseTrail, facts: ExportFacts, checkpoint: Checkpoint, public_key: str, trail_sha256: str
) -> str:
    zone = ZoneInfo(facts.zone)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"

    people = trail.people
    zh = current_locale.get() == "zh"
    names = Names(
        people=people,
        persons={int(p.id or 0): p.name for p in trail.file.subjects},
        units=trail.units,
        measures={code: (m.name if zh else m.name_en) for code, m in trail.measures.items()},
        catalogue={key: (item.name if zh else item.name_en) for key, item in trail.catalogue.items()},
    )
    rows = []
    for event in trail.events:
        words = readable(event, names)
        rows.append(
            {
                "seq": event.seq,
                "short_hash": event.hash[:10],
                "time": local(event.occurred_at),
                "actor": people.get(event.actor_id, event.actor) if event.actor_id else event.actor,
                "action": words.action,
                "outcome": event.outcome,
                "changes": words.changes,
            }
        )
    clocks: list[dict[str, Any]] = [
        {
            "name": label("clock", k.rule_code),
            "started_on": k.started_on,
            "due_on": k.due_on,
            "met_on": k.met_on,
            "state": label("clock", k.state),
        }
        for k in trail.file.clocks
    ]
    numbers = {d.id: n for n, d in enumerate(trail.decisions, start=1)}
    for k in trail.decision_clocks:
        which = f"{gettext('Decision')} {numbers.get(k.decision_id, '')}"
        clocks.append(
            {
                "name": f"{label('clock', k.rule_code)} ({which})",
                "started_on": k.started_on,
                "due_on": k.due_on,
                "met_on": k.met_on,
                "state": label("clock", "met" if k.met_on else "running"),
            }
        )
    item_numbers = {i.id: n for n, i in enumerate(trail.items, start=1)}
    evidence: list[dict[str, Any]] = [
        {**_file(f), "uploaded_at": local(f.uploaded_at), "item": ""} for f in trail.file.files
    ]
    evidence += [
        {
            **_file(f),
            "uploaded_at": local(f.uploaded_at),
            "item": f"{gettext('Rectification item')} {item_numbers.get(f.item_id, '')}",
        }
        for f in trail.item_evidence
    ]
    steps_by_item: dict[int, list[Any]] = defaultdict(list)
    for step in trail.steps:
        steps_by_item[step.item_id].append(step)
    appeals_by_decision: dict[int, list[Any]] = defaultdict(list)
    for appeal in trail.appeals:
        appeals_by_decision[appeal.decision_id].append(appeal)
    panel_by_appeal: dict[int, list[Any]] = defaultdict(list)
    for member in trail.panel:
        panel_by_appeal[member.appeal_id].append(member)
    case = trail.file.case
    marking = gettext(N_("Confidential")) if case.confidential else gettext(N_("Not classified"))
    context = {
        "trail": trail,
        "export": {
            "id": facts.id,
            "generated_by": facts.generated_by,
            "generated_at_local": facts.generated_at_local,
        },
        "locale": current_locale.get(),
        "zone": facts.zone,
        "marking": marking,
        "page_css": page_css(
            case.number, f"{gettext('Case audit trail')} · {marking}", gettext("Page %(page)s of %(pages)s")
        ),
        "catalogue": names.catalogue,
        "sections": [
            ("summary", gettext("Case summary")),
            ("clocks", gettext("Clocks")),
            ("evidence", gettext("Evidence")),
            ("notes", gettext("Notes")),
            ("rectification", gettext("Rectification items")),
            ("decisions", gettext("Accountability decisions")),
            ("approvals", gettext("Approvals")),
            ("events", gettext("Audit events")),
            ("verification", gettext("Verification")),
        ],
        "rows": rows,
        "clocks": clocks,
        "evidence": evidence,
        "steps_by_item": steps_by_item,
        "appeals_by_decision": appeals_by_decision,
        "panel_by_appeal": panel_by_appeal,
        "decision_numbers": numbers,
        "subjects": {p.id: p.name for p in trail.file.subjects},
        "local": local,
        "approval_status": lambda s: gettext(APPROVAL_STATUS_LABELS.get(s) or s),
        "checkpoint": checkpoint,
        "public_key": public_key,
        "verify_command": f"python verify_trail.py {gettext('this-file.pdf')} --public-key {public_key}",
        "trail_sha256": trail_sha256,
        "qr_svg": qr_svg(f"integrity-export:{facts.id}:{trail_sha256}"),
    }
    return _environment().get_template(TEMPLATE).render(context)


def _file(f: Any) -> dict[str, Any]:
    return {
        "filename": f.filename,
        "size": f.size,
        "uploaded_by_id": f.uploaded_by_id,
        "sha256": f.sha256,
    }
