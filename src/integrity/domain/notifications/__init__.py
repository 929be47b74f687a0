"""Notifications and reminders: who is told what, through which channel, and that nobody else is."""
