"""The Jinja2 environment of every page: autoescaped, translated through the catalogues."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from core import clock, i18n
from core.web.security import csp_nonce

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "pwa" / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "pwa" / "static"


def _format_datetime(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if moment is None else clock.local(moment).strftime(fmt)


def _current_actor(request):
    """The signed-in person of a request, for templates (None when nobody is)."""
    return request.scope.get("state", {}).get("actor") if request is not None else None


def _inbox_unread(request) -> int:
    """The signed-in person's unread messages in the request's district (0 when not counted)."""
    return request.scope.get("state", {}).get("inbox_unread", 0) if request is not None else 0


def _elderly_mode(request) -> bool:
    """Elderly mode is on in this browser (set from the account, or by the switch)."""
    if request is None:
        return False
    return request.cookies.get("gongzhi_elderly") == "1"


def _plugin_templates() -> PrefixLoader:
    """Each plugin's templates under its name (``parking/spaces.html``)."""
    from core.plugins.host import host

    return PrefixLoader({name: FileSystemLoader(str(folder)) for name, folder in host().template_folders().items()})


def _plugin_navigation(request) -> list:
    return request.scope.get("state", {}).get("plugin_nav", []) if request is not None else []


@cache
def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES_DIR)), _plugin_templates()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message, **params: i18n.gettext(message, **params),
        ngettext=lambda s, p, n, **params: i18n.ngettext(s, p, n, **params),
        newstyle=True,
    )
    env.globals["current_language"] = i18n.current_language
    env.globals["languages"] = i18n.LANGUAGES
    env.globals["current_actor"] = _current_actor
    env.globals["elderly_mode"] = _elderly_mode
    env.globals["inbox_unread"] = _inbox_unread
    env.globals["plugin_navigation"] = _plugin_navigation
    env.globals["csp_nonce"] = lambda request: csp_nonce(request.scope) if request is not None else ""
    from core.web.static import static_url

    env.globals["static_url"] = static_url
    env.filters["datetime"] = _format_datetime
    return env
