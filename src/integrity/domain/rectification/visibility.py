"""Who sees items and letters: rectifiers those of their units (never the case), staff as the case allows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlmodel import col

from integrity.db.models import Unit
from integrity.domain.cases.visibility import case_visible, holds_over
from integrity.domain.cases.visibility import visible_to as case_visible_to
from integrity.lib.authz import AccessScope
from integrity.lib.authz.scope import under_any

# Roles that see rectification as part of supervision: an item of a case follows the case's visibility.
STAFF = {"inspector", "reviewer", "auditor"}


def visible_filter(access: AccessScope, unit_id: Any, case_id: Any) -> ColumnElement[bool]:
    """Rows (items or letters, by their unit and case columns) this user may see."""
    in_unit = col(Unit.id) == unit_id
    as_rectifier = exists().where(in_unit, under_any(access.role_paths({"rectifier"}), col(Unit.path)))
    as_staff = and_(
        exists().where(in_unit, under_any(access.role_paths(STAFF), col(Unit.path))),
        or_(case_id.is_(None), case_visible(access, case_id)),
    )
    return or_(as_rectifier, as_staff)


def visible_to(
    user_id: Any, unit_path: Any, case_id: Any, case: Any, case_unit: Any, readers: Any
) -> ColumnElement[bool]:
    """`visible_filter` for many users at once (an item's unit path and case id; its case, outer-joined,
    and that case's unit): for the notifications, held equal to it by a test."""
    return or_(
        holds_over(user_id, ["rectifier"], unit_path),
        and_(
            holds_over(user_id, sorted(STAFF), unit_path),
            or_(case_id.is_(None), case_visible_to(user_id, case, case_unit, readers)),
        ),
    )
