"""A district with the mental-health service enabled, a resident of it, and helpers that use
its pages as a browser does."""

from __future__ import annotations

import re

import pytest

from core.accounts import services as accounts
from core.plugins import enablement
from core.tenancy import TenantScope
from tests.http import csrf_token

BASE = "/t/qindu/p/mental_health"
RESIDENT_PHONE = "13800000011"


@pytest.fixture
async def district(tenant):
    scope = TenantScope(tenant.id)
    await enablement.set_enabled(scope, "mental_health", True, actor_id=None)
    return scope


@pytest.fixture
async def resident(district, make_person):
    person = await make_person("李静", RESIDENT_PHONE)
    await accounts.add_membership(district, person.id, ["resident"])
    return person


@pytest.fixture
async def signed_in(client, resident, sign_in):
    await sign_in(client, RESIDENT_PHONE, login_path="/t/qindu/login")
    return client


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the page has no field {name}"
    return match.group(1)


async def give_consent(client, data: dict | None = None, **kwargs):
    page = await client.get(f"{BASE}/consent", **kwargs)
    assert page.status_code == 200, page.status_code
    return await client.post(f"{BASE}/consent", data={"agree": "1", **(data or {}),
                                                      "_csrf_token": csrf_token(page.text)}, **kwargs)


async def answer(client, instrument: str, answers: dict[str, str] | list[int], *, key: str | None = None,
                 **kwargs):
    """Open the questionnaire and send ``answers`` (a list: item1… in order) with the page's key."""
    page = await client.get(f"{BASE}/screening/{instrument}", **kwargs)
    assert page.status_code == 200, page.status_code
    if isinstance(answers, list):
        answers = {f"item{number}": str(value) for number, value in enumerate(answers, start=1)}
    data = {**answers, "idempotency_key": key or form_value(page.text, "idempotency_key"),
            "_csrf_token": csrf_token(page.text)}
    return await client.post(f"{BASE}/screening/{instrument}", data=data, **kwargs)
