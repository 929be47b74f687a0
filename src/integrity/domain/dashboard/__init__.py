"""The signed-in user's start page and the read-only administration pages."""
