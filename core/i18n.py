"""Languages: the translation catalogues in ``pwa/locales`` and the request's language.

Catalogues are gettext ``.po`` files, compiled in memory when first used, so there is no
build step and nothing generated is kept. Message ids are English; ``zh-Hans`` is the
default language of the UI.
"""

from __future__ import annotations

import contextvars
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "pwa" / "locales"

DEFAULT_LANGUAGE = "zh-Hans"
LANGUAGES = ("zh-Hans", "en")
# Folder names of the catalogues (gettext spells the script with an underscore).
_CATALOGUE_DIRS = {"zh-Hans": "zh_Hans", "en": "en"}

_language: contextvars.ContextVar[str] = contextvars.ContextVar("gongzhi_language", default=DEFAULT_LANGUAGE)


def catalogue_path(language: str, domain: str = "messages") -> Path:
    return LOCALES_DIR / _CATALOGUE_DIRS[language] / "LC_MESSAGES" / f"{domain}.po"


# Plugins' catalogues (plugin name → its locale folder), looked up after core's.
_PLUGIN_CATALOGUES: dict[str, Path] = {}


def _compiled(path: Path, language: str) -> Translations:
    with path.open("rb") as po:
        catalogue = read_po(po, locale=_CATALOGUE_DIRS[language])
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(fp=buffer)


# The plugin whose page is being made (None elsewhere): its own catalogue answers before the
# other plugins', so that two plugins may translate one word differently.
_plugin: contextvars.ContextVar[str | None] = contextvars.ContextVar("gongzhi_plugin", default=None)


@cache
def translations(language: str, plugin: str | None = None) -> Translations:
    """The compiled catalogue of ``language`` (empty for a language with no catalogue),
    with the plugins' catalogues behind it: ``plugin``'s first, then the others by name."""
    path = catalogue_path(language)
    merged = _compiled(path, language) if path.exists() else Translations()
    for name, folder in sorted(_PLUGIN_CATALOGUES.items(), key=lambda item: (item[0] != plugin, item[0])):
        plugin_path = folder / _CATALOGUE_DIRS[language] / "LC_MESSAGES" / f"{name}.po"
        if plugin_path.exists():
            merged.add_fallback(_compiled(plugin_path, language))
    return merged


def set_plugin(plugin: str | None) -> contextvars.Token:
    """Translate for ``plugin``'s pages (its catalogue before the other plugins')."""
    return _plugin.set(plugin)


def reset_plugin(token: contextvars.Token) -> None:
    _plugin.reset(token)


def add_catalogues(plugin: str, folder: Path) -> None:
    """A plugin's ``<language>/LC_MESSAGES/<plugin>.po`` catalogues, consulted after core's."""
    _PLUGIN_CATALOGUES[plugin] = Path(folder)
    translations.cache_clear()


def remove_catalogues(plugin: str) -> None:
    if _PLUGIN_CATALOGUES.pop(plugin, None) is not None:
        translations.cache_clear()


def current_language() -> str:
    return _language.get()


def set_language(language: str) -> contextvars.Token:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return _language.set(language)


def reset_language(token: contextvars.Token) -> None:
    _language.reset(token)


def gettext(message: str, **params: Any) -> str:
    if not isinstance(message, str):  # a plugin's text in both languages
        return str(message)
    text = translations(current_language(), _plugin.get()).gettext(message)
    return text % params if params else text


def translate(message: "Message", language: str) -> str:
    """``message`` in ``language`` (whatever the current request speaks): for jobs that
    write to a person in their own language."""
    text = translations(language if language in LANGUAGES else DEFAULT_LANGUAGE).gettext(message.msgid)
    return text % message.params if message.params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language(), _plugin.get()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is translated later (e.g. in a table)."""
    return message


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an ``Accept-Language`` header (zh-Hans when unsure)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for negative_quality, _position, tag in sorted(ranked):
        if negative_quality >= 0:
            continue
        if tag == "zh" or tag.startswith("zh-"):
            if tag in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") or tag.startswith("zh-hant"):
                continue  # no Traditional Chinese catalogue yet; keep looking
            return "zh-Hans"
        if tag == "en" or tag.startswith("en-"):
            return "en"
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Message:
    """A message to show a person, translated when it is shown (not when it is made)."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return gettext(self.msgid, **self.params)
