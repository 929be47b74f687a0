"""What a page says after a change: a code in the redirect's query, its words from this one table.

A code, not a message, travels in the URL: nobody can make a page say what this table does not.
"""

from __future__ import annotations

from typing import Any

from integrity.lib.i18n import N_, gettext

DONE = {
    "saved": N_("Saved."),
    "registered": N_("Lead registered. Next: propose how to dispose of it."),
    "submitted": N_("Submitted for approval; a reviewer will decide on it."),
    "moved": N_("Done: the case has moved on to its next step."),
    "approved": N_("Approved; it takes effect now."),
    "returned": N_("Returned with your reason; its maker finds it on their to-do list."),
    "note": N_("Note added."),
    "subjects": N_("Subjects changed; the change is in the case's audit trail."),
    "uploaded": N_("File attached."),
    "team": N_("Case team changed."),
    "linked": N_("Cases linked."),
    "item": N_("Rectification item created; its responsible person finds it on their to-do list."),
    "clock_stopped": N_("The clock has stopped."),
    "comment": N_("Comment added."),
    "reopened": N_("Reopened; the responsible person must rectify it again."),
    "scheduled": N_("Re-inspection scheduled."),
    "recorded": N_("Outcome recorded."),
    "drafted": N_("Decision drafted; submit it for approval when it is ready."),
    "changed": N_("Changed. Submit it for approval again when it is ready."),
    "announced": N_("Announcement recorded. Next: report on its execution."),
    "executed": N_("Execution report recorded."),
    "appeal": N_("Appeal recorded. Next: name its re-review panel."),
    "panel": N_("Re-review panel named."),
    "read": N_("All notifications marked read."),
    "test_sent": N_(
        "Test message sent: it appears under the bell in a few seconds, and by email if you gave an address."
    ),
    "webhook": N_("Webhook saved; its unit's events go to it from now on."),
    "password": N_("Password changed. Your other sessions have ended."),
    "sessions_ended": N_("Signed out there: that browser must sign in again."),
    "granted": N_("Role granted; it takes effect on the user's next request."),
    "revoked": N_("Role withdrawn; it stops on the user's next request."),
    "enabled": N_("Account enabled: the user can sign in again."),
    "disabled": N_("Account disabled: the user is signed out and cannot sign in."),
    "second_factor_off": N_("Second factor turned off: you sign in with your password alone."),
    "second_factor_reset": N_(
        "Second factor reset; the user sets it up again at the next sign-in and has been told."
    ),
    "relation_declared": N_("Relation declared: from now on you do not see this person's cases."),
    "relation_withdrawn": N_("Relation withdrawn; it is kept in the audit trail."),
    "event_drafted": N_("Event drafted. Next: say who it is for, then publish it to invite them."),
    "series_drafted": N_("The series is drafted, one event per date; check each and publish it."),
    "event_publish": N_("Published: the invitations are out and the list is fixed."),
    "event_start": N_("The event is under way; members sign in with the projector's code."),
    "event_close": N_("Event closed; those not marked are absent and may make it up."),
    "event_archive": N_("Event archived."),
    "event_cancel": N_("Event cancelled; the reason is in its history."),
    "marked": N_("Attendance recorded."),
    "invited": N_("Added to the list."),
    "uninvited": N_("Taken off the list; the reason is in the audit trail."),
    "leave_decided": N_("Leave request decided."),
    "leave_asked": N_("Leave asked for; an organiser will decide on it."),
    "reflected": N_("Reflection submitted; the organiser will review it."),
    "reflection_accepted": N_("Reflection accepted."),
    "reflection_returned": N_("Returned with your comment; the member may revise it."),
    "unit_saved": N_("Unit saved; its users, grants and sub-units follow the change."),
}


def with_done(target: str, code: str) -> str:
    """The target path with `done=code` in its query (before any #fragment)."""
    assert code in DONE, code
    path, hash_, fragment = target.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}done={code}{hash_}{fragment}"


def done_message(request: Any) -> str:
    """The message a redirect after a change asked this page to show, in the reader's language."""
    code = request.query_params.get("done", "")
    return gettext(DONE[code]) if code in DONE else ""
