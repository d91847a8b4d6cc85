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


def test_a_key_ring_holds_several_keys_current_first_and_keeps_the_derivation_secret(tmp_path):
    path = tmp_path / "master.key"
    path.write_bytes(b"a" * secrets.KEY_BYTES)
    settings = _settings(tmp_path, path)
    derived = secrets.derived_key(settings, "totp")
    single = secrets.key_ring(settings)
    assert single.keys == (b"a" * secrets.KEY_BYTES,) and single.derive == b"a" * secrets.KEY_BYTES

    ring = secrets.KeyRing((b"b" * secrets.KEY_BYTES, b"a" * secrets.KEY_BYTES), single.derive)
    secrets.write_ring(path, ring)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secrets.key_ring(settings) == ring  # read again: the file changed
    assert secrets.master_key(settings) == b"b" * secrets.KEY_BYTES
    assert secrets.key_ring(settings).current_id == secrets.key_id(b"b" * secrets.KEY_BYTES) != secrets.key_id(
        b"a" * secrets.KEY_BYTES)
    # Rotating the wrapping keys leaves what is derived for one purpose as it was.
    assert secrets.derived_key(settings, "totp") == derived


def test_a_damaged_key_ring_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "master.key"
    path.write_bytes(secrets.RING_HEADER + b"\nkey not-base64!\n")
    with pytest.raises(secrets.MasterKeyMissing, match="line 2"):
        secrets.key_ring(_settings(tmp_path, path))
    path.write_bytes(secrets.RING_HEADER + b"\n# nothing here\n")
    with pytest.raises(secrets.MasterKeyMissing, match="holds no key"):
        secrets.key_ring(_settings(tmp_path, path))
