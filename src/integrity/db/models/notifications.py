"""Notifications: the outbox of what happened, each recipient's entry, and every delivery beyond the app."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from integrity.db.types import UTCDateTime, utcnow


class NotificationEvent(SQLModel, table=True):
    """Something worth telling, written in the transaction that caused it (the outbox).

    The worker turns it into recipients' entries (`fanned_out_at`); `dedupe_key` makes a reminder
    (clock, due date, threshold) one event ever, however many scans find it.
    """

    __tablename__ = "notification_events"
    __table_args__ = (Index("ix_notification_events_pending", "fanned_out_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=48)
    object_type: str = Field(max_length=32)
    object_id: int
    case_id: int | None = Field(default=None, index=True)
    unit_id: int | None = None
    actor_id: int | None = None
    due_on: date | None = None
    clock: str = Field(default="", max_length=32)  # the clock rule (or "rectification") of a reminder
    params: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    dedupe_key: str | None = Field(default=None, max_length=160, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    fanned_out_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    """One recipient's entry in the app (the bell); its words are rendered in the reader's language."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_notifications_event_user"),
        Index("ix_notifications_inbox", "user_id", "read_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="notification_events.id")
    user_id: int = Field(foreign_key="users.id")
    type: str = Field(max_length=48)
    case_id: int | None = None  # read through the case rule again on every list and count
    href: str = Field(max_length=300)
    params: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    mode: str = Field(default="in_app", max_length=16)  # the recipient's choice when it was made
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    digest_id: int | None = Field(default=None, index=True)  # the digest delivery it went out in


class Delivery(SQLModel, table=True):
    """One message beyond the app (an email, a digest, a webhook post) and how sending it went."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # "email", "digest" or "webhook"
    notification_id: int | None = Field(default=None, foreign_key="notifications.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="notification_events.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    webhook_id: int | None = Field(default=None, foreign_key="webhooks.id", index=True)
    target: str = Field(default="", max_length=320)  # the address or the webhook's name, as sent to
    status: str = Field(default="pending", max_length=16)  # pending, sending, sent, retrying, failed
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    dedupe_key: str | None = Field(default=None, max_length=160, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    """How a user wants one type: "immediate" (in the app and by email), "digest" or "in_app"."""

    __tablename__ = "notification_preferences"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    type: str = Field(max_length=48, primary_key=True)
    mode: str = Field(max_length=16)


class Webhook(SQLModel, table=True):
    """A work-chat group robot of a unit: the one URL an administrator entered, and what it is told."""

    __tablename__ = "webhooks"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    name: str = Field(max_length=100)
    url: str = Field(max_length=500)
    flavour: str = Field(default="wecom", max_length=16)  # "wecom", "dingtalk" or "json"
    types: str = Field(default="", max_length=500)  # the notification types it carries, comma-separated
    include_below: bool = True  # also events of the units below
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
