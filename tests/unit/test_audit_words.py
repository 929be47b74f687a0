"""Every audit action the code records reads in words on the audit page and in the PDF trail."""

from __future__ import annotations

import re
from pathlib import Path

from integrity.domain.audit.readable import ACTION_LABELS

SRC = Path(__file__).resolve().parents[2] / "src" / "integrity"


def test_every_recorded_action_has_words() -> None:
    recorded: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'AuditEntry\(\s*"([a-z_.]+[a-z])"', text))
        recorded |= set(re.findall(r'action="([a-z_.]+)"', text))
    assert len(recorded) > 40
    assert sorted(recorded - set(ACTION_LABELS)) == []
