"""Approval kinds are one explicit list: every kind a workflow opens requests of is on it, once."""

from __future__ import annotations

from integrity.domain import approval_kinds
from integrity.domain.approvals import registry
from integrity.domain.cases import extensions, workflow
from integrity.domain.decisions import approvals as decision_approvals
from integrity.domain.rectification import approvals as rectification_approvals


def test_every_kind_that_is_opened_is_listed_once() -> None:
    names = [k.name for k in approval_kinds.ALL_KINDS]
    assert len(names) == len(set(names))
    opened = {
        *(t.approval for t in workflow.TRANSITIONS if t.approval),  # the case table's proposals
        extensions.KIND,  # asking for more time on a clock
        rectification_approvals.CLOSEOUT,  # a close-out of a rectification item
        decision_approvals.KIND,  # an accountability decision
    }
    assert set(names) == opened


def test_installing_makes_the_services_know_exactly_the_list() -> None:
    approval_kinds.install_all()
    assert set(registry.KINDS) == {k.name for k in approval_kinds.ALL_KINDS}
    assert all(registry.KINDS[k.name] is k for k in approval_kinds.ALL_KINDS)
