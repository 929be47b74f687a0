"""The rectification and decision lifecycle tables: every step from every status, allowed or refused."""

from __future__ import annotations

import pytest

from integrity.domain.decisions import workflow as decisions
from integrity.domain.rectification import workflow as rectification
from integrity.lib.errors import Conflict

CASES = [
    (table, step, status)
    for table, statuses in ((rectification, rectification.STATUSES), (decisions, decisions.STATUSES))
    for step in table.STEPS
    for status in statuses
]


def _sources_and_target(table: object, step: str) -> tuple[tuple[str, ...], str]:
    spec = table.STEPS[step]  # type: ignore[attr-defined]
    return (spec.sources, spec.target) if table is rectification else spec


@pytest.mark.parametrize(
    ("table", "step", "status"),
    CASES,
    ids=[f"{t.__name__.split('.')[-2]}-{s}-from-{st}" for t, s, st in CASES],
)
def test_step_allowed_only_from_its_sources(table: object, step: str, status: str) -> None:
    sources, target = _sources_and_target(table, step)
    if status in sources:
        assert table.check(step, status) == target  # type: ignore[attr-defined]
    else:
        with pytest.raises(Conflict):
            table.check(step, status)  # type: ignore[attr-defined]


def test_approved_items_and_decisions_in_force_have_no_edit_path() -> None:
    assert rectification.APPROVED not in rectification.EDITABLE
    assert not set(decisions.IN_FORCE) & set(decisions.EDITABLE)
    # The only ways out of approved are new, audited steps: reopen or a re-inspection's reopen.
    leaving = {s.name for s in rectification.STEPS.values() if rectification.APPROVED in s.sources}
    assert leaving == {"reopen", "reinspection_reopen"}
