"""Every engine test that uses a store runs on each database the coach supports."""

from __future__ import annotations

import pytest

from tests.support.databases import DATABASES


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name
