"""Display names of statuses, transitions, teams and clocks (msgids; translated where shown)."""

from __future__ import annotations

from integrity.lib.i18n import N_, gettext

STATUS_LABELS = {
    "registered": N_("Registered"),
    "disposal_proposed": N_("Disposal proposed"),
    "talk_inquiry": N_("Talk or inquiry letter"),
    "preliminary_verification": N_("Preliminary verification"),
    "shelved": N_("Shelved"),
    "investigation_proposed": N_("Filing proposed"),
    "investigation": N_("Under investigation"),
    "hearing": N_("Hearing"),
    "decided": N_("Decided"),
    "transferred": N_("Transferred"),
    "closed": N_("Closed"),
    # Where the decision and appeal clocks run (no case status: they follow the decision).
    "decision.announce": N_("After a decision is approved"),
    "decision.execute": N_("After a decision is approved"),
    "appeal.review": N_("After an appeal is filed"),
}

TRANSITION_LABELS = {
    "register": N_("Registered the lead"),
    "propose_disposal": N_("Propose a disposal"),
    "close_clarified": N_("Close: clarified"),
    "close_first_form": N_("Close with a first-form measure"),
    "send_inquiry_letter": N_("Inquiry letter sent"),
    "record_talk_or_reply": N_("Talk held or reply received"),
    "start_verification": N_("Start preliminary verification"),
    "propose_investigation": N_("Propose filing the case"),
    "close_verified": N_("Close after verification"),
    "close_first_form_after_verification": N_("Close with a first-form measure after verification"),
    "shelve": N_("Shelve"),
    "transfer": N_("Transfer to another body"),
    "reactivate": N_("Reactivate"),
    "start_hearing": N_("Send to hearing"),
    "send_back": N_("Send back to investigation"),
    "conclude_hearing": N_("Conclude the hearing"),
    "close_decided": N_("Close the case"),
    "close_transferred": N_("Close after transfer"),
    "reopen": N_("Reopen"),
}

TEAM_LABELS = {
    "inspector": N_("Handling inspector"),
    "investigation": N_("Investigation team"),
    "hearing": N_("Hearing panel"),
    "recused": N_("Recused"),
}

CLOCK_LABELS = {
    "inquiry_reply": N_("Written reply to an inquiry"),
    "talk_report": N_("Report after a talk or reply"),
    "verification": N_("Preliminary verification"),
    "hearing": N_("Hearing"),
    "decision_announcement": N_("Announcing a decision"),
    "decision_execution": N_("Report on execution"),
    "rectification": N_("Rectification item"),  # its due date is a deadline too (reminders)
    "appeal_review": N_("Appeal re-review"),
    "reflection": N_("Reflection or make-up report"),  # owed after an education event
    "running": N_("running"),
    "due_soon": N_("due soon"),
    "overdue": N_("overdue"),
    "met": N_("met"),
    "met_late": N_("met late"),
    "stopped": N_("stopped"),
}

LINK_LABELS = {
    "related": N_("Related case"),
    "duplicate_of": N_("Duplicate of"),
}

UNIT_LABELS = {
    "working_days": N_("working days"),
    "months": N_("months"),
}

UNIT_KIND_LABELS = {
    "group": N_("Group company"),
    "company": N_("Company"),
    "branch": N_("Branch"),
    "department": N_("Department"),
    "team": N_("Team or centre"),
}

APPROVAL_LABELS = {
    "case.disposal": N_("Disposal proposal"),
    "case.filing": N_("Filing proposal"),
    "case.clock_extension": N_("More time on a clock"),
    "rectification.closeout": N_("Close-out of a rectification item"),
    "decision.approval": N_("Accountability decision"),
    "education.teaching_case": N_("Summary of a teaching case"),
}

RECTIFICATION_LABELS = {
    "open": N_("Open"),
    "submitted": N_("Submitted for close-out"),
    "approved": N_("Closed off"),
    "returned": N_("Returned"),
    "create": N_("Created"),
    "edit": N_("Changed"),
    "submit": N_("Submitted for close-out"),
    "approve": N_("Close-out approved"),
    "return": N_("Returned"),
    "reopen": N_("Reopened"),
    "comment": N_("Comment"),
    "reinspection_scheduled": N_("Re-inspection scheduled"),
    "reinspection_confirmed": N_("Re-inspection confirmed the close-out"),
    "reinspection_reopened": N_("Re-inspection reopened the item"),
    "reinspection_reopen": N_("Re-inspection reopened the item"),
}

DECISION_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "returned": N_("Returned"),
    "announced": N_("Announced"),
    "executed": N_("Execution reported"),
    "revoked": N_("Revoked"),
    "superseded": N_("Superseded"),
    "filed": N_("Filed"),
    "under_review": N_("Under re-review"),
    "upheld": N_("Upheld"),
    "modified": N_("Modified"),
    "first_form": N_("First-form measure recorded on closing"),
}


