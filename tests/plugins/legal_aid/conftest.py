"""A district with legal aid enabled, a law office, a rights adviser, a duty lawyer and a
resident, and helpers that use the plugin's pages as a browser does."""

from __future__ import annotations

import re

import pytest

from core.accounts import services as accounts
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.legal_aid import people
from tests.http import csrf_token

BASE = "/t/qindu/p/legal_aid"
RESIDENT_PHONE = "13800000111"
ADVISER_PHONE = "13800000121"
LAWYER_PHONE = "13800000131"
ALL_AREAS = {"area_wages": "1", "area_neighbours": "1", "area_family": "1", "area_other": "1"}


@pytest.fixture
async def district(tenant):
    scope = TenantScope(tenant.id)
    await enablement.set_enabled(scope, "legal_aid", True, actor_id=None)
    return scope


@pytest.fixture
async def resident(district, make_person):
    person = await make_person("张建国", RESIDENT_PHONE)
    await accounts.add_membership(district, person.id, ["resident"])
    return person


@pytest.fixture
async def office(district):
    return await people.add_office(district, None, {"name": "秦都区法律服务所", "kind": "legal_service",
                                                     "phone": "029-33210000"})


async def record(district, person, roles: list[str], kind: str, office=None, **extra) -> None:
    await accounts.add_membership(district, person.id, roles)
    await people.add_adviser(district, None, {"phone": person.phone, "kind": kind, **ALL_AREAS,
                                              "office": str(office.id) if office else "", **extra})


@pytest.fixture
async def adviser(district, office, make_person):
    person = await make_person("王律", ADVISER_PHONE)
    await record(district, person, [people.ADVISER], "adviser", office)
    return person


@pytest.fixture
async def lawyer(district, office, make_person):
    person = await make_person("刘律师", LAWYER_PHONE)
    await record(district, person, [people.LAWYER], "lawyer", office, licence_number="16101201810001234")
    return person


@pytest.fixture
async def signed_in(client, resident, sign_in):
    await sign_in(client, RESIDENT_PHONE, login_path="/t/qindu/login")
    return client


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the page has no field {name}"
    return match.group(1)


async def ask(client, data: dict[str, str], *, files=None, **kwargs):
    """Open the form and send ``data`` with the page's key."""
    page = await client.get(f"{BASE}/ask", **kwargs)
    assert page.status_code == 200, page.status_code
    return await client.post(f"{BASE}/ask", data={"idempotency_key": form_value(page.text, "idempotency_key"),
                                                  **data, "_csrf_token": csrf_token(page.text)},
                             files=files, **kwargs)


async def post(client, path: str, data: dict[str, str] | None = None, *, page: str | None = None, **kwargs):
    """Post a form of ``page`` (``path`` when not given) as a browser does, with its token."""
    shown = await client.get(page or f"{BASE}/", **kwargs)
    return await client.post(path, data={**(data or {}), "_csrf_token": csrf_token(shown.text)}, **kwargs)
