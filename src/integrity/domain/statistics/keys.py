"""How a figure's keys read and in what order: catalogue names, unit names, and the words of each table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from integrity.db.models import Measure, Unit
from integrity.domain.cases import services as cases
from integrity.domain.cases import workflow as case_workflow
from integrity.domain.decisions import workflow as decision_workflow
from integrity.domain.rectification import workflow as rectification_workflow
from integrity.domain.statistics import case_figures, rectification_figures
from integrity.lib.i18n import gettext, local_name
from integrity.lib.labels import FORM_LABELS, label

# Keys whose words are a table of msgids, in the order the table lists them.
WORDS = {
    "outcome": case_figures.OUTCOME_LABELS,
    "form": FORM_LABELS,
    "closeout": rectification_figures.CLOSEOUT_LABELS,
    "letter": rectification_figures.LETTER_LABELS,
    "reinspection": rectification_figures.REINSPECTION_LABELS,
}
# Keys that are statuses, with the label table that names them and their order.
STATUSES = {
    "status": ("status", case_workflow.DISPOSALS),
    "appeal": ("decision", (*decision_workflow.APPEAL_OPEN, *decision_workflow.OUTCOMES)),
    "item_status": ("rectification", rectification_workflow.STATUSES),
}


@dataclass
class KeyNames:
    """Names (in the reader's language) and order of keys, per kind of key."""

    names: dict[str, dict[str, str]] = field(default_factory=dict)

    def order(self, kind: str) -> list[str]:
        return list(self.names.get(kind, {}))

    def name(self, kind: str, key: str) -> str:
        if kind == "clock":
            rule, _, outcome = key.rpartition(".")
            return f"{label('clock', rule)} · {label('clock', outcome)}"
        return self.names.get(kind, {}).get(key, key)


async def key_names(session: AsyncSession, unit_ids: Iterable[str] = ()) -> KeyNames:
    """Every kind's names; units only those asked for (the keys of the by-unit figures)."""
    names: dict[str, dict[str, str]] = {
        kind: {k: gettext(v) for k, v in words.items()} for kind, words in WORDS.items()
    }
    for kind, (table, order) in STATUSES.items():
        names[kind] = {k: label(table, k) for k in order}
    kind_of = {"case_source": "source", "case_category": "category", "education_type": "education_type"}
    for catalogue, items in (await cases.catalogues_entries(session, tuple(kind_of))).items():
        names[kind_of[catalogue]] = {i.code: local_name(i.name, i.name_en) for i in items}
    measures = await session.execute(select(Measure).order_by(col(Measure.form), col(Measure.sort)))
    names["measure"] = {m.code: local_name(m.name, m.name_en) for m in measures.scalars()}
    ids = sorted({int(i) for i in unit_ids if str(i).isdigit()})
    units = (
        await session.execute(select(Unit).where(col(Unit.id).in_(ids)).order_by(col(Unit.path)))
    ).scalars()
    names["unit"] = {str(u.id): local_name(u.name, u.name_en) for u in units}
    return KeyNames(names)
