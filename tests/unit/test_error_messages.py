"""Every message a domain error carries is a catalogue entry with a Chinese translation: no English in
the Chinese interface, error pages included."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

import integrity
from integrity.lib import errors

SRC = Path(integrity.__file__).parent
ZH = SRC / "locale" / "zh" / "LC_MESSAGES" / "messages.po"


def _error_names() -> set[str]:
    """Names of every DomainError subclass defined in the service."""
    import integrity.app  # noqa: F401  (imports every module that defines one)

    found: set[str] = set()
    todo = [errors.DomainError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _raised_messages() -> list[tuple[str, int, ast.expr]]:
    """(file, line, first argument) of every `raise SomeDomainError(...)` that passes a message."""
    names = _error_names()
    raised = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            call = node.exc
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if callee in names and call.args:
                raised.append((str(path.relative_to(SRC)), node.lineno, call.args[0]))
    return raised


def _literal(arg: ast.expr) -> str | None:
    """The msgid of `N_("...")`, `_("...")` or `gettext("...")`; None for anything else."""
    if (
        isinstance(arg, ast.Call)
        and getattr(arg.func, "id", "") in ("N_", "_", "gettext")
        and len(arg.args) == 1
        and isinstance(arg.args[0], ast.Constant)
        and isinstance(arg.args[0].value, str)
    ):
        return arg.args[0].value
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod):  # gettext("… %(x)s") % {...}
        return _literal(arg.left)
    return None


def test_every_raised_domain_error_message_is_translated() -> None:
    with ZH.open("rb") as f:
        catalogue = {m.id: m.string for m in read_po(f) if m.id}
    raised = _raised_messages()
    assert len(raised) > 100  # the walk found the service's raises
    # A variable or a lifecycle's field holds a message chosen elsewhere (a refusal rule's N_() strings,
    # which test_every_lifecycle_message_is_translated covers); everything else must be a literal msgid.
    chosen_elsewhere = (ast.Name, ast.Attribute, ast.Subscript)
    literal = [(p, line, arg) for p, line, arg in raised if not isinstance(arg, chosen_elsewhere)]
    untranslatable = [f"{p}:{line}" for p, line, arg in literal if _literal(arg) is None]
    assert not untranslatable, f"messages outside the catalogue (wrap them in N_()): {untranslatable}"
    missing = [f"{p}:{line}" for p, line, arg in literal if not catalogue.get(_literal(arg) or "")]
    assert not missing, f"no Chinese translation (run scripts/i18n.py and translate): {missing}"


def test_every_lifecycle_message_is_translated() -> None:
    """The words of the workflow tables' refusals: status, role, stale version, required fields, guards."""
    from integrity.domain.cases.workflow import LIFECYCLE as cases
    from integrity.domain.decisions.workflow import LIFECYCLE as decisions
    from integrity.domain.rectification.workflow import LIFECYCLE as rectification

    with ZH.open("rb") as f:
        catalogue = {m.id: m.string for m in read_po(f) if m.id}
    messages = []
    for lifecycle in (cases, decisions, rectification):
        messages += [lifecycle.wrong_status, lifecycle.unknown_step, lifecycle.not_allowed, lifecycle.stale]
        messages += [*lifecycle.required.values(), *lifecycle.status_refusals.values()]
        messages += [g.refusal().msgid for t in lifecycle.transitions for g in t.guards]
    assert len(messages) > 20
    missing = [m for m in messages if not catalogue.get(m)]
    assert not missing, f"no Chinese translation (run scripts/i18n.py and translate): {missing}"
