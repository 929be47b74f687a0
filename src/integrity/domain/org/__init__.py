"""The organisation: units, persons, declared relations."""
