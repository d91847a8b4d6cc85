"""Every operation of the OpenAPI document, called with requests schemathesis generates from it:
as a visitor, as a resident and as district staff, in a real district (qindu, with its
organisation, feedback categories and every installed plugin enabled).

Whatever is sent, nothing answers 5xx, and the API (``/api/…`` and Open311, all that the
document describes: pages answer HTML and are left out of it) answers only the statuses and
content types its operations document, with bodies that match their schemas. The pages' forms
are swept with bad input by tests/test_bad_input.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

pytestmark = pytest.mark.slow

SLUG = "qindu"
BASE_URL = "http://127.0.0.1"
# Examples per operation: enough to cover each operation's parameters and bodies, few enough
# for the three sweeps to take well under two minutes on each engine.
API_EXAMPLES = 20
DISTRICT_SCOPES = ["profile:read", "organisation:read", "notices:read", "feedback:read", "feedback:write"]


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or "/open311/" in path


@dataclass
class Caller:
    """Who calls: the headers and cookies every request of a sweep carries."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Sweep:
    checked: dict[str, int] = field(default_factory=dict)  # operation → requests made
    failures: list[str] = field(default_factory=list)


def _checks(path: str) -> list:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    assert _is_api(path), f"the OpenAPI document describes a page: {path}"
    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


async def _send(client, case, caller: Caller):
    """The case as schemathesis serialises it, sent through the in-process client."""
    import requests

    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    case_cookies = kwargs.pop("cookies", None) or {}
    kwargs.pop("auth", None)
    prepared = requests.Request(**kwargs).prepare()
    headers = {**caller.headers, **dict(prepared.headers)}
    cookies = {**caller.cookies, **case_cookies}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return await client.request(prepared.method, prepared.url, headers=headers, content=body)


def _sweep(schema, client, caller: Caller, loop: asyncio.AbstractEventLoop) -> Sweep:
    """Runs in a worker thread: Hypothesis drives each operation synchronously, and every request
    is made on the test's event loop, where the database pool lives."""
    from schemathesis.core.failures import Failure, FailureGroup

    sweep = Sweep()
    for operation in (result.ok() for result in schema.get_all_operations()):
        sweep.checked[operation.label] = 0
        try:
            _examples(operation, client, caller, loop, sweep)()
        except (Failure, FailureGroup) as failure:
            sweep.failures.append(f"{caller.name}: {operation.label}\n{failure}")
    return sweep


def _examples(operation, client, caller: Caller, loop: asyncio.AbstractEventLoop, sweep: Sweep):
    """The operation's Hypothesis test: generated requests, each answer checked."""
    from hypothesis import HealthCheck, Phase, given, settings

    checks = _checks(operation.path)
    pinned = {"slug": SLUG} if "{slug}" in operation.path else None

    @settings(max_examples=API_EXAMPLES, deadline=None,
              derandomize=True, database=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=operation.as_strategy(path_parameters=pinned))
    def call(case):
        sweep.checked[operation.label] += 1
        response = asyncio.run_coroutine_threadsafe(_send(client, case, caller), loop).result()
        case.validate_response(response, checks=checks)

    return call


async def _run(app, caller: Caller) -> Sweep:
    import schemathesis

    from tests.http import http_client

    async with http_client(app) as client:
        # Loaded in-process from the app itself. (schemathesis.openapi.from_asgi would also call
        # the app in-process, but on an event loop of its own in another thread, running the app's
        # start-up (the job runner) there, where the test database's connection pool cannot be used.)
        answer = await client.get("/schema/openapi.json")
        assert answer.status_code == 200
        schema = schemathesis.openapi.from_dict(answer.json())
        sweep = await asyncio.to_thread(_sweep, schema, client, caller, asyncio.get_running_loop())
    assert len(sweep.checked) > 20 and all(sweep.checked.values()), sweep.checked
    assert not sweep.failures, f"{len(sweep.failures)} operations failed:\n\n" + "\n\n".join(sweep.failures)
    return sweep


@pytest.fixture
async def district(tenant):
    """qindu with a street, a community and a grid, its feedback categories, and every installed
    plugin enabled."""
    from core.feedback import categories
    from core.plugins import enablement
    from core.plugins.host import host
    from core.tenancy import TenantScope
    from tenants.tables import Community, Grid, Street

    scope = TenantScope(tenant.id)
    await categories.ensure_registered(scope)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    grid = await scope.create(Grid, community=community.id, name="第1网格")
    for name in sorted(host().plugins):
        await enablement.set_enabled(scope, name, True, actor_id=None)
    return {"tenant": tenant, "scope": scope, "street": street, "community": community, "grid": grid}


async def _signed_in(app, sign_in, tenant, person, phone: str) -> Caller:
    """A caller with the person's session (signed in through the form), the CSRF cookie and its
    header a browser's script sends, and the person's API token for this district."""
    from core.accounts import credentials

    from tests.http import http_client

    async with http_client(app) as browser:
        await sign_in(browser, phone, login_path=f"/t/{SLUG}/login")
        await browser.get(f"/t/{SLUG}/")  # the CSRF cookie, as a page gives it
        cookies = dict(browser.cookies)
    assert {"gongzhi_session", "gongzhi_csrf"} <= set(cookies), cookies
    issued = await credentials.issue("person", "手机", DISTRICT_SCOPES, tenant_id=tenant.id, person_id=person.id)
    caller = Caller(person.display_name, {"Authorization": f"Bearer {issued.token}",
                                          "x-csrf-token": cookies["gongzhi_csrf"]}, cookies)
    async with http_client(app) as client:  # both reach the person's own data, not a refusal
        me = await client.get(f"/api/v1/t/{SLUG}/me", headers=caller.headers)
        assert me.status_code == 200 and me.json()["id"] == person.id, me.text
        account = await client.get("/account", headers={"Cookie": f"gongzhi_session={cookies['gongzhi_session']}"})
        assert account.status_code == 200, account.status_code
    return caller


async def test_a_visitor_gets_no_server_error_and_only_documented_api_answers(app, district):
    from tests.http import http_client

    async with http_client(app) as browser:  # a browser that opened a page holds a CSRF cookie
        csrf = (await browser.get(f"/t/{SLUG}/")).cookies["gongzhi_csrf"]
    await _run(app, Caller("visitor", {"x-csrf-token": csrf}, {"gongzhi_csrf": csrf}))


async def test_a_resident_gets_no_server_error_and_only_documented_api_answers(app, district, make_person,
                                                                               sign_in):
    from core.accounts import services

    resident = await make_person("刘芳", "13900000021")
    await services.add_membership(district["scope"], resident.id, ["resident"], "grid", district["grid"].id)
    await _run(app, await _signed_in(app, sign_in, district["tenant"], resident, "13900000021"))


async def test_district_staff_get_no_server_error_and_only_documented_api_answers(app, district, make_person,
                                                                                  sign_in):
    from core.accounts import services

    staff = await make_person("王建华", "13900000001")
    await services.add_membership(district["scope"], staff.id, ["district_admin"])
    await services.add_membership(district["scope"], staff.id, ["staff"], "community", district["community"].id)
    await _run(app, await _signed_in(app, sign_in, district["tenant"], staff, "13900000001"))
