"""Chinese first, English by choice: Babel catalogues read at start-up, chosen per request."""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment
from litestar import Request, Response

from integrity.config import LOCALE_DIR

LOCALES = ("zh", "en")
LANG_COOKIE = "integrity_lang"
current_locale: ContextVar[str] = ContextVar("current_locale", default="zh")
_chosen_now: ContextVar[bool] = ContextVar("_chosen_now", default=False)


@lru_cache(maxsize=len(LOCALES))
def catalog(locale: str) -> _gettext.NullTranslations:
    """The compiled catalogue for a locale (the .po is the source; no .mo files are committed)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return _gettext.NullTranslations()
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return catalog(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(current_locale.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


ROLE_LABELS = {
    "admin": N_("System administrator"),
    "inspector": N_("Inspector"),
    "reviewer": N_("Reviewer"),
    "auditor": N_("Auditor"),
    "rectifier": N_("Rectification owner"),
    "member": N_("Member"),
}


def role_label(role: str) -> str:
    return gettext(ROLE_LABELS.get(role, role))


def local_name(name: str, name_en: str | None) -> str:
    """A record's name in the reader's language: its English name for an English reader, when it has one."""
    return name_en if current_locale.get() == "en" and name_en else name


def install(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


def choose_locale(request: Request[Any, Any, Any], default: str) -> str:
    """?lang= wins, then the signed-in user's own language (kept on the account), then the cookie,
    then the configured default (Chinese)."""
    user = request.scope.get("state", {}).get("principal")
    own = getattr(user, "locale", None)
    for candidate in (request.query_params.get("lang"), own, request.cookies.get(LANG_COOKIE)):
        if candidate in LOCALES:
            return candidate
    return default


async def set_request_locale(request: Request[Any, Any, Any]) -> None:
    """before_request: the locale for everything rendered in this request."""
    current_locale.set(choose_locale(request, request.app.state.settings.default_locale))
    _chosen_now.set(request.query_params.get("lang") in LOCALES)


async def remember_locale(response: Response[Any]) -> Response[Any]:
    """after_request: keep an explicit ?lang= choice in a cookie."""
    if not _chosen_now.get():
        return response
    response.set_cookie(
        LANG_COOKIE, current_locale.get(), max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )
    return response
