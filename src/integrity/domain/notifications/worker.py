"""The delivery worker: scan for reminders, fan the outbox out, plan digests, send.

`integrity serve` runs it inside the web process (INTEGRITY_WORKER_IN_PROCESS, on by default);
`integrity worker` runs it alone. Any number may run at once: each step is safe to repeat and to race.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from integrity.config import Settings
from integrity.db.engine import Database
from integrity.db.models import Delivery, NotificationEvent
from integrity.db.types import utcnow
from integrity.domain.cases.clocks import work_calendar
from integrity.domain.notifications import delivery, digest, reminders
from integrity.domain.notifications.fanout import BATCH, fan_out
from integrity.lib.authz import Authorizer
from integrity.lib.deadlines import Thresholds
from integrity.lib.pdf.pool import PdfPool

log = logging.getLogger("integrity.worker")
# Scans of the domains this one cannot import (a unit's education plan behind), lent by domain/wiring.py:
# each adds its notifications for the day once, in the scan's transaction, and says how many.
SCANS: list[Callable[[AsyncSession, date, Settings], Awaitable[int]]] = []
# Work done once per scan outside any transaction, with the PDF workers (the scheduled ledgers), lent by
# domain/wiring.py: each says how many it made.
JOBS: list[Callable[[Database, Settings, PdfPool, date], Awaitable[int]]] = []
# Upkeep of every pass (the case statistics' stale months), lent by domain/wiring.py: cheap when idle.
UPKEEP: list[Callable[[Database], Awaitable[int]]] = []
SCAN_EVERY = 300.0  # seconds between reminder scans (and at once when the local date changes)


@dataclass
class Tally:
    reminders: int = 0
    events: int = 0
    digests: int = 0
    deliveries: int = 0
    reports: int = 0


class Worker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        authorizer: Authorizer | None = None,
        pdf_pool: PdfPool | None = None,
    ) -> None:
        self.db, self.settings = db, settings
        self.authorizer = authorizer or Authorizer()
        self._scanned: tuple[float, date] | None = None
        self._pool, self._own_pool = pdf_pool, pdf_pool is None

    def pdf_pool(self) -> PdfPool:
        """The web process's PDF workers, or (`integrity worker` alone) a pool of its own on first use."""
        if self._pool is None:
            s = self.settings
            self._pool = PdfPool(s.pdf_workers, s.pdf_timeout_seconds, s.pdf_memory_mb)
        return self._pool

    def close(self) -> None:
        if self._own_pool and self._pool is not None:
            self._pool.close()
            self._pool = None

    async def jobs(self, today: date) -> int:
        made = 0
        for job in JOBS:
            made += await job(self.db, self.settings, self.pdf_pool(), today)
        return made

    def local_now(self) -> datetime:
        return datetime.now(ZoneInfo(self.settings.timezone))

    async def scan(self, today: date) -> int:
        async with self.db.write_session() as session:
            calendar = await work_calendar(session)
            t = Thresholds.on(
                today, calendar, self.settings.reminder_days_before, self.settings.escalate_after_days
            )
            added = await reminders.scan(session, t)
            for other in SCANS:
                added += await other(session, today, self.settings)
            await session.commit()
        return added

    async def _waiting(self, query: Any) -> bool:
        """A read first, so an idle pass never takes the write lock (SQLite has one writer)."""
        async with self.db.read_session() as session:
            return (await session.execute(query.limit(1))).first() is not None

    async def fan_out(self, today: date) -> int:
        total = 0
        if not await self._waiting(
            select(col(NotificationEvent.id)).where(col(NotificationEvent.fanned_out_at).is_(None))
        ):
            return 0
        while True:
            async with self.db.write_session() as session:
                version = (await session.execute(select(Authorizer.version_column()))).scalar()
                await self.authorizer.sync(session, version)
                calendar = await work_calendar(session)
                done = await fan_out(session, self.settings, self.authorizer, calendar, today)
                await session.commit()
            total += done
            if done < BATCH:
                return total

    async def plan_digests(self, now: datetime) -> int:
        if not self.settings.email_enabled or now.hour < self.settings.digest_hour:
            return 0
        async with self.db.write_session() as session:
            made = await digest.plan(session, now.date())
            await session.commit()
        return made

    async def deliver(self, at: datetime | None = None) -> int:
        total = 0
        due = select(col(Delivery.id)).where(
            col(Delivery.status).in_((delivery.PENDING, delivery.RETRYING, delivery.SENDING))
        )
        if not await self._waiting(due):
            return 0
        while (sent := await delivery.deliver(self.db, self.settings, now=at)) > 0:
            total += sent
        return total

    async def run_once(self, now: datetime | None = None, *, scan: bool = True) -> Tally:
        """One pass of every step; `now` (local, aware) stands in for the clock in tests."""
        local = now or self.local_now()
        tally = Tally()
        if scan:
            tally.reminders = await self.scan(local.date())
            tally.reports = await self.jobs(local.date())
        for upkeep in UPKEEP:
            await upkeep(self.db)
        tally.events = await self.fan_out(local.date())
        tally.digests = await self.plan_digests(local)
        tally.deliveries = await self.deliver(None if now is None else max(utcnow(), now))
        return tally

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; an error is logged and the next pass tries again."""
        log.info("notification worker started")
        while not stop.is_set():
            local = self.local_now()
            due = (
                self._scanned is None
                or self._scanned[1] != local.date()
                or monotonic() - self._scanned[0] > SCAN_EVERY
            )
            try:
                await self.run_once(scan=due)
                if due:
                    self._scanned = (monotonic(), local.date())
            except Exception:  # the worker outlives a bad pass: it is logged, and the next one retries
                log.exception("notification worker pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_poll_seconds)
        log.info("notification worker stopped")


class InProcessWorker:
    """The worker as a task of the web process, started and stopped with the app."""

    def __init__(
        self, db: Database, settings: Settings, authorizer: Authorizer, pdf_pool: PdfPool | None = None
    ) -> None:
        self.worker = Worker(db, settings, authorizer, pdf_pool)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self.worker.run_forever(self._stop), name="integrity-worker")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
