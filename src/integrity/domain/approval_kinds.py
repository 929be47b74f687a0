"""Every approvable kind, listed once. Forgetting one here is what a test catches (each kind a table or a
workflow names must be listed); the app, the command line and the demo install this list."""

from __future__ import annotations

from integrity.domain.approvals.registry import ApprovalKind, install
from integrity.domain.cases.approvals import CASE_KINDS
from integrity.domain.cases.extensions import CLOCK_EXTENSION
from integrity.domain.decisions.approvals import DECISION_APPROVAL
from integrity.domain.rectification.approvals import CLOSEOUT_KIND

ALL_KINDS: tuple[ApprovalKind, ...] = (*CASE_KINDS, CLOCK_EXTENSION, CLOSEOUT_KIND, DECISION_APPROVAL)


def install_all() -> None:
    install(ALL_KINDS)
