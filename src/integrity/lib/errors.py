"""Domain errors, and the one place that turns any error into RFC 9457 problem+json or a UI page."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError

from integrity.lib.i18n import N_, gettext

log = logging.getLogger("integrity")
PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """An error the user can act on; subclasses fix status and problem type."""

    status = 400
    slug = "bad-request"
    title = N_("Bad request")
    # A refusal of someone's attempt (a role, separation of duties, conflict of interest): it becomes an
    # audit event with outcome "denied", as the guard's refusals do.
    denied = False

    def __init__(
        self,
        detail: str = "",
        *,
        denied: bool | None = None,
        params: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        # `detail` is a catalogue msgid (N_("…")), with %(name)s placeholders filled from `params`.
        self.msgid = detail or self.title
        self.params = params or {}
        self.detail = self.msgid % self.params if self.params else self.msgid
        super().__init__(self.detail)
        self.extra = extra
        if denied is not None:
            self.denied = denied
        self.audited = False  # set once its denial is recorded, so it is recorded once

    def translated(self) -> str:
        """The message in the reader's language."""
        text = gettext(self.msgid)
        return text % self.params if self.params else text


class InvalidInput(DomainError):
    status, slug, title = 422, "invalid-input", N_("Invalid input")


def one_of(field: str, allowed: tuple[str, ...] | list[str]) -> InvalidInput:
    """A field whose value is not one of the allowed codes."""
    return InvalidInput(
        N_("%(field)s must be one of %(allowed)s."), params={"field": field, "allowed": ", ".join(allowed)}
    )


class Unauthenticated(DomainError):
    status, slug, title = 401, "unauthenticated", N_("Sign-in required")


class SignInIncomplete(DomainError):
    """A session half signed in asked for something other than its next step (`step`, a page path)."""

    status, slug, title = 401, "sign-in-incomplete", N_("Finish signing in first")


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", N_("Not permitted")
    denied = True


class NotFound(DomainError):
    status, slug, title = 404, "not-found", N_("Not found")


class Conflict(DomainError):
    status, slug, title = 409, "conflict", N_("Conflict")


class TooManyAttempts(DomainError):
    status, slug, title = 429, "too-many-attempts", N_("Too many attempts")


class Unavailable(DomainError):
    status, slug, title = 503, "unavailable", N_("Temporarily unavailable")


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "GET"


def problem(
    request: Request[Any, Any, Any],
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[Any]:
    """An RFC 9457 body; `type` is a stable URI reference per kind of problem."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    headers = dict(headers or {})
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def _readable(error: Any) -> Any:
    """msgspec's words for a required text (lib/text.py) that is blank or holds NUL, said plainly."""
    if isinstance(error, dict) and "matching regex '^(?=[" in str(error.get("message", "")):
        return {**error, "message": N_("Must not be empty or only white space, nor hold the NUL character.")}
    return error


# Routing errors (no such route, wrong method) in words for the reader, not Litestar's English.
_HTTP_TEXTS = {
    400: (N_("Bad request"), N_("The request could not be read; check what you sent and try again.")),
    403: (N_("Not allowed"), N_("Your roles do not allow this.")),
    404: (N_("Not found"), N_("This page or record does not exist, or you may not see it.")),
    405: (N_("Not possible here"), N_("This action is not possible at this address.")),
    413: (N_("Too large"), N_("The file or form is larger than this service accepts.")),
    415: (N_("Not accepted"), N_("This kind of content is not accepted here.")),
    429: (N_("Too many requests"), N_("Too many attempts; wait a moment and try again.")),
}
# Any other status the framework raises: words of our own, never its English text on a page.
_HTTP_OTHER = (N_("Request not completed"), N_("The request could not be completed; try again."))


NUL_REFUSED = N_("Text may not contain the NUL character.")


def refuse_nul(request: Request[Any, Any, Any]) -> None:
    """before_request: a query with the NUL character is refused on both engines alike (PostgreSQL
    cannot compare text holding it; SQLite could, and would answer differently)."""
    if "\x00" in request.url.query or "%00" in request.url.query:
        raise InvalidInput(NUL_REFUSED)


def _number_out_of_range(exc: Exception) -> bool:
    """A number no id or count column can hold, sent in a query or a body field.

    SQLite's driver raises OverflowError beyond 64 bits; PostgreSQL's integer columns hold 32 bits and
    its driver answers a DataError naming the range.
    """
    if isinstance(exc, OverflowError):
        return True
    return isinstance(exc, DBAPIError) and re.search(r"out of int(32|64) range", str(exc)) is not None


def _nul_in_text(exc: Exception) -> bool:
    """Text holding the NUL character, which PostgreSQL's text columns cannot store."""
    return isinstance(exc, DBAPIError) and "0x00" in str(exc)


def handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Map every exception to one response shape: problem+json for the API, a page for the UI."""
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if _number_out_of_range(exc):
        exc = InvalidInput(N_("A number in the request is larger than any record's."))
    elif _nul_in_text(exc):
        exc = InvalidInput(NUL_REFUSED)
    if isinstance(exc, DomainError):
        status, slug, title, detail, extra = exc.status, exc.slug, exc.title, exc.detail, exc.extra
        shown = exc.translated()
    elif isinstance(exc, ValidationException):
        status, slug, title = 400, "invalid-request", N_("Invalid request")
        detail = exc.detail
        shown = gettext(N_("Some fields are missing or not valid; check them and try again."))
        if isinstance(exc.extra, list):
            extra = {"errors": [_readable(e) for e in exc.extra]}
    elif isinstance(exc, HTTPException):
        status, slug = exc.status_code, f"http-{exc.status_code}"
        title, described = _HTTP_TEXTS.get(status, _HTTP_OTHER)
        detail, shown = exc.detail, gettext(described)
        headers = dict(exc.headers or {})  # a 405 says which methods the address takes (Allow)
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status, slug = HTTP_500_INTERNAL_SERVER_ERROR, "internal-error"
        title = detail = N_("Internal server error")
        shown = gettext(detail)
    if _wants_html(request):
        if status == 401:
            step = extra.get("step") if isinstance(exc, SignInIncomplete) else None
            return Redirect(step or f"/login?next={quote(request.url.path)}")
        return Template(
            "error.html",
            context={"status": status, "title": gettext(title), "detail": shown},
            status_code=status,
            media_type=MediaType.HTML,
        )
    return problem(request, status, slug, title, detail, headers, **extra)


class Problem(msgspec.Struct):
    """An RFC 9457 problem: what every API error answers (handle_error), documented on every API route."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None  # which fields of the request were not valid (400)
