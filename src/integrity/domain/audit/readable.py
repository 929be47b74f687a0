"""Audit events in the reader's words: what was done, and which fields changed from what to what."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrity.db.models import AuditEvent
from integrity.domain.notifications.types import BY_CODE as NOTICES
from integrity.domain.notifications.types import MODE_LABELS
from integrity.domain.notifications.webhook import FLAVOUR_LABELS
from integrity.lib.i18n import N_, gettext, role_label
from integrity.lib.labels import ATTENDANCE_LABELS, label
from integrity.lib.templating import local_time

ACTION_LABELS = {
    "auth.login": N_("Signed in"),
    "auth.logout": N_("Signed out"),
    "user.create": N_("Account created"),
    "user.update": N_("Account changed"),
    "user.locale": N_("Language of the account changed"),
    "user.password": N_("Password changed"),
    "user.password_reset": N_("Password reset to a temporary one"),
    "user.sessions_end": N_("Sessions signed out"),
    "user.second_factor": N_("Two-step verification turned on or off"),
    "user.recovery_codes": N_("New recovery codes made"),
    "user.second_factor_reset": N_("Two-step verification reset by an administrator"),
    "auth.second_factor": N_("Second sign-in step"),
    "grant.create": N_("Role granted"),
    "grant.delete": N_("Role withdrawn"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
    "unit.create": N_("Unit created"),
    "unit.update": N_("Unit changed"),
    "person.create": N_("Person recorded"),
    "person.update": N_("Person's record corrected"),
    "person.import": N_("HR roster imported"),
    "relation.declare": N_("Relation declared"),
    "relation.withdraw": N_("Relation withdrawn"),
    "calendar.override": N_("Calendar day set"),
    "calendar.override_remove": N_("Calendar day back to the published schedule"),
    "catalogue.item.create": N_("Catalogue entry added"),
    "education.create": N_("Education event drafted"),
    "education.audience": N_("Audience of an education event set"),
    "education.publish": N_("Education event published; its list fixed"),
    "education.start": N_("Education event started"),
    "education.close": N_("Education event closed"),
    "education.archive": N_("Education event archived"),
    "education.cancel": N_("Education event cancelled"),
    "education.sign_in": N_("Signed in to an education event"),
    "education.mark": N_("Attendance marked by staff"),
    "education.invite": N_("Added to an education event's list"),
    "education.uninvite": N_("Taken off an education event's list"),
    "education.leave_request": N_("Leave asked for an education event"),
    "education.leave_decide": N_("Leave request decided"),
    "education.reflect": N_("Reflection submitted"),
    "education.reflection_accepted": N_("Reflection accepted"),
    "education.reflection_returned": N_("Reflection returned for revision"),
    "education.roster_print": N_("Sign-in sheet printed"),
    "education.record_export": N_("Attendance record issued"),
    "education.report_export": N_("Yearly education report issued"),
    "statistics.ledger_export": N_("Ledger issued"),
    "demo.history_import": N_("Past ledgers imported (demo history)"),
    "statistics.report_subscribe": N_("Scheduled ledger ordered"),
    "statistics.report_unsubscribe": N_("Scheduled ledger stopped"),
    "education.material": N_("Material attached to an education event"),
    "education.plan_quota": N_("Quota added to an education plan"),
    "education.plan_quota_remove": N_("Quota removed from an education plan"),
    "catalogue.item.update": N_("Catalogue entry changed"),
    "clock_rule.update": N_("Clock rule changed"),
    "catalogue.measure.create": N_("Measure added to the catalogue"),
    "catalogue.measure.update": N_("Measure of the catalogue changed"),
    "case.register": N_("Case registered"),
    "case.import": N_("Case imported"),
    "case.edit": N_("Case edited"),
    "case.transition": N_("Case status changed"),
    "case.assign": N_("Team member assigned"),
    "case.recuse": N_("Recusal recorded"),
    "case.note": N_("Note added"),
    "case.link": N_("Cases linked"),
    "case.clock_extend": N_("Clock extended"),
    "case.clock_stop": N_("Clock stopped"),
    "case.subjects": N_("Subjects changed"),
    "case.export": N_("Case list exported to Excel"),
    "audit.export": N_("Audit trail exported to Excel"),
    "access.denied": N_("Refused"),
    "case.evidence.add": N_("Evidence added"),
    "case.evidence.download": N_("Evidence downloaded"),
    "case.trail_export": N_("Trail PDF exported"),
    "approval.request": N_("Approval requested"),
    "approval.approved": N_("Approved"),
    "approval.returned": N_("Returned"),
    "rectification.letter.create": N_("Recommendation letter issued"),
    "rectification.create": N_("Rectification item created"),
    "rectification.update": N_("Rectification item changed"),
    "rectification.comment": N_("Comment on a rectification item"),
    "rectification.evidence.add": N_("Rectification evidence added"),
    "rectification.evidence.download": N_("Rectification evidence downloaded"),
    "rectification.submit": N_("Submitted for close-out"),
    "rectification.approve": N_("Close-out approved"),
    "rectification.return": N_("Close-out returned"),
    "rectification.reopen": N_("Rectification item reopened"),
    "rectification.reinspection.schedule": N_("Re-inspection scheduled"),
    "rectification.reinspection.record": N_("Re-inspection recorded"),
    "rectification.reinspection_reopen": N_("Re-inspection reopened the item"),
    "decision.draft": N_("Decision drafted"),
    "decision.first_form": N_("First-form measure recorded on closing"),
    "decision.update": N_("Decision changed"),
    "decision.submit": N_("Decision submitted"),
    "decision.approve": N_("Decision approved"),
    "decision.return": N_("Decision returned"),
    "decision.announce": N_("Decision announced"),
    "decision.report_execution": N_("Execution reported"),
    "decision.revoke": N_("Decision revoked"),
    "decision.supersede": N_("Decision superseded"),
    "decision.appeal.file": N_("Appeal filed"),
    "decision.appeal.panel": N_("Appeal panel member assigned"),
    "decision.appeal.decide": N_("Appeal decided"),
    "notification.read": N_("Notifications marked read"),
    "notification.settings": N_("Notification settings changed"),
    "notification.test": N_("Test message sent"),
    "webhook.create": N_("Webhook added"),
    "webhook.update": N_("Webhook changed"),
}

FIELD_LABELS = {
    "via": N_("How"),
    "ledger": N_("Ledger"),
    "cadence": N_("How often"),
    "descendants": N_("Units below it"),
    "start": N_("From"),
    "end": N_("To"),
    "rows": N_("Rows"),
    "leads": N_("Leads"),
    "decisions": N_("Decisions"),
    "sessions_ended": N_("Sessions ended"),
    "type_code": N_("Type of event"),
    "starts_at": N_("Starts"),
    "ends_at": N_("Ends"),
    "place": N_("Place"),
    "walk_ins": N_("Walk-ins allowed"),
    "walk_in": N_("Walk-in"),
    "rules": N_("Who it is for"),
    "invited": N_("Invited"),
    "users": N_("People"),
    "people": N_("People"),
    "event_id": N_("Event"),
    "absent_again": N_("Absent again and again"),
    "reflection_due_on": N_("Reflections due"),
    "file_format": N_("File type"),
    "events_listed": N_("Events listed"),
    "year": N_("Year"),
    "label": N_("Note"),
    "minimum": N_("At least"),
    "corrected": N_("Corrected"),
    "decision": N_("Decision"),
    "round": N_("Round"),
    "make_up": N_("Make-up report"),
    "chars": N_("Characters"),
    "excellent": N_("Excellent"),
    "made_up": N_("Made up"),
    "absent": N_("Absent"),
    "claim": N_("Name at the single sign-on service"),
    "subject": N_("Identity at the single sign-on service"),
    "on": N_("On"),
    "ended": N_("Sessions ended"),
    "locale": N_("Language"),
    "amount": N_("Length"),
    "number": N_("Case number"),
    "unit_id": N_("Unit"),
    "source": N_("Source"),
    "category": N_("Category"),
    "title": N_("Title"),
    "summary": N_("Summary"),
    "status": N_("Status"),
    "disposal": N_("Disposal"),
    "confidential": N_("Confidential"),
    "received_on": N_("Received on"),
    "subjects": N_("Subjects"),
    "reason": N_("Reason"),
    "comment": N_("Comment"),
    "transition": N_("Step"),
    "kind": N_("Kind"),
    "object_id": N_("Object"),
    "body": N_("Text"),
    "note_id": N_("Note"),
    "user_id": N_("User"),
    "team": N_("Team"),
    "due_on": N_("Due on"),
    "clock": N_("Clock"),
    "approval_id": N_("Approval"),
    "filename": N_("File name"),
    "sha256": N_("SHA-256"),
    "role": N_("Role"),
    "day": N_("Day"),
    "is_workday": N_("Working day"),
    "period_months": N_("Effect period (months)"),
    "period_choices": N_("Choices"),
    "active": N_("Active"),
    "sort": N_("Order"),
    "prefix": N_("Token prefix"),
    "expires_at": N_("Expires"),
    "content_type": N_("File type"),
    "rule_code": N_("Clock"),
    "stopped_on": N_("Stopped on"),
    "stop_reason": N_("Why it stopped"),
    "announced_on": N_("Announced on"),
    "executed_on": N_("Executed on"),
    "effect_ends_on": N_("Effect ends on"),
    "scheduled_on": N_("Scheduled on"),
    "findings": N_("Findings"),
    "outcome": N_("Outcome"),
    "description": N_("Description"),
    "report": N_("Report"),
    "new_decision_id": N_("New decision"),
    "supersedes_id": N_("Replaces decision"),
    "evidence_id": N_("Evidence"),
    "proposed_due_on": N_("Proposed due date"),
    "unit": N_("Time unit"),
    "act": N_("Action"),
    "note": N_("Note"),
    "name": N_("Name"),
    "name_en": N_("English name"),
    "code": N_("Code"),
    "parent_id": N_("Parent unit"),
    "path": N_("Path"),
    "method": N_("Request method"),
    "email": N_("Email address"),
    "count": N_("How many"),
    "url": N_("Address"),
    "flavour": N_("Kind of robot"),
    "types": N_("Kinds it hears of"),
    "include_below": N_("Also the units below"),
    "username": N_("Username"),
    "display_name": N_("Display name"),
    "is_active": N_("Active"),
    "employee_no": N_("Employee number"),
    "position": N_("Position"),
    "cadre_level": N_("Cadre level"),
    "party_member": N_("Party member"),
    "case_id": N_("Case"),
    "letter_id": N_("Recommendation letter"),
    "issued_on": N_("Issued on"),
    "size": N_("Size"),
    "requirement": N_("Requirement"),
    "responsible_user_id": N_("Responsible person"),
    "measure_code": N_("Measure"),
    "form": N_("Form"),
    "person_id": N_("Person"),
    "effective_on": N_("Effective on"),
    "reasoning": N_("Reasoning"),
    "grounds": N_("Grounds"),
    "filed_on": N_("Filed on"),
    "appeal_id": N_("Appeal"),
    "pdf_sha256": N_("PDF SHA-256"),
    "trail_sha256": N_("Trail SHA-256"),
    "events": N_("Audit events"),
    "export_id": N_("Export"),
    "pages": N_("Pages"),
}

# What an event is about, in words (its object type).
OBJECT_LABELS = {
    "case": N_("Case"),
    "case_clock": N_("Clock"),
    "decision": N_("Decision"),
    "rectification": N_("Rectification item"),
    "recommendation_letter": N_("Recommendation letter"),
    "approval": N_("Approval"),
    "user": N_("User"),
    "unit": N_("Unit"),
    "person": N_("Person"),
    "relation": N_("Relation"),
    "grant": N_("Role grant"),
    "token": N_("API token"),
    "session": N_("Session"),
    "export": N_("Export"),
    "measure": N_("Measure"),
    "clock_rule": N_("Clock rule"),
    "catalogue": N_("Catalogue"),
    "request": N_("Request"),
    "webhook": N_("Webhook"),
    "teaching_case": N_("Teaching case"),
}


def object_label(code: str) -> str:
    return gettext(OBJECT_LABELS.get(code, code))


# Fields whose values are English data (shown marked as English on a Chinese page).
ENGLISH_FIELDS = frozenset({"name_en", "label_en"})
# Fields whose values are identifiers (shown as code, in any language).
CODE_FIELDS = frozenset(
    {"username", "code", "path", "employee_no", "sha256", "pdf_sha256", "trail_sha256", "url", "email"}
)
LANGUAGES = {"zh": "中文", "en": "English"}
SIGN_IN_WAYS = {
    "password": N_("Password"),
    "token": N_("API token"),
    "demo": N_("Demo data"),
    "totp": N_("Code from the authenticator app"),
    "recovery_code": N_("Recovery code"),
    "sso": N_("Single sign-on"),
}
# The policy's actions, as a refused request names them.
ACTS = {
    "read": N_("read"),
    "create": N_("create"),
    "update": N_("change"),
    "delete": N_("delete"),
    "approve": N_("approve"),
    "propose": N_("propose"),
    "decide": N_("decide"),
    "export": N_("export"),
    "verify": N_("verify"),
}
# Whose status a "status" field is, by the event's object type.
_STATUS_TABLES = {
    "case": "status",
    "rectification": "rectification",
    "decision": "decision",
    "education": "education",
}
QUOTA_KINDS = {"events": N_("Events held"), "attendance": N_("Events each member attends")}
APPROVAL_STATUS_LABELS = {"pending": N_("Pending"), "approved": N_("Approved"), "returned": N_("Returned")}


@dataclass(frozen=True)
class Readable:
    action: str
    changes: list[tuple[str, str]]  # (field, "before → after" or the value)
    english: frozenset[str] = frozenset()  # the fields (as shown) whose values are English data
    codes: frozenset[str] = frozenset()  # the fields (as shown) whose values are identifiers


@dataclass(frozen=True)
class Names:
    """What codes and ids in an event's changes stand for, in the reader's language."""

    people: dict[int, str]  # users
    persons: dict[int, str]  # subjects
    units: dict[int, str]
    measures: dict[str, str]
    catalogue: dict[tuple[str, str], str]  # (catalogue, code): sources and categories


def _field_name(field: str) -> str:
    if field in NOTICES:  # a notification setting: the kind's name
        return gettext(NOTICES[field].name)
    return gettext(FIELD_LABELS.get(field, field))


def _value(event: AuditEvent, field: str, value: Any, names: Names) -> str:
    if value is None or value == "":
        return "—"
    if field in NOTICES:
        return gettext(MODE_LABELS.get(str(value), str(value)))
    if field == "types":
        return "、".join(gettext(NOTICES[t].name) if t in NOTICES else t for t in str(value).split(","))
    if field == "flavour":
        return gettext(FLAVOUR_LABELS.get(str(value), str(value)))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if event.object_type == "education":
        shown = _education_value(field, value, names)
        if shown is not None:
            return shown
    if field == "status":
        if event.object_type == "approval":
            return gettext(APPROVAL_STATUS_LABELS.get(str(value), str(value)))
        return label(_STATUS_TABLES.get(event.object_type, "status"), str(value))
    if field == "transition":
        return label("transition", str(value))
    if field in ("ledger", "cadence"):
        return label(field, str(value))
    if event.action.startswith("education.plan_quota"):
        if field == "kind":
            return gettext(QUOTA_KINDS.get(str(value), str(value)))
        if field == "type_code":
            return names.catalogue.get(("education_type", str(value)), str(value))
    if field == "kind":
        if event.object_type == "unit":
            return label("unit_kind", str(value))
        if event.object_type == "relation":
            return label("relation", str(value))
        return label("approval", str(value))
    if field == "role":
        return role_label(str(value))
    if field == "rule_code":
        return label("clock", str(value))
    if field == "unit":
        return label("time_unit", str(value))
    if field == "act":
        return gettext(ACTS.get(str(value), str(value)))
    if field == "locale":
        return LANGUAGES.get(str(value), str(value))
    if field == "via":
        return gettext(SIGN_IN_WAYS.get(str(value), str(value)))
    if field == "reason" and event.outcome != "ok":
        return gettext(str(value))  # a refusal's reason is one of the service's messages
    if field == "disposal":
        return label("status", str(value))
    if field in ("source", "category"):
        return names.catalogue.get((field, str(value)), str(value))
    if field == "measure_code":
        return names.measures.get(str(value), str(value))
    if isinstance(value, int) and not isinstance(value, bool):
        lookup = {
            "user_id": names.people,
            "responsible_user_id": names.people,
            "person_id": names.persons,
            "unit_id": names.units,
            "parent_id": names.units,
        }.get(field)
        if lookup is not None:
            return lookup.get(value, f"#{value}")
    if isinstance(value, list):
        if field == "subjects":
            return "、".join(names.persons.get(v, f"#{v}") for v in value)
        if field in ("users", "corrected", "absent_again"):
            return "、".join(names.people.get(v, f"#{v}") for v in value)
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _education_value(field: str, value: Any, names: Names) -> str | None:
    """An education event's own fields in words (None: the general rules below apply)."""
    if field == "type_code":
        return names.catalogue.get(("education_type", str(value)), str(value))
    if field in ("starts_at", "ends_at"):
        try:
            return local_time(datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if field == "method":
        return label("sign_in_method", str(value))
    if field == "status" and value in ATTENDANCE_LABELS:
        return label("attendance", str(value))
    if field == "decision":
        return label("leave", str(value))
    if field == "rules" and isinstance(value, list):
        return "；".join(_audience_rule(rule, names) for rule in value if isinstance(rule, dict))
    return None


def _audience_rule(rule: dict[str, Any], names: Names) -> str:
    kind = label("audience", str(rule.get("kind", "")))
    if rule.get("unit_id"):
        return f"{kind}：{names.units.get(rule['unit_id'], '#' + str(rule['unit_id']))}"
    if rule.get("user_id"):
        return f"{kind}：{names.people.get(rule['user_id'], '#' + str(rule['user_id']))}"
    if rule.get("role"):
        return f"{kind}：{role_label(str(rule['role']))}"
    return kind


def readable(event: AuditEvent, names: Names) -> Readable:
    """The event's action and changed fields in words; unknown codes are shown as they are."""
    body = json.loads(event.changes or "{}")
    before, after, extra = body.get("before") or {}, body.get("after") or {}, body.get("extra") or {}
    changes: list[tuple[str, str]] = []
    for field in sorted(set(before) | set(after)):
        name = _field_name(field)
        new = _value(event, field, after.get(field), names)
        if field in before:
            changes.append((name, f"{_value(event, field, before[field], names)} → {new}"))
        else:
            changes.append((name, new))
    for field in sorted(extra):
        if field not in before and field not in after:
            changes.append((_field_name(field), _value(event, field, extra[field], names)))
    english = frozenset(gettext(FIELD_LABELS[f]) for f in ENGLISH_FIELDS if f in FIELD_LABELS)
    codes = frozenset(gettext(FIELD_LABELS[f]) for f in CODE_FIELDS if f in FIELD_LABELS)
    return Readable(gettext(ACTION_LABELS.get(event.action, event.action)), changes, english, codes)
