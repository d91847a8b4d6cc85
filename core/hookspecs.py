"""Every extension point of Gongzhi, and nothing else.

Plugins mark implementations with ``pluggy.HookimplMarker("gongzhi")`` (``core.hookspecs.hookimpl``).
An implementation may be ``async def``: callers await whatever a hook returns that is
awaitable. Hooks here are global (not tenant-scoped) unless their docstring says otherwise.
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any

import pluggy

PROJECT = "gongzhi"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@cache
def arguments() -> dict[str, tuple[str, ...]]:
    """Every hook's name and the arguments it takes (an implementation takes any subset):
    what the host checks a plugin against when it loads it, and ``gongzhi plugin check``
    before it is installed."""
    return {name: tuple(inspect.signature(function).parameters)
            for name, function in globals().items()
            if callable(function) and getattr(function, f"{PROJECT}_spec", None) is not None}


# Messaging -----------------------------------------------------------------------------


@hookspec(firstresult=True)
def sms_gateway(settings: Any) -> Any:
    """Called when Gongzhi first sends an SMS; returns the gateway that sends them.

    firstresult: the first implementation that returns a gateway wins; the development
    gateway (``core.messaging.outbox``) is registered ``trylast``, so any provider plugin
    takes precedence. Global.

    The gateway is an object with two coroutine methods, each returning a
    :class:`core.messaging.gateway.DeliveryResult`:

    * ``send_code(phone, code, purpose, language)``: a one-time code (purpose is
      ``"register"``, ``"login"``, ``"reset"`` or ``"invitation"``); the provider chooses its
      approved template for the purpose and language.
    * ``send_notice(phone, text, language)``: a short notice (at most 300 characters).

    ``phone`` is an 11-digit mainland mobile number. A provider that cannot send returns
    ``DeliveryResult(accepted=False, error=…)``; it does not raise.
    """


# Personal data -------------------------------------------------------------------------


@hookspec
def export_personal_data(person_id: int) -> Any:
    """Called when a person downloads their data; returns ``{section_name: json_value}``
    with what the implementation holds about them (or None). Global: covers every district."""


@hookspec
def erase_personal_data(person_id: int, pseudonym: str) -> None:
    """Called when a person is erased, inside the erasing transaction: replace their personal
    fields with ``pseudonym`` and make their encrypted data unreadable; keep ledgers whole.
    Global."""


# What a plugin contributes when it is loaded (global) --------------------------------------
#
# The host calls each of these once per plugin, when the plugin is loaded, and keeps what it
# returns under the plugin's name; a plugin never sees another plugin's contribution.


@hookspec
def page_routes() -> Any:
    """Called once when the plugin is loaded; returns a list of Litestar route handlers or
    controllers for pages. They are mounted under ``/t/{slug}/p/{plugin}/`` (a controller's
    ``path`` is relative to that), answer 404 in a district that has not enabled the plugin,
    and a failure in them is contained (logged, counted, a 503 page). A handler whose ``opt``
    has ``"private": True`` is sent with ``Cache-Control: no-store`` and kept out of the
    service worker's caches. Declare ``opt={"auth": …}`` as core's routes do. Not firstresult.
    Global."""


@hookspec
def api_routes() -> Any:
    """Called once when the plugin is loaded, like :func:`page_routes`; returns its JSON
    routes, mounted under ``/api/v1/t/{slug}/p/{plugin}/``. Not firstresult. Global."""


@hookspec
def piccolo_apps() -> Any:
    """Called when the database configuration is read; returns a list of dotted module
    names, each holding a Piccolo ``APP_CONFIG`` whose migrations live inside the plugin's
    package. Every table derives from ``core.sdk.TenantOwned`` (Row Level Security is
    generated for it like for core's) unless the manifest lists it as province-wide; table
    names start with the plugin's name. ``gongzhi migrate`` applies them. Not firstresult.
    Global."""


@hookspec
def template_folder() -> Any:
    """Called once when the plugin is loaded; returns the folder (a path) of the plugin's
    Jinja2 templates, which are then named ``<plugin>/<file>`` (e.g.
    ``parking/spaces.html``) and may extend ``base.html``. Not firstresult. Global."""


@hookspec
def static_folder() -> Any:
    """Called once when the plugin is loaded; returns the folder (a path) served at
    ``/static/p/<plugin>/``. Not firstresult. Global."""


@hookspec
def locale_folder() -> Any:
    """Called once when the plugin is loaded; returns the folder holding
    ``<language>/LC_MESSAGES/<plugin>.po`` for ``zh_Hans`` and ``en``; its messages are looked
    up after core's, in templates and in ``core.sdk.Message``. Not firstresult. Global."""


@hookspec
def jobs() -> Any:
    """Called once when the plugin is loaded; returns the functions the plugin declared
    with ``plugin.job(…)`` and ``plugin.cron(…)``. A per-tenant cron job runs once per
    district that has the plugin enabled; a job queued for a district that has since
    disabled it is skipped. Not firstresult. Global."""


@hookspec
def event_handlers() -> Any:
    """Called once when the plugin is loaded; returns the functions the plugin declared
    with ``plugin.handles(event)``. They run after commit, at least once, only in districts
    that have the plugin enabled when the event is emitted and when it is delivered. Not
    firstresult. Global."""


# What a plugin does in one district (tenant-scoped) ----------------------------------------
#
# The host calls these only for plugins the district has enabled (and not degraded), one
# plugin at a time: an exception is logged with the district and the plugin, counted, and
# the rest of the page is built without that plugin's part.


@hookspec
def navigation(visit: Any) -> Any:
    """Called for every page of a district (``visit`` is a ``core.sdk.Visit``: the district,
    the signed-in person or None, their roles there, the path); returns a list of
    ``core.sdk.NavEntry`` for the header. Not firstresult. Tenant-scoped."""


@hookspec
def home_tiles(visit: Any) -> Any:
    """Called for the district's home page; returns a list of ``core.sdk.Tile``. Not
    firstresult. Tenant-scoped."""


@hookspec
def console_widgets(visit: Any) -> Any:
    """Called for the console's home page (``visit.roles`` holds a console role); returns a
    list of ``core.sdk.Widget`` (a title and a template with its context, or text). May be
    ``async``. Not firstresult. Tenant-scoped."""


@hookspec(firstresult=True)
def feedback_party(scope: Any, category: str, submission: Any, person_id: int) -> Any:
    """Called when an item of one of the plugin's categories is submitted and the
    category's first party is one of the plugin's responsible-party types (``category`` is
    its key, ``submission`` what the resident gave: community_id, grid_id, place…, and
    ``person_id`` whose item it is: e.g. the owner of a flat). Returns
    ``(party_type, party_id)``, e.g. the property firm serving that compound, or None to
    let core climb to the community. May be ``async``. firstresult, called only on the
    plugin that owns the category. Tenant-scoped."""


@hookspec
def export_tenant(scope: Any) -> Any:
    """Called when a district's data is exported; returns ``{section: json_value}`` of what
    the plugin holds for that district (enabled or not: disabling keeps the data). May be
    ``async``. Not firstresult. Tenant-scoped."""


@hookspec(firstresult=True)
def erase_sensitive_data(scope: Any, kind: str, before: Any) -> Any:
    """Called by the nightly retention job, in each district, for each kind of sensitive data
    the plugin's manifest declares (``[[sensitive_data]]``) that the district keeps for a
    limited time: erase the kind's sealed values older than ``before`` (a timezone-aware
    time), usually with ``plugin.erase_sealed``, and return how many were erased (values
    already erased are not counted again). Called whether or not the district has the plugin
    enabled, as disabling keeps the data. May be ``async``. firstresult, called only on the
    plugin that declares the kind. Tenant-scoped."""


@hookspec
def demo_data(scope: Any, slug: str) -> None:
    """Called by ``gongzhi demo`` after core's demo data, for each district that has the
    plugin enabled; writes a little realistic data. May be ``async``. Tenant-scoped."""
