"""The one shape of every lifecycle: a table of transitions, one refusal rule, one versioned move.

A domain declares a `Lifecycle` (its statuses, its `Transition` rows, its history table and the
words of its refusals) and keeps only its own effects. The same `refusal` answers the service
(raise it) and the page (show the button only when there is none), so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from integrity.db.types import utcnow
from integrity.lib.audit import Actor, AuditEntry, record
from integrity.lib.errors import Conflict, DomainError, Forbidden, InvalidInput


class Versioned(Protocol):
    """What a lifecycle's object has: an id, the unit it belongs to, a status and a version."""

    id: int | None
    unit_id: int
    status: str
    version: int


@dataclass(frozen=True)
class Guard:
    """A condition beyond status and role (the drafter submits; the hearing panel concludes)."""

    name: str
    holds: Callable[[Any], bool]  # asked of the domain's facts about this object and this user
    refusal: Callable[[], DomainError]


@dataclass(frozen=True)
class Transition:
    """A step: from where, to where, the Casbin action it needs, what it needs besides.

    `target` None marks a step that changes the object but not its status (an edit, evidence, a
    comment): it is refused and offered by the same rule. `action` None marks a step no one presses:
    it is the effect of another decision (an appeal's outcome, a re-inspection's finding); a tuple
    of actions means any of them will do. A row with `approval` set is a proposal: it moves to
    `target` and opens an approval request of that kind; the reviewer's decision then moves on to
    `approved_target` (or the payload's choice, when None) or back to `returned_target`.
    """

    name: str
    sources: tuple[str, ...]
    target: str | None
    action: str | tuple[str, ...] | None
    requires: tuple[str, ...] = ()  # form fields that must not be empty
    guards: tuple[Guard, ...] = ()
    approval: str | None = None
    approved_target: str | None = None
    returned_target: str | None = None
    effect: str | None = None  # another domain's effect this step runs, installed at start-up by name


@dataclass(frozen=True)
class Move:
    """One step as the history table records it."""

    step: str
    from_status: str
    to_status: str
    actor_id: int | None
    reason: str = ""
    approval_id: int | None = None


