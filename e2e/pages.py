"""Every resident page of a district, from the route table (not a list typed by hand).

A resident page is a GET route under ``/t/{slug}/`` that answers with a template (not an
icon, a feed, a worker script or a file), is not the console, not Open311 or another API
(those declare ``auth`` other than ``none`` or ``session``), and is not a plugin's own page
(plugins' routes carry ``opt["plugin"]``; the sweeps of core cannot know their data). A
route added tomorrow is in the sweeps (e2e/test_elderly.py, e2e/test_accessibility.py) the
moment it exists.

Path parameters are filled from the demo data as a resident reaches them: the first link
to a child of the route's parent page (``/t/qindu/notices/{root}`` from a link on
``/t/qindu/notices``). Pages open to everyone (``auth: none``) are visited signed out, the
others signed in as the demo resident 刘芳 (13900000021), whose own items fill
``/feedback/{item_id}``. A route that cannot be filled so must be named in
:data:`UNREACHABLE` with the reason, or the sweep fails.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from functools import cache

from e2e.conftest import sign_in_to_qindu

SLUG = "qindu"
RESIDENT = "13900000021"
SESSION_COOKIE = "gongzhi_session"

# Resident-facing routes no demo link leads to, and why they are left out of the sweeps.
UNREACHABLE = {
    "/t/{slug:str}/invitations/{code:str}": "a staff invitation's code arrives by SMS; the demo sends none",
}

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


@dataclass(frozen=True)
class ResidentRoute:
    path: str  # as in the route table, e.g. /t/{slug:str}/notices/{root:int}
    name: str
    signed_in: bool

    @property
    def has_parameters(self) -> bool:
        return any(name != "slug" for name, _kind in _PARAM.findall(self.path))


def _is_template(handler) -> bool:
    from litestar.response import Template

    annotation = handler.parsed_fn_signature.return_type.annotation
    return annotation is Template or getattr(annotation, "__origin__", None) is Template


@cache
def resident_routes() -> tuple[ResidentRoute, ...]:
    """The resident pages of the route table (the app built as ``gongzhi serve`` builds it)."""
    from core.app import create_app
    from core.config import Settings
    from core.web.inventory import inventory

    saved = {key: os.environ.get(key) for key in ("GONGZHI_VAR_DIR", "GONGZHI_DATABASE_URL")}
    folder = tempfile.mkdtemp(prefix="gongzhi-pages-")
    os.environ.update(GONGZHI_VAR_DIR=folder, GONGZHI_DATABASE_URL=f"sqlite:///{folder}/routes.sqlite3")
    try:
        app = create_app(Settings.from_env())
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    routes = []
    for route in inventory(app):
        opt = route.handler.opt or {}
        if (route.method != "GET" or not route.path.startswith("/t/{slug")
                or route.path.startswith("/t/{slug:str}/console") or route.auth not in ("none", "session")
                or opt.get("plugin") or opt.get("private") or not _is_template(route.handler)
                or route.path in UNREACHABLE):
            continue
        routes.append(ResidentRoute(route.path, route.name, signed_in=route.auth == "session"))
    assert len(routes) >= 10, f"too few resident pages found: {routes}"
    return tuple(routes)


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0]


def fill(page, base_url: str, route: ResidentRoute) -> str:
    """The route's URL with its parameters filled from links a resident can follow."""
    url = route.path.replace("{slug:str}", SLUG)
    while True:
        match = re.search(r"/\{(\w+)(?::(\w+))?\}", url)
        if match is None:
            break
        parent = url[:match.start()]
        page.goto(base_url + parent)
        child = r"\d+" if match.group(2) == "int" else r"[^/?#]+"
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        found = next((href for href in hrefs if re.fullmatch(re.escape(parent) + "/(" + child + ")", href)), None)
        assert found, (f"no link on {parent} fills {route.path}: give the demo data one, "
                       "or name the route in e2e/pages.py's UNREACHABLE with the reason")
        url = found + url[match.end():]
    return base_url + (url if url.count("/") > 2 else url + "/")  # the home page is /t/qindu/


_SESSIONS: dict[str, dict] = {}


def sign_in_resident(page, base_url: str) -> None:
    """刘芳 signed in in this page's browser context. The log-in form is used once per run and
    its session reused: log-ins are throttled (per account and per address), and the other
    journeys sign in from the same address."""
    cookie = _SESSIONS.get(base_url)
    if cookie is None:
        sign_in_to_qindu(page, base_url, RESIDENT)
        cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
        _SESSIONS[base_url] = cookie
    else:
        page.context.clear_cookies()
        page.context.add_cookies([cookie])


def resident_pages(page, base_url: str) -> list[tuple[ResidentRoute, str]]:
    """Each resident page with its URL (filled as the page's visitor: signed out or 刘芳)."""
    pages = []
    for signed_in in (False, True):
        if signed_in:
            sign_in_resident(page, base_url)
        else:
            page.context.clear_cookies()
        for route in resident_routes():
            if route.signed_in == signed_in:
                pages.append((route, fill(page, base_url, route)))
    return pages


def visit_as(page, base_url: str, route: ResidentRoute, url: str, *, elderly: bool) -> None:
    """Open ``url`` as its visitor, in elderly mode or not (the switch's cookie)."""
    signed_in_now = any(cookie["name"] == SESSION_COOKIE for cookie in page.context.cookies())
    if route.signed_in and not signed_in_now:
        sign_in_resident(page, base_url)
    elif not route.signed_in and signed_in_now:
        page.context.clear_cookies()
    page.context.add_cookies([{"name": "gongzhi_elderly", "value": "1" if elderly else "0", "url": base_url}])
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
    assert page.url.split("?")[0] == url.split("?")[0], f"{url} went to {page.url}"


def filled_urls(browser, context_args: dict, base_url: str) -> dict[str, str]:
    """Each resident route's URL by its path in the route table, in a context of its own."""
    context = browser.new_context(**context_args)
    try:
        page = context.new_page()
        return {route.path: url for route, url in resident_pages(page, base_url)}
    finally:
        context.close()
