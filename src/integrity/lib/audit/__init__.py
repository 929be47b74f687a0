"""The tamper-evident audit trail."""

from integrity.lib.audit.chain import Actor, AuditEntry, append_event, record

__all__ = ["Actor", "AuditEntry", "append_event", "record"]
