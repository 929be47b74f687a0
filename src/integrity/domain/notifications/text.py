"""A notification in words, in the reader's language, and only as much of it as its channel may carry.

In the app the reader has passed the read rule: the case number and title, and the reviewer's reason.
Outside it (email), a confidential case is named by its number alone. A work-chat group is not a reader
the rule can check, so a webhook post carries the number, the kind of event and the link, never more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from integrity.domain.notifications.types import BY_CODE
from integrity.lib.i18n import gettext
from integrity.lib.labels import label

INSIDE, EMAIL, CHAT = "inside", "email", "chat"


@dataclass(frozen=True)
class Words:
    headline: str
    about: str  # the case number, and its title where the channel may carry it
    detail: str  # the reviewer's reason, where the channel may carry it
    due_on: str


def params_of(raw: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(raw or "{}")
    return loaded


def what_of(kind: str, object_type: str, clock: str, own: dict[str, Any]) -> list[str]:
    """What an event's headline names, as [label table, code]: a proposal's kind, a team, a status, a
    clock (the outbox keeps the kind, team and status in the event's own parameters)."""
    if object_type == "approval":
        return ["approval", own.get("kind", "")]
    if kind == "case.assigned":
        return ["team", own.get("team", "")]
    if kind == "case.status":
        return ["status", own.get("status", "")]
    return ["clock", clock] if clock else ["", ""]


def words(kind: str, params: dict[str, Any], channel: str = INSIDE) -> Words:
    """The notification's words in the current language (set per reader by the caller)."""
    table, code = (params.get("what") or ["", ""])[:2]
    # A proposal's kind, a team, a status or a clock; else the case's number, or an event's title.
    what = label(table, code) if table and code else str(params.get("number") or params.get("title") or "")
    headline = gettext(BY_CODE[kind].headline) % {"what": what, "days": params.get("days", "")}
    number, title = str(params.get("number") or ""), str(params.get("title") or "")
    secret = bool(params.get("confidential"))
    shown_title = channel == INSIDE or (channel == EMAIL and not secret)
    about = " · ".join(p for p in (number, title if shown_title else "") if p)
    if not number and what == title:  # an education event: its title is the headline already
        about = ""
    detail = str(params.get("reason") or "") if shown_title else ""
    return Words(headline, about, detail, str(params.get("due_on") or ""))
