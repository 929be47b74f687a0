"""A real SMTP server and a real HTTP receiver on loopback, started once per test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.notify import HookReceiver, SmtpSink, start_smtp


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    sink, controller = start_smtp()
    yield sink
    controller.stop()


@pytest.fixture(scope="session")
def hooks() -> Iterator[HookReceiver]:
    receiver = HookReceiver()
    yield receiver
    receiver.close()