# A decision's history: the steps of its table, and what happened outside it.
DECISION_STEP_LABELS = {
    "submit": N_("Submitted for approval"),
    "approve": N_("Approved"),
    "return": N_("Returned"),
    "edit": N_("Changed"),
    "announce": N_("Announcement recorded"),
    "report_execution": N_("Execution reported"),
    "revoke": N_("Revoked"),
    "supersede": N_("Superseded"),
    "first_form": N_("First-form measure recorded on closing"),
}

DELIVERY_LABELS = {
    "pending": N_("Waiting"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "retrying": N_("Will retry"),
    "failed": N_("Failed"),
}

CHANNEL_LABELS = {"email": N_("Email"), "digest": N_("Daily digest"), "webhook": N_("Webhook")}

# The four forms of supervision (四种形态), as the office says them; 0 is a measure of any form.
FORM_LABELS = {
    "1": N_("First form"),
    "2": N_("Second form"),
    "3": N_("Third form"),
    "4": N_("Fourth form"),
    "0": N_("Any form"),
}

# The ties a user declares to a person (利益关系申报), which keep the user out of that person's cases.
RELATION_LABELS = {
    "kin": N_("Kin"),
    "superior": N_("Superior"),
    "subordinate": N_("Subordinate"),
    "colleague": N_("Close colleague"),
    "other": N_("Other relation"),
}

# Education events: their statuses, who an audience rule names, how each invitee attended.
EDUCATION_LABELS = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "in_progress": N_("In progress"),
    "closed": N_("Ended"),
    "archived": N_("Archived"),
    "cancelled": N_("Cancelled"),
}
AUDIENCE_LABELS = {
    "unit": N_("Everyone in the unit"),
    "unit_tree": N_("Everyone in the unit and those below"),
    "role": N_("Holders of a role"),
    "user": N_("One person"),
    "exclude": N_("Left out"),
}
ATTENDANCE_LABELS = {
    "invited": N_("Invited"),
    "present": N_("Present"),
    "late": N_("Late"),
    "excused": N_("Excused"),
    "absent": N_("Absent"),
    "made_up": N_("Made up"),
}
LEAVE_LABELS = {
    "requested": N_("Leave asked"),
    "approved": N_("Leave approved"),
    "declined": N_("Leave declined"),
}
REFLECTION_LABELS = {
    "submitted": N_("Awaiting review"),
    "accepted": N_("Accepted"),
    "returned": N_("Returned for revision"),
}
TEACHING_LABELS = {
    "pending": N_("Awaiting a reviewer"),
    "approved": N_("Approved"),
    "returned": N_("Returned"),
}
SIGN_IN_METHOD_LABELS = {
    "qr": N_("Scanned the code"),
    "code": N_("Typed the code"),
    "staff": N_("Marked by staff"),
}

# The standard ledgers (台账), and how often a scheduled one is made.
LEDGER_LABELS = {
    "leads": N_("Ledger of leads and their disposal"),  # 问题线索处置台账
    "filed_cases": N_("Ledger of filed cases"),  # 案件查办台账
    "rectification": N_("Ledger of rectification"),  # 整改台账
    "decisions": N_("Ledger of decisions and their execution"),  # 处分执行台账
    "education": N_("Ledger of integrity education"),  # 廉政教育台账
}
CADENCE_LABELS = {"month": N_("Every month"), "quarter": N_("Every quarter")}


def label(kind: str, code: str) -> str:
    """The translated label of a status, transition, team or clock code (the code itself if unknown)."""
    table = {
        "status": STATUS_LABELS,
        "transition": TRANSITION_LABELS,
        "team": TEAM_LABELS,
        "clock": CLOCK_LABELS,
        "link": LINK_LABELS,
        "time_unit": UNIT_LABELS,
        "unit_kind": UNIT_KIND_LABELS,
        "approval": APPROVAL_LABELS,
        "rectification": RECTIFICATION_LABELS,
        "decision": DECISION_LABELS,
        "form": FORM_LABELS,
        "decision_step": DECISION_STEP_LABELS,
        "delivery": DELIVERY_LABELS,
        "channel": CHANNEL_LABELS,
        "relation": RELATION_LABELS,
        "education": EDUCATION_LABELS,
        "audience": AUDIENCE_LABELS,
        "attendance": ATTENDANCE_LABELS,
        "sign_in_method": SIGN_IN_METHOD_LABELS,
        "leave": LEAVE_LABELS,
        "reflection": REFLECTION_LABELS,
        "teaching": TEACHING_LABELS,
        "ledger": LEDGER_LABELS,
        "cadence": CADENCE_LABELS,
    }[kind]
    if code.startswith(("approve:", "return:")):
        verb, _, name = code.partition(":")
        prefix = gettext(N_("Approved")) if verb == "approve" else gettext(N_("Returned"))
        return f"{prefix}: {gettext(table.get(name, name))}"
    return gettext(table.get(code, code))
