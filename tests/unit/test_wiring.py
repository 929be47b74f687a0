"""What domains lend each other is one explicit list: every approval kind a workflow opens, and every
effect a table names, on it once, and installed."""

from __future__ import annotations

import pytest

from integrity.domain import wiring
from integrity.domain.approvals import registry
from integrity.domain.cases import extensions, transitions, workflow
from integrity.domain.decisions import approvals as decision_approvals
from integrity.domain.education import teaching
from integrity.domain.rectification import approvals as rectification_approvals


def test_every_kind_that_is_opened_is_listed_once() -> None:
    names = [k.name for k in wiring.ALL_KINDS]
    assert len(names) == len(set(names))
    opened = {
        *(t.approval for t in workflow.TRANSITIONS if t.approval),  # the case table's proposals
        extensions.KIND,  # asking for more time on a clock
        rectification_approvals.CLOSEOUT,  # a close-out of a rectification item
        decision_approvals.KIND,  # an accountability decision
        teaching.KIND,  # the summary of a case used as teaching material
    }
    assert set(names) == opened


def test_installing_makes_the_services_know_exactly_the_list() -> None:
    wiring.install_all()
    assert set(registry.KINDS) == {k.name for k in wiring.ALL_KINDS}
    assert all(registry.KINDS[k.name] is k for k in wiring.ALL_KINDS)


def test_every_effect_a_table_names_is_installed() -> None:
    named = {t.effect for t in workflow.TRANSITIONS if t.effect}
    assert named == {workflow.FIRST_FORM_DECISION}  # closing with a first-form measure records a decision
    assert set(wiring.STEP_EFFECTS) == named
    wiring.install_all()
    for t in workflow.TRANSITIONS:
        if t.effect:
            assert transitions._effect_of(t) is wiring.STEP_EFFECTS[t.effect]


def test_a_step_whose_effect_is_missing_refuses_to_run() -> None:
    closing = workflow.BY_NAME["close_first_form"]
    try:
        transitions.install_step_effects({})
        with pytest.raises(RuntimeError, match="not installed"):
            transitions._effect_of(closing)
    finally:
        wiring.install_all()
