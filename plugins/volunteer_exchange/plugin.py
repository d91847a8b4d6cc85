"""The plugin's hook implementations. The entry point ``gongzhi.plugins: volunteer_exchange``
(in Gongzhi's own pyproject.toml) names this module; ``manifest.toml`` declares the rest."""

from __future__ import annotations

from pathlib import Path

from core.sdk import hookimpl

from plugins.volunteer_exchange.jobs import check_the_books

HERE = Path(__file__).resolve().parent


@hookimpl
def piccolo_apps() -> list[str]:
    return ["plugins.volunteer_exchange.piccolo_app"]


@hookimpl
def locale_folder() -> Path:
    return HERE / "locales"


@hookimpl
def jobs() -> list:
    return [check_the_books]
