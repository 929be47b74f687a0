"""What the OpenAPI document says beyond what Litestar infers: the problem responses every API route
may answer, and which request bodies refuse fields they do not know."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from integrity.lib.errors import PROBLEM_JSON, Problem

_DOCUMENTED = {
    400: "The request is not well formed (a field of the wrong type, a missing file part).",
    401: "Sign-in required: no valid session or token.",
    403: "The user's roles do not allow this here.",
    404: "No such record, or one the user may not see.",
    409: "Not possible in the record's current state, or someone changed it first.",
    413: "The upload is larger than allowed.",
    422: "A value is not acceptable (empty, unknown, out of range).",
    429: "Too many attempts; try again after Retry-After seconds.",
}
PROBLEM_RESPONSES = {
    code: ResponseSpec(Problem, description=text, media_type=PROBLEM_JSON, generate_examples=False)
    for code, text in _DOCUMENTED.items()
}


def document_problems(controllers: list[Any]) -> None:
    """Declare the problem responses on every API route: the one shape handle_error answers with.

    Without it Litestar documents only its own validation error (a shape this service never sends).
    """
    for controller in controllers:
        base = str(getattr(controller, "path", "")).rstrip("/")
        for name in dir(controller):
            handler = getattr(controller, name)
            if not isinstance(handler, HTTPRouteHandler):
                continue
            if any(f"{base}/{p.lstrip('/')}".startswith("/api/") for p in handler.paths):
                handler.responses = {**PROBLEM_RESPONSES, **(handler.responses or {})}


def _structs(root: type[msgspec.Struct] = msgspec.Struct) -> list[type[msgspec.Struct]]:
    found: list[type[msgspec.Struct]] = []
    for cls in root.__subclasses__():
        found += [cls, *_structs(cls)]
    return found


def close_strict_objects(app: Litestar) -> None:
    """Bodies declared `forbid_unknown_fields` say so (`additionalProperties: false`), as they behave.

    Call once the routes are registered; the document is built here and kept by the app.
    """
    strict = {
        cls.__name__
        for cls in _structs()
        if cls.__module__.startswith("integrity.") and cls.__struct_config__.forbid_unknown_fields
    }
    schemas = app.openapi_schema.components.schemas or {}
    for name, schema in schemas.items():
        if name in strict and not isinstance(schema, dict):
            schema.additional_properties = False
