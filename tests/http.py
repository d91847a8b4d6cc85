"""HTTP clients for tests."""


def http_client(app):
    """An HTTP client calling ``app`` in this event loop.

    (Litestar's AsyncTestClient runs the app in a thread of its own, where the asyncpg
    pool opened in the test's loop cannot be used.)
    """
    import httpx

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
