"""A bounded pool of worker processes for WeasyPrint: off the event loop, with a time and a memory limit."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from pebble import ProcessExpired, ProcessPool

from integrity.lib.errors import Unavailable
from integrity.lib.i18n import N_
from integrity.lib.pdf.render import Rendered, RenderJob, compose, render

log = logging.getLogger("integrity.pdf")


class RenderFailed(Unavailable):
    """The PDF could not be made within the limits; nothing was recorded."""


def _prepare_worker(memory_mb: int) -> None:
    """Runs once in each worker: a lower CPU priority than the web process, a memory ceiling, warm imports."""
    os.nice(19)  # the lowest priority: the web process keeps answering while a long trail renders
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per page otherwise
    import weasyprint  # noqa: F401  (the first render should not pay for the import)


class PdfPool:
    """At most `workers` renders at once; the others wait in line. Workers are started on first use."""

    def __init__(self, workers: int, timeout_seconds: float, memory_mb: int) -> None:
        self.workers, self.timeout, self.memory_mb = workers, timeout_seconds, memory_mb
        self._pool: ProcessPool | None = None

    def _started(self) -> ProcessPool:
        if self._pool is None or not self._pool.active:
            self._pool = ProcessPool(
                max_workers=self.workers,
                max_tasks=50,  # a fresh worker now and then: WeasyPrint's caches only grow
                initializer=_prepare_worker,
                initargs=(self.memory_mb,),
                # forkserver: workers never inherit the web process's event loop, sockets or connections
                context=multiprocessing.get_context("forkserver"),
            )
        return self._pool

    async def render(self, job: RenderJob) -> Rendered:
        """Render in a worker; RenderFailed when it runs out of time or memory (the worker is replaced)."""
        return await self._run(render, job)

    async def render_parts(self, jobs: list[RenderJob]) -> list[Rendered]:
        """Lay out the parts side by side (as many at once as there are workers), in order."""
        return list(await asyncio.gather(*(self._run(render, job) for job in jobs)))

    async def compose(self, parts: list[bytes], layers: list[bytes]) -> Rendered:
        """Join the parts and stamp the overlay layers (page numbers, header, watermark, contents) on top."""
        return await self._run(compose, parts, layers)

    async def _run(self, function: Callable[..., Rendered], *args: Any) -> Rendered:
        future = self._started().schedule(function, args=args, timeout=self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except (FutureTimeout, TimeoutError) as exc:
            raise RenderFailed(
                N_("The PDF took longer than %(seconds)s s and was abandoned."),
                params={"seconds": f"{self.timeout:g}"},
            ) from exc
        except (MemoryError, ProcessExpired) as exc:
            log.warning("PDF worker failed: %r", exc)
            raise RenderFailed(
                N_("The PDF needed more than %(mb)s MB and was abandoned."), params={"mb": self.memory_mb}
            ) from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join(timeout=5)
            self._pool = None
