"""Reading the audit trail (auditors)."""
