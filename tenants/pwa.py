"""A district's installable web app: its manifest and its service worker.

Each district is its own app, at ``/t/{slug}/`` (start URL and scope alike), named after the
district, in its theme colour, with icons made from its logo (``tenants.logo``). The service
worker (``pwa/templates/tenant/sw.js``) is rendered per district with a version made of the
static files' hashes, the worker's own text and the release, so that a new release installs a
new worker whose caches replace the old ones.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata

from core.config import Settings
from core.templating import environment
from core.web import static
from tenants import logo
from tenants.resolution import ResolvedTenant

SHORT_NAME_MAX = 12
# The app shell the worker precaches: the static files every district page uses.
SHELL = ("css/app.css", "css/elderly.css", "js/app.js", "js/queue.js", "js/offline.js", "js/notify.js")
# Pages (after /t/{slug}/) the worker keeps as they are read, to be read again without a
# connection: the home page, notices, the resident's feedback form and list. "" is the home page;
# a trailing "*" keeps everything under the path.
KEPT_FOR_OFFLINE = ("", "notices", "notices/*", "feedback", "feedback/new", "help")
# Paths under the district (after /t/{slug}/) whose responses no cache may keep: the console,
# and the plugins that hold health and legal matters. Any response marked private or
# no-store is never kept either, whatever its path.
NEVER_CACHED = ("console/", "p/legal_aid/", "p/mental_health/")
WORKER_TEMPLATE = "tenant/sw.js"
BACKGROUND = "#ffffff"


def short_name(tenant: ResolvedTenant) -> str:
    """What a home screen shows under the icon: the district's own name (秦都区, without 陕西省
    or 咸阳市 before it), cut to 12 characters."""
    name = (tenant.name or tenant.display_name).strip()
    for prefix in (tenant.province, tenant.city):
        if prefix and name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
    return name[:SHORT_NAME_MAX]


def home(tenant: ResolvedTenant) -> str:
    return f"/t/{tenant.slug}/"


def icon_url(tenant: ResolvedTenant, name: str) -> str:
    return f"/t/{tenant.slug}/icons/{name}?v={logo.icons_version(tenant)}"


def manifest(tenant: ResolvedTenant) -> dict:
    """The district's web app manifest (W3C Web Application Manifest)."""
    icons = [{"src": icon_url(tenant, name), "sizes": f"{size}x{size}", "type": "image/png",
              "purpose": "maskable" if maskable else "any"}
             for name, (size, maskable) in logo.icon_names().items()]
    return {
        "id": home(tenant),
        "name": tenant.display_name,
        "short_name": short_name(tenant),
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": home(tenant),
        "scope": home(tenant),
        "display": "standalone",
        "theme_color": tenant.theme_colour or logo.DEFAULT_THEME,
        "background_color": BACKGROUND,
        "icons": icons,
    }


@cache
def _worker_source() -> str:
    return (environment().loader.get_source(environment(), WORKER_TEMPLATE)[0])  # type: ignore[union-attr]


def release(settings: Settings) -> str:
    """What this deployment runs: ``GONGZHI_RELEASE``, else Gongzhi's own version."""
    return settings.release or metadata.version("gongzhi")


def worker_version(settings: Settings) -> str:
    """Changes with any static file, with the worker's own text and with the release (which
    carries what else the shell holds: the offline page's template and translations)."""
    basis = f"{static.version()}|{_worker_source()}|{release(settings)}"
    return hashlib.sha256(basis.encode()).hexdigest()[:12]


def worker(settings: Settings, tenant: ResolvedTenant) -> str:
    """The district's service worker, as JavaScript."""
    return environment().get_template(WORKER_TEMPLATE).render(
        slug=tenant.slug,
        scope=home(tenant),
        version=worker_version(settings),
        shell=[static.static_url(path) for path in SHELL] + [f"/t/{tenant.slug}/offline"],
        offline=f"/t/{tenant.slug}/offline",
        never_cached=[f"/t/{tenant.slug}/{path}" for path in NEVER_CACHED],
        kept=[f"/t/{tenant.slug}/{path}" for path in KEPT_FOR_OFFLINE],
        queue_script=static.static_url("js/queue.js"),
        notify_script=static.static_url("js/notify.js"),
        name=tenant.display_name,
        icon=icon_url(tenant, "192.png"),
    )
