"""Publishers and the settings the marketplace's services are given."""

from __future__ import annotations

import pytest


@pytest.fixture
def settings(database):
    from core.config import Settings

    return Settings.from_env()


@pytest.fixture
async def publisher(make_person):
    from core.accounts.roles import PUBLISHER

    return await make_person("陈出版", "13700000001", platform_roles=(PUBLISHER,))


@pytest.fixture
async def other_publisher(make_person):
    from core.accounts.roles import PUBLISHER

    return await make_person("林出版", "13700000002", platform_roles=(PUBLISHER,))
