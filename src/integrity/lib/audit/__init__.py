"""The tamper-evident audit trail."""

from integrity.lib.audit.chain import Actor, AuditEntry, record

__all__ = ["Actor", "AuditEntry", "record"]
