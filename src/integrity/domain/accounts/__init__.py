"""Accounts: sign-in, sessions, personal API tokens."""
