"""A plugin reaches across districts only through the platform operations its manifest names,
each registered with core's list, run in platform scope and audited."""

from __future__ import annotations

import importlib

import pytest

from core import platform_scope
from core.audit.tables import AuditEntry
from core.plugins.host import host
from core.sdk import CapabilityError


@pytest.fixture
def province(database):
    module = importlib.import_module("tests.core.plugins.province_plugin.plugin")
    host().add(module)
    yield module
    host().remove("province")


async def test_a_named_operation_runs_and_is_audited(province):
    assert "province.districts_counted" in platform_scope.OPERATIONS
    assert await province.districts_counted(41) == 42
    entry = await AuditEntry.objects().where(AuditEntry.action == "platform.operation").first()
    assert entry is not None and entry.target == "province.districts_counted"


async def test_an_operation_the_manifest_does_not_name_is_refused(province):
    with pytest.raises(CapabilityError, match="undeclared"):
        await province.undeclared()
    assert await AuditEntry.count().where(AuditEntry.action == "platform.operation") == 0
