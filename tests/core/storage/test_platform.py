"""Platform files (core.storage.platform): kept and read back by a key made here; anything not
of that shape, a district's key included, is NotFound before a backend is asked."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.errors import NotFound
from core.storage import platform


async def test_put_get_delete(database):
    settings = Settings.from_env()
    key = await platform.put(settings, "wheels", b"PK\x03\x04 a wheel")
    assert key.startswith("platform/wheels/") and len(key.rsplit("/", 1)[1]) == 32
    assert await platform.get(settings, key) == b"PK\x03\x04 a wheel"
    await platform.delete(settings, key)
    await platform.delete(settings, key)  # again: harmless
    with pytest.raises(NotFound):
        await platform.get(settings, key)


@pytest.mark.parametrize("key", ["t1/wheels/" + "a" * 32, "platform/../" + "a" * 32, "platform/wheels/../../x",
                                 "platform/Wheels/" + "a" * 32, "platform/wheels/" + "a" * 31, "", None])
async def test_keys_not_made_here_are_not_found(database, key):
    settings = Settings.from_env()
    for operation in (platform.get, platform.delete):
        with pytest.raises(NotFound):
            await operation(settings, key)


def test_a_namespace_is_checked():
    with pytest.raises(ValueError):
        platform.new_key("../etc")
