"""A case's follow-up as its page shows it: rectification items, decisions, whom to assign."""
