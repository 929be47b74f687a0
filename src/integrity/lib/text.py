"""Text fields of API bodies: required text must hold more than white space, as the pages already ask."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import msgspec

# Something that is not white space, and no NUL anywhere (PostgreSQL cannot store it; SQLite could, and
# the engines must answer alike). A lookahead, so a long run of spaces is scanned once.
_SOMETHING = r"^(?=[\s\S]*\S)[^\x00]*\Z"

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=_SOMETHING)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_SOMETHING)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=_SOMETHING)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=_SOMETHING)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, pattern=_SOMETHING)]


def choice(values: Iterable[str]) -> msgspec.Meta:
    """Document a text field's allowed values in the API schema; the service still says which (422)."""
    return msgspec.Meta(extra_json_schema={"extra": {"enum": list(values)}})
