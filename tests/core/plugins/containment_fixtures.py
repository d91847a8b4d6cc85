"""Fixtures for the fault-isolation tests: the broken plugin and the steady one loaded into
the process's host for one test, and an app made after them, so that their routes are
mounted and their templates found.

Import them into a test module: ``from tests.core.plugins.containment_fixtures import app, plugins``.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from core.tenancy import TenantScope

MODULES = ("tests.core.plugins.broken_plugin.plugin", "tests.core.plugins.steady_plugin.plugin")


@pytest.fixture
def plugins():
    """``.broken`` and ``.steady``, the plugins' modules, installed for this test: broken fails
    everywhere, steady has run nowhere. The template environment is made once per process
    with the plugins loaded then, so it is made again on both sides, like each district's
    cached plugins (district ids start again in every test)."""
    from core.plugins import enablement
    from core.plugins.host import host
    from core.templating import environment

    broken, steady = (importlib.import_module(name) for name in MODULES)
    broken.FAILING.clear()
    broken.FAILING.update(broken.PLACES)
    steady.RAN.clear()
    host().add(broken)
    try:
        host().add(steady)
    except Exception:
        host().remove("broken")
        raise
    enablement.forget_cache()
    environment.cache_clear()
    yield SimpleNamespace(broken=broken, steady=steady)
    host().remove("broken")
    host().remove("steady")
    enablement.forget_cache()
    environment.cache_clear()


@pytest.fixture
async def app(database, plugins):
    """The app, made once both plugins are installed (routes are mounted when it is made)."""
    from core.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env())


async def enable(tenant, *names: str) -> None:
    """Enable these plugins in the district, as its admin would."""
    from core.plugins import enablement

    for name in names:
        await enablement.set_enabled(TenantScope(tenant.id), name, True, actor_id=None)


async def enablement_of(tenant, name: str):
    """The district's row for the plugin: its state, failures and last error."""
    from core.plugins.tables import PluginEnablement

    return await TenantScope(tenant.id).objects(PluginEnablement).where(PluginEnablement.plugin == name).first()
