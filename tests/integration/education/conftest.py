"""What the education tests share: the office's organiser signed in (each file makes its own office)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import Client, DemoApp, new_client
from tests.support.helpers import close
from tests.support.notify import Office


@pytest.fixture
async def organiser(demo_app: DemoApp, office: Office) -> AsyncIterator[Client]:
    c = await new_client(demo_app, office.username("organiser"))
    yield c
    await close(c)
