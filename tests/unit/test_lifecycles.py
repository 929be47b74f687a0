"""The three lifecycles are tables of one shape (lib/workflow): each step from each status is refused
with 409 exactly when the table has no row from there, and a malformed table does not load."""

from __future__ import annotations

import pytest

from integrity.domain.cases import workflow as cases
from integrity.domain.decisions import workflow as decisions
from integrity.domain.rectification import workflow as rectification
from integrity.lib.errors import Conflict, Forbidden, InvalidInput
from integrity.lib.workflow import Lifecycle, Transition

LIFECYCLES = {
    "case": cases.LIFECYCLE,
    "rectification": rectification.LIFECYCLE,
    "decision": decisions.LIFECYCLE,
}
ROWS = [
    (name, t, status)
    for name, lifecycle in LIFECYCLES.items()
    for t in lifecycle.transitions
    for status in lifecycle.statuses
]


def _anyone(_action: str) -> bool:
    return True


class _AllFacts:
    """Facts under which every guard holds: only status and role are left to refuse."""

    my_teams = frozenset({"hearing"})
    decisions_in_force = 1
    is_responsible = True
    is_drafter = True


@pytest.mark.parametrize(("name", "t", "status"), ROWS, ids=[f"{n}-{t.name}-from-{s}" for n, t, s in ROWS])
def test_every_step_from_every_status(name: str, t: Transition, status: str) -> None:
    refusal = LIFECYCLES[name].refusal(t, status, _anyone, _AllFacts())
    if status not in t.sources:
        assert isinstance(refusal, Conflict)
    elif t.action is None:  # the effect of another decision: nobody presses it
        assert isinstance(refusal, Forbidden)
    else:
        assert refusal is None


@pytest.mark.parametrize("name", LIFECYCLES)
def test_nobody_without_the_action_may_press_anything(name: str) -> None:
    lifecycle = LIFECYCLES[name]
    for status in lifecycle.statuses:
        assert lifecycle.offered(status, lambda _a: False, _AllFacts()) == frozenset()


def test_approved_items_and_decisions_in_force_have_no_edit_path() -> None:
    assert rectification.APPROVED not in rectification.EDITABLE
    assert not set(decisions.IN_FORCE) & set(decisions.EDITABLE)
    # The only ways out of approved are new, audited steps: reopen or a re-inspection's reopen.
    leaving = {
        t.name
        for t in rectification.LIFECYCLE.transitions
        if rectification.APPROVED in t.sources and t.target not in (None, rectification.APPROVED)
    }
    assert leaving == {"reopen", "reinspection_reopen"}


def test_a_proposal_says_where_the_reviewers_answer_leads() -> None:
    for lifecycle in LIFECYCLES.values():
        for t in lifecycle.transitions:
            if t.approval:
                assert t.returned_target is not None, t.name


def test_required_fields_are_refused_empty_or_blank() -> None:
    reopen = rectification.LIFECYCLE.by_name["reopen"]
    for given in ({}, {"reason": ""}, {"reason": "  \n"}):
        assert isinstance(rectification.LIFECYCLE.missing(reopen, given), InvalidInput)
    assert rectification.LIFECYCLE.missing(reopen, {"reason": "found not done"}) is None


def test_a_table_naming_an_unknown_status_does_not_load() -> None:
    with pytest.raises(AssertionError, match="unknown statuses"):
        Lifecycle(
            resource="thing",
            statuses=("a", "b"),
            transitions=(Transition("go", ("a",), "c", "update"),),
            history=lambda obj, move: None,  # type: ignore[arg-type, return-value]
            snapshot=lambda obj: {},
            audit_action="thing.{step}",
            wrong_status="x",
            unknown_step="x",
            not_allowed="x",
            stale="x",
        )


def test_an_unknown_step_is_bad_input() -> None:
    with pytest.raises(InvalidInput):
        decisions.LIFECYCLE.step("teleport")
