"""The one way a page form makes a change: commit and go back, or show the page again with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.lib.authz.guard import refused
from integrity.lib.errors import DomainError, InvalidInput
from integrity.lib.flash import with_done
from integrity.lib.i18n import N_

ShowAgain = Callable[[str, int], Awaitable[Template]]
# A page form's body: `data: Annotated[SomeForm, FORM]`.
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


FIELDS_WRONG = N_("Some fields are missing or not valid; check them and try again.")


def converted(values: dict[str, Any], kind: type[Any], msgid: str = FIELDS_WRONG) -> Any:
    """A page form's values as an API shape, held to the API's own checks (lengths, patterns); `msgid`
    (a N_() text) says what to change when they fail."""
    try:
        return msgspec.convert(values, kind)
    except msgspec.ValidationError as exc:
        raise InvalidInput(msgid, reason=str(exc)) from exc


def picked_unit(value: str) -> int:
    """The unit a page's unit picker sent (its option's value), or a readable refusal."""
    if not value.strip().isdigit():
        raise InvalidInput(N_("Choose a unit from the list."))
    return int(value)


def safe_next(target: str | None, default: str = "/") -> str:
    """Where a form sends the user next: only a path of this site, never another address (`//host`,
    a backslash that browsers read as a slash); anything else goes to `default`."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


async def act_then_redirect(
    db: AsyncSession, action: Awaitable[Any], target: str, show_again: ShowAgain, done: str = "saved"
) -> Template | Redirect:
    """Run one change in the request's transaction; on a domain error roll back and re-render (with
    what the user typed); on success go back to the target, which says what happened (`done`)."""
    try:
        await action
    except DomainError as exc:
        await db.rollback()
        await refused(exc)
        return await show_again(exc.translated(), exc.status)
    await db.commit()
    return Redirect(with_done(target, done), status_code=303)
