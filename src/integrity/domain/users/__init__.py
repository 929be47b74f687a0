"""User administration: accounts, role grants, personal API tokens."""
