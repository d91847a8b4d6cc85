"""The route inventory, and the sweeps over it that belong to accounts: every route declares
how it authenticates; every unsafe session-or-anonymous route refuses a post without the
CSRF token; every token route refuses a session cookie alone."""

import pytest

from core.app import create_app
from core.config import Settings
from core.tenancy import TenantScope
from core.web.inventory import AUTH_KINDS, inventory, is_framework_route

APP = create_app(Settings.from_env())
ROUTES = [route for route in inventory(APP) if not is_framework_route(route)]
UNSAFE_BROWSER_ROUTES = [r for r in ROUTES if r.unsafe and r.auth in ("none", "session")]
TOKEN_ROUTES = [r for r in ROUTES if r.auth == "token"]


def test_every_route_declares_how_it_authenticates():
    undeclared = [f"{r.method} {r.path}" for r in ROUTES if r.auth not in AUTH_KINDS]
    assert not undeclared, f"declare opt={{'auth': …}} on: {undeclared}"


def test_the_inventory_knows_tenant_routes_and_object_ids():
    by_key = {(r.method, r.path): r for r in ROUTES}
    assert by_key[("GET", "/t/{slug:str}")].takes_tenant
    assert not by_key[("GET", "/onboard/{slug:str}")].takes_tenant
    assert by_key[("POST", "/account/sessions/{session_id:int}/end")].takes_object_id
    assert by_key[("POST", "/admin/tenants/{slug:str}/{action:str}")].takes_object_id
    assert len(UNSAFE_BROWSER_ROUTES) >= 10


@pytest.mark.parametrize("route", UNSAFE_BROWSER_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_unsafe_routes_refuse_a_request_without_the_csrf_token(route, client, tenant, plugins_on, make_person,
                                                                      sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await client.request(route.method, route.example_path(), data={"anything": "1"})
    assert response.status_code == 403, response.text[:300]


@pytest.fixture
async def plugins_on(tenant):
    """Every installed plugin enabled in the district, so that its routes answer there."""
    from core.plugins import enablement
    from core.plugins.host import host

    for name in host().plugins:
        await enablement.set_enabled(TenantScope(tenant.id), name, True, actor_id=None)


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_token_routes_refuse_a_session_cookie_alone(route, client, tenant, plugins_on, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await client.request(route.method, route.example_path())
    assert response.status_code == 401


SIGNED_ROUTES = [r for r in ROUTES if r.auth == "signed"]


def test_signed_routes_exist_only_where_a_third_party_signs_what_it_sends():
    assert {r.path for r in SIGNED_ROUTES} == {"/t/{slug:str}/p/red_property/pay/{provider:str}/notify"}


@pytest.mark.parametrize("route", SIGNED_ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_signed_routes_refuse_what_is_not_signed_even_with_a_session(route, client, tenant, plugins_on,
                                                                           make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await client.request(route.method, route.example_path().replace("/x/", "/dev/"),
                                    content=b'{"order_no": "1", "transaction_id": "t", "amount_fen": 1}')
    assert response.status_code == 400, response.text[:300]