@dataclass(frozen=True)
class Lifecycle:
    """A domain's table and the words of its refusals (msgids, translated where they are shown)."""

    resource: str  # the Casbin object, and the audit events' object type
    statuses: tuple[str, ...]
    transitions: tuple[Transition, ...]
    history: Callable[[Any, Move], SQLModel]  # the domain's history row for a move
    snapshot: Callable[[Any], dict[str, object]]  # what the audit event shows before and after
    audit_action: str  # e.g. "decision.{step}"
    wrong_status: str
    unknown_step: str
    not_allowed: str
    stale: str
    required: Mapping[str, str] = field(default_factory=dict)  # field -> message when it is empty
    status_refusals: Mapping[str, str] = field(default_factory=dict)  # a better word for some statuses
    outcome_step: str = "{verdict}"  # the history's name of a reviewer's answer to a proposal

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        assert len(names) == len(set(names)), f"{self.resource}: a transition name is used twice"
        for t in self.transitions:
            ends = (*t.sources, t.target, t.approved_target, t.returned_target)
            unknown = {s for s in ends if s is not None} - set(self.statuses)
            assert not unknown, f"{self.resource}.{t.name}: unknown statuses {unknown}"
            missing = set(t.requires) - set(self.required)
            assert not missing, f"{self.resource}.{t.name}: no message for required {missing}"

    @cached_property  # asked on every check: built once (a frozen dataclass keeps it in __dict__)
    def by_name(self) -> dict[str, Transition]:
        return {t.name: t for t in self.transitions}

    @cached_property
    def by_approval(self) -> dict[str, Transition]:
        return {t.approval: t for t in self.transitions if t.approval}

    def step(self, name: str) -> Transition:
        try:
            return self.by_name[name]
        except KeyError:
            raise InvalidInput(self.unknown_step) from None

    def available_from(self, status: str) -> list[Transition]:
        """The status changes a user may press from a status, in table order."""
        return [t for t in self.transitions if status in t.sources and t.action and t.target]

    def status_refusal(self, t: Transition, status: str) -> DomainError | None:
        if status in t.sources:
            return None
        return Conflict(self.status_refusals.get(status, self.wrong_status))

    def refusal(
        self, t: Transition, status: str, may: Callable[[str], bool], facts: Any = None
    ) -> DomainError | None:
        """Why this step may not be made now (wrong status, no role, a failed guard), or None."""
        wrong = self.status_refusal(t, status)
        if wrong is not None:
            return wrong
        actions = (t.action,) if isinstance(t.action, str) else (t.action or ())
        if not any(may(a) for a in actions):
            return Forbidden(self.not_allowed)
        for guard in t.guards:
            if not guard.holds(facts):
                return guard.refusal()
        return None

    def require(self, t: Transition, status: str, may: Callable[[str], bool], facts: Any = None) -> None:
        """Raise the refusal, if there is one (a service's first line before it changes anything)."""
        refused = self.refusal(t, status, may, facts)
        if refused is not None:
            raise refused

    def allowed(self, status: str, may: Callable[[str], bool], facts: Any = None) -> list[str]:
        """The status changes the rule lets this user press now: a page's step buttons."""
        return [t.name for t in self.available_from(status) if self.refusal(t, status, may, facts) is None]

    def offered(self, status: str, may: Callable[[str], bool], facts: Any = None) -> frozenset[str]:
        """Every step, status change or not, the rule lets this user make now: what a page shows."""
        return frozenset(
            t.name for t in self.transitions if t.action and self.refusal(t, status, may, facts) is None
        )

    def missing(self, t: Transition, given: Mapping[str, object]) -> InvalidInput | None:
        """The first required field left empty (or only white space), as the error to raise."""
        for name in t.requires:
            value = given.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                return InvalidInput(self.required[name])
        return None

    def require_fields(self, step: str, given: Mapping[str, object]) -> None:
        """Raise the error of the first required field of this step left empty."""
        missing = self.missing(self.by_name[step], given)
        if missing is not None:
            raise missing

    async def advance(self, session: AsyncSession, obj: Versioned, step: str, **how: Any) -> None:
        """Make a row of the table on an object loaded in this transaction: 409 if it does not start at
        the object's status or if someone changed the object since it was loaded. `how`: as for move."""
        spec = self.by_name[step]
        wrong = self.status_refusal(spec, obj.status)
        if wrong is not None:
            raise wrong
        assert spec.target is not None, f"{self.resource}.{step} changes no status"
        await self.move(session, obj, step, spec.target, expected_version=obj.version, **how)

    async def decide(
        self,
        session: AsyncSession,
        obj: Versioned,
        proposal: Transition,
        *,
        approve: bool,
        target: str | None = None,
        **how: Any,
    ) -> str:
        """A reviewer's answer to a proposal: on to the approved target (or `target`), or back; its step.

        `how`: actor, reason, approval_id, values, extra, as for move."""
        if obj.status != proposal.target:
            raise Conflict(self.wrong_status)
        to = target or (proposal.approved_target if approve else proposal.returned_target)
        assert to is not None, f"{self.resource}.{proposal.name}: where does the answer lead?"
        step = self.outcome_step.format(verdict="approve" if approve else "return", name=proposal.name)
        await self.move(session, obj, step, to, expected_version=obj.version, **how)
        return step

    async def move(
        self,
        session: AsyncSession,
        obj: Versioned,
        step: str,
        target: str,
        *,
        actor: Actor,
        expected_version: int,
        reason: str = "",
        approval_id: int | None = None,
        values: Mapping[str, object] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Change status only if nobody changed the object since `expected_version` (else 409),
        with its history row and its audit event in the same transaction."""
        model = type(obj)
        before, from_status = self.snapshot(obj), obj.status
        columns: dict[str, object] = {"status": target, "version": expected_version + 1, **(values or {})}
        if "updated_at" in model.__table__.columns:  # type: ignore[attr-defined]
            columns["updated_at"] = utcnow()
        changed = await session.execute(
            update(model)
            .where(model.id == obj.id, model.version == expected_version)  # type: ignore[arg-type]
            .values(**columns)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(self.stale, current_version=obj.version)
        await session.refresh(obj)
        session.add(self.history(obj, Move(step, from_status, target, actor.user_id, reason, approval_id)))
        await record(
            session,
            actor,
            AuditEntry(
                self.audit_action.format(step=step),
                self.resource,
                obj.id or "",
                obj.unit_id,
                before=before,
                after=self.snapshot(obj),
                extra=dict(extra or {}),
            ),
        )
