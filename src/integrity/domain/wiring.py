"""What the domains lend each other, listed once: every approvable kind, and the effects one domain adds to
another's step (closing a case with a first-form measure records a decision), and the outbox that hears
every audited change, and the deadlines and scans education lends the reminder worker, and the scheduled
ledgers it issues. The app, the command line and the demo install this list; a test fails when a kind or
an effect a table names is missing from it."""

from __future__ import annotations

from integrity.domain.approvals.registry import ApprovalKind, install
from integrity.domain.cases.approvals import CASE_KINDS
from integrity.domain.cases.extensions import CLOCK_EXTENSION
from integrity.domain.cases.transitions import StepEffect, install_step_effects
from integrity.domain.cases.visibility import case_visible
from integrity.domain.decisions.approvals import DECISION_APPROVAL
from integrity.domain.decisions.first_form import FIRST_FORM_DECISION, record_on_closing
from integrity.domain.education import plans
from integrity.domain.education.reminders import reflections_owed
from integrity.domain.education.teaching import TEACHING_CASE
from integrity.domain.ledgers import subscriptions
from integrity.domain.notifications import reminders, worker
from integrity.domain.notifications.outbox import on_recorded
from integrity.domain.rectification.approvals import CLOSEOUT_KIND
from integrity.domain.statistics import tallies
from integrity.lib.audit.chain import LISTENERS

ALL_KINDS: tuple[ApprovalKind, ...] = (
    *CASE_KINDS,
    CLOCK_EXTENSION,
    CLOSEOUT_KIND,
    DECISION_APPROVAL,
    TEACHING_CASE,
)
STEP_EFFECTS: dict[str, StepEffect] = {FIRST_FORM_DECISION: record_on_closing}


def install_all() -> None:
    install(ALL_KINDS, case_visible)
    install_step_effects(STEP_EFFECTS)
    LISTENERS[:] = [on_recorded]  # the notifications outbox hears every audited change
    # The reminder scan: reflections owed are deadlines too, and a unit's plan behind is told once a year.
    reminders.SOURCES[:] = [*reminders.SOURCES[:3], reflections_owed]
    worker.SCANS[:] = [plans.report_behind]
    worker.JOBS[:] = [subscriptions.produce_due]  # the scheduled ledgers
    worker.UPKEEP[:] = [tallies.count_stale]  # the case statistics' monthly tallies
