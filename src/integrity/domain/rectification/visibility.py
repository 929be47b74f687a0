"""Who sees items and letters: rectifiers those of their units (never the case), staff as the case allows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlmodel import col

from integrity.db.models import Unit
from integrity.domain.cases.visibility import case_visible
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
