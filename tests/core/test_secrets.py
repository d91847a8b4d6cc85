import stat
from dataclasses import replace

import pytest

from core import secrets
from core.config import Settings


def _settings(tmp_path, key_file=None):
    return replace(Settings.from_env(), var_dir=tmp_path, master_key_file=key_file)


def test_the_embedded_master_key_is_made_once_and_private(tmp_path):
    settings = _settings(tmp_path)
    first = secrets.master_key(settings)
    assert len(first) == secrets.KEY_BYTES
    path = tmp_path / "master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secrets.master_key(settings) == first


def test_a_configured_key_file_must_exist(tmp_path):
    with pytest.raises(secrets.MasterKeyMissing):
        secrets.master_key(_settings(tmp_path, tmp_path / "nowhere.key"))
    short = tmp_path / "short.key"
    short.write_bytes(b"too short")
    with pytest.raises(secrets.MasterKeyMissing):
        secrets.master_key(_settings(tmp_path, short))


def test_derived_keys_differ_by_purpose_and_by_master_key(tmp_path):
    settings = _settings(tmp_path)
    assert secrets.derived_key(settings, "csrf") != secrets.derived_key(settings, "other")
    assert secrets.derived_key(settings, "csrf") == secrets.derived_key(settings, "csrf")
    elsewhere = tmp_path / "b"
    assert secrets.derived_key(_settings(elsewhere), "csrf") != secrets.derived_key(settings, "csrf")


def test_the_key_file_is_read_once_per_process_until_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "master.key"
    path.write_bytes(b"a" * secrets.KEY_BYTES)
    settings = _settings(tmp_path, path)
    reads = []
    read_bytes = type(path).read_bytes
    monkeypatch.setattr(type(path), "read_bytes", lambda self: reads.append(self) or read_bytes(self))
    for _ in range(3):
        assert secrets.master_key(settings) == b"a" * secrets.KEY_BYTES
    assert len(reads) == 1
    # A new key put in place (a rotation) is read at the next use, without a restart.
    replacement = tmp_path / "next.key"
    replacement.write_bytes(b"b" * secrets.KEY_BYTES)
    replacement.replace(path)
    assert secrets.master_key(settings) == b"b" * secrets.KEY_BYTES
    assert len(reads) == 2
