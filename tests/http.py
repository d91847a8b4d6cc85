"""HTTP clients for tests."""


def http_client(app):
    """An HTTP client calling ``app`` in this event loop.

    (Litestar's AsyncTestClient runs the app in a thread of its own, where the asyncpg
    pool opened in the test's loop cannot be used.)
    """
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in a page."""
    import re

    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


async def post_form(client, form_page: str, data: dict, action: str | None = None, **kwargs):
    """Open ``form_page`` as a browser would, then post ``data`` to its form (or to ``action``)."""
    page = await client.get(form_page, **kwargs)
    return await client.post(action or form_page, data={**data, "_csrf_token": csrf_token(page.text)}, **kwargs)


def last_code(to: str) -> str:
    """The newest code the development outbox holds for a phone number."""
    from core.config import Settings
    from core.messaging import outbox

    messages = outbox.read(Settings.from_env().outbox_dir / "sms", to=to)
    assert messages, f"no SMS was sent to {to}"
    return messages[-1]["code"]


def last_email(to: str) -> dict:
    from core.config import Settings
    from core.messaging import outbox

    messages = outbox.read(Settings.from_env().outbox_dir / "email", to=to)
    assert messages, f"no email was sent to {to}"
    return messages[-1]


async def count_everywhere(table, *conditions) -> int:
    """Rows of a tenant-owned table in every district (a test's look across the wall)."""
    from core import db

    async with db.platform_transaction():
        query = table.count()
        if conditions:
            query = query.where(*conditions)
        return await query
