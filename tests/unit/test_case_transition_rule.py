"""The case lifecycle's one refusal rule, for every transition, status, role and team: what the API
refuses and what the case page offers as a button both come from it (transition_refusal)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from integrity.db.models import Case
from integrity.domain.cases import workflow
from integrity.domain.cases.transitions import allowed_transitions, transition_refusal
from integrity.domain.cases.workflow import CaseFacts
from integrity.lib.errors import Conflict, Forbidden

POLICY = Path(__file__).resolve().parents[2] / "policies" / "policy.csv"
ROLES = ("admin", "inspector", "reviewer", "auditor", "rectifier", "member")


def _policy() -> set[tuple[str, str, str]]:
    """(role, object, action) lines of the policy file, read here as the test's own oracle."""
    lines = [row for row in csv.reader(POLICY.read_text().splitlines()) if row and not row[0].startswith("#")]
    return {(r[1].strip().removeprefix("role:"), r[2].strip(), r[3].strip()) for r in lines if r[0] == "p"}


POLICY_LINES = _policy()
# 查审分离 and "decided only once something was decided", written here as the test's own oracle.
PANEL_ONLY = {"send_back", "conclude_hearing"}
NEEDS_DECISION = {"conclude_hearing"}


@dataclass
class OneRole:
    """The part of an AccessScope the rule asks: may this role do (case, act) in the case's unit."""

    role: str
    asked: list[tuple[str, str]] = field(default_factory=list)

    def can(self, obj: str, act: str, unit_path: str) -> bool:
        self.asked.append((obj, act))
        return (self.role, obj, act) in POLICY_LINES


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "teams", [set(), {"hearing"}, {"investigation"}], ids=["no-team", "panel", "investigator"]
)
@pytest.mark.parametrize("decided", [0, 1], ids=["no-decision", "decision-in-force"])
def test_every_transition_from_every_status(role: str, teams: set[str], decided: int) -> None:
    facts = CaseFacts(frozenset(teams), decided)
    for status in workflow.STATUSES:
        case = Case(status=status, unit_id=1, title="t", source="s", category="c", received_on=None)  # type: ignore[arg-type]
        offered = set(allowed_transitions(OneRole(role), case, "/1/", facts))  # type: ignore[arg-type]
        for spec in workflow.TRANSITIONS:
            if spec.target is None:  # edits, not status changes: test_edits_of_a_case
                continue
            refusal = transition_refusal(OneRole(role), case, "/1/", spec, facts)  # type: ignore[arg-type]
            if status not in spec.sources:
                assert isinstance(refusal, Conflict), (spec.name, status)
            elif (role, "case", spec.action) not in POLICY_LINES:
                assert isinstance(refusal, Forbidden), (spec.name, status, role)
            elif spec.name in PANEL_ONLY and "hearing" not in teams:
                assert isinstance(refusal, Forbidden), (spec.name, status, role, teams)
            elif spec.name in NEEDS_DECISION and not decided:
                assert isinstance(refusal, Conflict), (spec.name, status, role, teams)
            else:
                assert refusal is None, (spec.name, status, role, teams)
            # The button is there exactly when the service would accept the step.
            assert (spec.name in offered) == (refusal is None), (spec.name, status, role, teams)


def test_the_hearing_is_concluded_or_sent_back_only_by_its_panel() -> None:
    hearing = [t for t in workflow.TRANSITIONS if workflow.HEARING in t.sources and t.target]
    assert {t.name for t in hearing} == PANEL_ONLY
    assert all(workflow.HEARING_PANEL in t.guards for t in hearing)


@pytest.mark.parametrize("role", ROLES)
def test_edits_of_a_case(role: str) -> None:
    """Record, notes, evidence, team: open cases only, for roles with case:update."""
    edit = workflow.BY_NAME["edit"]
    for status in workflow.STATUSES:
        case = Case(status=status, unit_id=1, title="t", source="s", category="c", received_on=None)  # type: ignore[arg-type]
        refusal = transition_refusal(OneRole(role), case, "/1/", edit, CaseFacts())  # type: ignore[arg-type]
        if status == workflow.CLOSED:
            assert isinstance(refusal, Conflict), (status, role)
        elif (role, "case", "update") not in POLICY_LINES:
            assert isinstance(refusal, Forbidden), (status, role)
        else:
            assert refusal is None, (status, role)
