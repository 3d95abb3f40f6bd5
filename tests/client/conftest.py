"""What most client tests share: a real embedded server on loopback with the in-memory store, one per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from live_server import running_server


@pytest.fixture
async def url() -> AsyncIterator[str]:
    async with running_server("memory://") as u:
        yield u
