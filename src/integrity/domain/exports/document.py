"""The trail's HTML from templates/pdf/trail.html: the loaded trail put into rows a reader can follow."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from integrity.domain.audit.readable import APPROVAL_STATUS_LABELS, Names, readable
from integrity.domain.exports.trail import CaseTrail
from integrity.lib.audit.checkpoint import Checkpoint
from integrity.lib.i18n import N_, current_locale, gettext
from integrity.lib.labels import label
from integrity.lib.qr import qr_svg
from integrity.lib.templating import template_environment

TEMPLATE = "pdf/trail.html"
OVERLAY = "pdf/overlay.html"


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
    return template_environment()


def css_string(text: str) -> str:
    """A CSS string literal that no text can break out of."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{escaped}"'


def page_css(
    case_number: str, title: str, downloaded: str, page_of: str, total: int, first_page: int
) -> Markup:
    """Running header and footer ("page X of Y", who downloaded it) for overlay pages from `first_page`."""
    before, _, rest = page_of.partition("%(page)s")
    middle, _, after = rest.partition("%(pages)s")
    header, title_text, who = css_string(case_number), css_string(title), css_string(downloaded)
    footer = f"{css_string(before)} counter(page) {css_string(middle + str(total) + after)}"
    # A run of the overlay starts its page counter where the run starts; the cover has no header.
    first = f"counter-reset: page {int(first_page)};"
    if first_page == 1:
        first += " @top-left { content: none; } @top-right { content: none; }"
    return Markup(  # noqa: S704  (every text in it went through css_string; the numbers are ints)
        f"@page {{ @top-left {{ content: {header}; }} @top-right {{ content: {title_text}; }}"
        f" @bottom-left {{ content: {who}; }} @bottom-right {{ content: {footer}; }} }}"
        f" @page :first {{ {first} }}"
    )


SECTIONS = (
    ("summary", N_("Case summary")),
    ("clocks", N_("Clocks")),
    ("evidence", N_("Evidence")),
    ("notes", N_("Notes")),
    ("rectification", N_("Rectification items")),
    ("decisions", N_("Accountability decisions")),
    ("approvals", N_("Approvals")),
    ("events", N_("Audit events")),
    ("verification", N_("Verification")),
)
NUMBERS = {anchor: n for n, (anchor, _) in enumerate(SECTIONS, start=1)}
CONTENTS_PAGE = 2  # the cover is page 1; the front part leaves page 2 blank for the contents
EVENTS_PER_PART = 250  # below this a part is not worth a worker of its own
OVERLAY_PAGES_PER_RUN = 20  # likewise for the overlay


@dataclass(frozen=True)
class TrailDocument:
    """The trail as parts to lay out side by side, and what the overlay needs once they are laid out."""

    parts: list[str]  # the front matter, then runs of events (the last one ends with the verification)
    overlay: dict[str, Any]


def trail_document(
    trail: CaseTrail,
    facts: ExportFacts,
    checkpoint: Checkpoint,
    public_key: str,
    trail_sha256: str,
    workers: int = 1,
) -> TrailDocument:
    """Render the trail's parts from templates/pdf/trail.html; events are cut into runs for `workers`."""
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
                "time": local(event.occurred_at),
                "actor": people.get(event.actor_id, event.actor) if event.actor_id else event.actor,
                "action": words.action,
                "outcome": event.outcome,
                "changes": words.changes,
            }
        )
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
        "catalogue": names.catalogue,
        "number": NUMBERS.__getitem__,
        "event_count": len(rows),
        "first_seq": rows[0]["seq"] if rows else None,
        "last_seq": rows[-1]["seq"] if rows else None,
        "local": local,
        "approval_status": lambda s: gettext(APPROVAL_STATUS_LABELS.get(s) or s),
        "checkpoint": checkpoint,
        "public_key": public_key,
        "verify_command": f"python verify_trail.py {gettext('this-file.pdf')} --public-key {public_key}",
        "trail_sha256": trail_sha256,
        "qr_svg": qr_svg(f"integrity-export:{facts.id}:{trail_sha256}"),
        **_follow_up(trail, local),
    }
    template = _environment().get_template(TEMPLATE)
    parts = [template.render({**context, "part": "front"})]
    runs = max(1, min(workers, len(rows) // EVENTS_PER_PART))
    size = -(-len(rows) // runs) if rows else 0
    for index in range(runs):
        chunk = rows[index * size : (index + 1) * size]
        parts.append(
            template.render(
                {
                    **context,
                    "part": "events",
                    "rows": chunk,
                    "first_chunk": index == 0,
                    "last_chunk": index == runs - 1,
                }
            )
        )
    overlay = {
        "locale": context["locale"],
        "generated_by": facts.generated_by,
        "generated_at_local": facts.generated_at_local,
        "case_number": case.number,
        "title": f"{gettext('Case audit trail')} · {marking}",
        "downloaded": gettext("Downloaded by %(name)s at %(time)s")
        % {"name": facts.generated_by, "time": facts.generated_at_local},
        "page_of": gettext("Page %(page)s of %(pages)s"),
    }
    return TrailDocument(parts, overlay)


def overlay_html(document: TrailDocument, part_pages: list[int], anchors: list[dict[str, int]]) -> list[str]:
    """The overlay, cut into runs of pages to lay out side by side, for parts with these page counts
    and anchors (element id -> page index within its part)."""
    offsets = [sum(part_pages[:i]) for i in range(len(part_pages))]
    found = {name: offsets[i] + page + 1 for i, part in enumerate(anchors) for name, page in part.items()}
    contents = [(n, gettext(title), found.get(anchor, "")) for n, (anchor, title) in enumerate(SECTIONS, 1)]
    total = sum(part_pages)
    facts = document.overlay
    runs = max(1, min(len(part_pages) - 1, total // OVERLAY_PAGES_PER_RUN))
    size = -(-total // runs)
    layers = []
    for first in range(1, total + 1, size):
        last = min(total, first + size - 1)
        context = {
            "locale": facts["locale"],
            "generated_by": facts["generated_by"],
            "generated_at_local": facts["generated_at_local"],
            "page_css": page_css(
                facts["case_number"], facts["title"], facts["downloaded"], facts["page_of"], total, first
            ),
            "first_page": first,
            "last_page": last,
            "contents_page": CONTENTS_PAGE,
            "contents": contents,
        }
        layers.append(_environment().get_template(OVERLAY).render(context))
    return layers


def _follow_up(trail: CaseTrail, local: Any) -> dict[str, Any]:
    """Clocks, evidence, steps, appeals and panels arranged the way the template walks them."""
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
                "state": label("clock", "stopped" if k.stopped_on else "met" if k.met_on else "running"),
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
    return {
        "clocks": clocks,
        "evidence": evidence,
        "steps_by_item": steps_by_item,
        "appeals_by_decision": appeals_by_decision,
        "panel_by_appeal": panel_by_appeal,
        "decision_numbers": numbers,
        "subjects": {p.id: p.name for p in trail.file.subjects},
    }


def _file(f: Any) -> dict[str, Any]:
    return {
        "filename": f.filename,
        "size": f.size,
        "uploaded_by_id": f.uploaded_by_id,
        "sha256": f.sha256,
    }
