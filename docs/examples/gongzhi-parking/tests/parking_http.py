"""Using the plugin's pages as a browser does: open a page, then post its form."""

from __future__ import annotations

import re


def csrf_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form"
    return match.group(1)


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"the page has no field {name}"
    return match.group(1)


async def post_form(client, page: str, action: str, data: dict, **kwargs):
    """Open ``page``, then post ``data`` to ``action`` with the page's CSRF token."""
    opened = await client.get(page, **kwargs)
    assert opened.status_code == 200, f"{page}: {opened.status_code}"
    return await client.post(action, data={**data, "_csrf_token": csrf_token(opened.text)}, **kwargs)


async def apply(client, slug: str, community: int, plate: str, key: str | None = None):
    """A resident's application through the form (with the form's own key unless given one)."""
    page = await client.get(f"/t/{slug}/p/parking/")
    assert page.status_code == 200, page.status_code
    data = {"community": str(community), "plate": plate,
            "idempotency_key": key or form_value(page.text, "idempotency_key"),
            "_csrf_token": csrf_token(page.text)}
    return await client.post(f"/t/{slug}/p/parking/applications", data=data)


def application_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'id="application-(\d+)"', html)]


def state_of(html: str, application_id: int) -> str:
    match = re.search(rf'id="application-{application_id}" data-state="(\w+)"', html)
    assert match, f"application {application_id} is not on the page"
    return match.group(1)


def browser(app):
    """Another browser on the same app (its own cookies): a second person at the same time."""
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
