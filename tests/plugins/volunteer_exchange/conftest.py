"""A district with volunteer points enabled, an organiser, and volunteers."""

from __future__ import annotations

from datetime import datetime

import pytest

from core import clock
from core.accounts import services as accounts
from core.plugins import enablement
from core.tenancy import TenantScope


@pytest.fixture
async def district(tenant):
    scope = TenantScope(tenant.id)
    await enablement.set_enabled(scope, "volunteer_exchange", True, actor_id=None)
    return scope


@pytest.fixture
async def organiser(district, make_person):
    person = await make_person("社工小周", "13800000401")
    await accounts.add_membership(district, person.id, ["volunteer_exchange.organiser"])
    return person


@pytest.fixture
async def volunteers(district, make_person):
    found = []
    for n in range(5):
        person = await make_person(f"志愿者{n}", f"138000004{10 + n}")
        await accounts.add_membership(district, person.id, ["resident"])
        found.append(person)
    return found


MORNING = datetime(2026, 12, 5, 8, 0, tzinfo=clock.CHINA)


@pytest.fixture
def morning():
    """The clock stands at 08:00 on 5 December 2026 (China), an hour before the activities."""
    clock.set_now(MORNING, frozen=True)
    yield
    clock.reset()
