"""Fixtures for the host's own tests: the sample plugin (``sample_plugin/``) loaded into the
process's host for one test, and an app made after it, so that its routes are mounted.

Import them into a test module: ``from tests.core.plugins.sample_fixtures import app, sample``.
"""

from __future__ import annotations

import importlib

import pytest

SAMPLE_MODULE = "tests.core.plugins.sample_plugin.plugin"


@pytest.fixture
def sample():
    """The sample plugin, installed for this test and removed after it. Each process caches
    a district's plugins under its revision; district ids start again in every test, so the
    cache is forgotten on both sides."""
    from core.plugins import enablement
    from core.plugins.host import host

    loaded = host().add(importlib.import_module(SAMPLE_MODULE))
    enablement.forget_cache()
    yield loaded
    host().remove("sample")
    enablement.forget_cache()


@pytest.fixture
async def app(database, sample):
    """The app, made once the sample plugin is installed (routes are mounted when it is made)."""
    from core.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env())
