"""The one way a page form makes a change: commit and go back, or show the page again with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from integrity.lib.authz.guard import refused
from integrity.lib.errors import DomainError
from integrity.lib.flash import with_done

ShowAgain = Callable[[str, int], Awaitable[Template]]
# A page form's body: `data: Annotated[SomeForm, FORM]`.
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


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
