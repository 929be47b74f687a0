"""Every kind of notification as one table: its words, who gets it, and how it goes by default."""

from __future__ import annotations

from dataclasses import dataclass

from integrity.lib.i18n import N_

IMMEDIATE, DIGEST, IN_APP = "immediate", "digest", "in_app"
MODES = (IMMEDIATE, DIGEST, IN_APP)
MODE_LABELS = {
    IMMEDIATE: N_("In the app and by email at once"),
    DIGEST: N_("In the app and in the daily email digest"),
    IN_APP: N_("In the app only"),
}


@dataclass(frozen=True)
class NoticeType:
    """`headline` takes %(what)s (what it is about) and %(days)s; `who` says who receives it."""

    code: str
    name: str  # the kind, as the settings page lists it
    headline: str
    who: str
    default: str = IMMEDIATE
    chosen: bool = True  # offered on the settings page (a test message is not)
    always_email: bool = False  # by email too whatever the settings say (about the account itself)


_WORK = N_("Whoever does the work before the deadline")
TYPES: tuple[NoticeType, ...] = (
    NoticeType(
        "approval.requested",
        N_("A proposal to decide"),
        N_("Waiting for your decision: %(what)s"),
        N_("Reviewers who may decide it (never the maker)"),
    ),
    NoticeType(
        "approval.approved",
        N_("My proposal approved"),
        N_("Approved: %(what)s"),
        N_("The maker of the proposal"),
    ),
    NoticeType(
        "approval.returned",
        N_("My proposal returned"),
        N_("Returned: %(what)s"),
        N_("The maker of the proposal"),
    ),
    NoticeType(
        "case.assigned",
        N_("Put on a case team"),
        N_("You are on the case team: %(what)s"),
        N_("The member assigned"),
    ),
    NoticeType(
        "case.status",
        N_("A case of mine changes status"),
        N_("Case status changed: %(what)s"),
        N_("The case's team"),
        DIGEST,
    ),
    NoticeType(
        "item.assigned",
        N_("A rectification item assigned to me"),
        N_("A rectification item is yours to answer for"),
        N_("The item's responsible person"),
    ),
    NoticeType(
        "item.submitted",
        N_("An item I drafted submitted for close-out"),
        N_("An item you drafted was submitted for close-out"),
        N_("The item's drafter"),
        DIGEST,
    ),
    NoticeType(
        "item.reopened",
        N_("A rectification item of mine reopened"),
        N_("A rectification item was reopened"),
        N_("The item's responsible person"),
    ),
    NoticeType(
        "reminder.soon",
        N_("A deadline is near"),
        N_("%(what)s: due in %(days)s working days"),
        _WORK,
    ),
    NoticeType(
        "reminder.today",
        N_("A deadline is today"),
        N_("%(what)s: due today"),
        _WORK,
    ),
    NoticeType(
        "reminder.overdue",
        N_("A deadline has passed"),
        N_("%(what)s: overdue"),
        _WORK,
    ),
    NoticeType(
        "reminder.escalated",
        N_("Long overdue (escalated)"),
        N_("%(what)s: overdue for %(days)s working days"),
        N_("Whoever does the work, and the unit's reviewers"),
    ),
    NoticeType(
        "education.invited",
        N_("Invited to an education event"),
        N_("You are invited: %(what)s"),
        N_("Those on the event's list"),
    ),
    NoticeType(
        "education.cancelled",
        N_("An education event I am invited to cancelled"),
        N_("Cancelled: %(what)s"),
        N_("Those on the event's list"),
    ),
    NoticeType(
        "education.reflection_returned",
        N_("My reflection returned for revision"),
        N_("Your reflection was returned: %(what)s"),
        N_("The reflection's writer"),
    ),
    NoticeType(
        "education.absent_again",
        N_("Members absent from events again and again"),
        N_("Absent again and again: %(what)s"),
        N_("The organisers of the event's unit"),
        DIGEST,
    ),
    NoticeType(
        "education.plan_behind",
        N_("A unit's education plan behind its quotas"),
        N_("Education plan behind: %(what)s"),
        N_("The organisers of the unit"),
    ),
    NoticeType(
        "report.ready",
        N_("A scheduled ledger ready"),
        N_("Your scheduled ledger is ready: %(what)s"),
        N_("Its subscriber"),
    ),
    NoticeType(
        "system.test",
        N_("Test message"),
        N_("Test message from Integrity"),
        N_("You"),
        chosen=False,
        always_email=True,
    ),
    NoticeType(
        "account.second_factor_reset",
        N_("My second factor reset"),
        N_(
            "An administrator reset your second factor: set it up again at your next sign-in. "
            "If you did not ask for this, tell your administrator."
        ),
        N_("You"),
        chosen=False,
        always_email=True,
    ),
)
BY_CODE = {t.code: t for t in TYPES}
CHOSEN = tuple(t for t in TYPES if t.chosen)
ALWAYS_EMAIL = frozenset(t.code for t in TYPES if t.always_email)
# What a unit's work-chat group hears unless the administrator chooses otherwise: the deadlines.
WEBHOOK_DEFAULT = ("reminder.today", "reminder.overdue", "reminder.escalated")
REMINDERS = ("reminder.soon", "reminder.today", "reminder.overdue", "reminder.escalated")
