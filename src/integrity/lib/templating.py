"""The one Jinja environment of the pages and the PDFs: autoescape for every template, i18n, labels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from integrity.config import TEMPLATES_DIR, get_settings
from integrity.lib import i18n
from integrity.lib.authz import ROLES
from integrity.lib.flash import done_message
from integrity.lib.labels import label
from integrity.lib.requestctx import access_of, principal_of


def can_in_request(request: Any, obj: str, act: str) -> bool:
    """For navigation: does the signed-in user hold (obj, act) anywhere?"""
    access = access_of(request)
    return access is not None and access.can_anywhere(obj, act)


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (UTC) time as the office reads it: in the organisation's time zone (Asia/Shanghai)."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(get_settings().timezone)).strftime(fmt)


def template_environment(extra_globals: dict[str, Any] | None = None) -> Environment:
    """Jinja with autoescape on for every template, whatever its name, and i18n installed; the app adds
    the helpers of its domains (`extra_globals`)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    i18n.install(env)
    env.globals["ROLES"] = ROLES
    env.globals["principal_of"] = principal_of
    env.globals["current_locale"] = i18n.current_locale.get
    env.globals["role_label"] = i18n.role_label
    env.globals["local_name"] = i18n.local_name
    env.globals["can"] = can_in_request
    env.globals["label"] = label
    env.filters["local"] = local_time
    env.globals["done_message"] = done_message
    env.globals.update(extra_globals or {})
    return env
