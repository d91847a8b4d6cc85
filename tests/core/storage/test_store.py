"""The storage interface, on both backends: files come back as stored, stay in their
district, and no key reaches outside it."""

import dataclasses
import json
import re
import secrets

import pytest

from core import db
from core.config import Settings
from core.errors import NotFound
from core.storage import store
from core.storage.database import DatabaseStore, StoredFile
from core.storage.filesystem import FilesystemStore
from core.tenancy import TenantScope, without_application_filter

PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@pytest.fixture
def fs_settings(tmp_path):
    return dataclasses.replace(Settings.from_env(), var_dir=tmp_path, storage="filesystem")


@pytest.fixture(params=["filesystem", "database"])
def backend(request, fs_settings, database):
    """Each backend in turn: the filesystem under a fresh var/, and this run's database."""
    return store.store_for(dataclasses.replace(fs_settings, storage=request.param))


class Untouchable:
    """A backend that fails the test when it is asked anything."""

    async def write(self, scope, file):
        raise AssertionError("the backend was asked to write")

    async def read(self, scope, key):
        raise AssertionError(f"the backend was asked for {key!r}")

    async def remove(self, scope, key):
        raise AssertionError(f"the backend was asked to remove {key!r}")


# Choosing the backend ---------------------------------------------------------------------


def test_the_backend_follows_the_setting(fs_settings):
    assert isinstance(store.store_for(fs_settings), FilesystemStore)
    assert store.store_for(fs_settings).root == (fs_settings.var_dir / "storage").resolve()
    assert isinstance(store.store_for(dataclasses.replace(fs_settings, storage="database")), DatabaseStore)


def test_the_setting_defaults_to_the_database_on_postgresql(monkeypatch):
    monkeypatch.delenv("GONGZHI_STORAGE", raising=False)
    monkeypatch.setenv("GONGZHI_DATABASE_URL", "sqlite:////tmp/gongzhi.sqlite3")
    assert Settings.from_env().storage == "filesystem"
    monkeypatch.setenv("GONGZHI_DATABASE_URL", "postgresql://app@db/gongzhi")
    assert Settings.from_env().storage == "database"
    monkeypatch.setenv("GONGZHI_STORAGE", "filesystem")
    assert Settings.from_env().storage == "filesystem"
    monkeypatch.setenv("GONGZHI_STORAGE", "s3")
    with pytest.raises(ValueError, match="GONGZHI_STORAGE"):
        Settings.from_env()


# Both backends ---------------------------------------------------------------------------


async def test_a_file_comes_back_as_stored(backend, tenant):
    scope = TenantScope(tenant.id)
    key = await store.put(scope, "notices", PDF_BYTES, content_type="application/pdf",
                          filename="2026年11月财务公开.pdf", store=backend)
    assert re.fullmatch(rf"t{tenant.id}/notices/[0-9a-f]{{32}}", key)
    file = await store.get(scope, key, store=backend)
    assert file == store.StoredFile(key=key, content_type="application/pdf", size=len(PDF_BYTES),
                                    data=PDF_BYTES, filename="2026年11月财务公开.pdf")
    assert isinstance(file.data, bytes)


async def test_empty_and_binary_files_round_trip(backend, tenant):
    scope = TenantScope(tenant.id)
    for data in (b"", b"\x00" * 10, secrets.token_bytes(200_000)):
        key = await store.put(scope, "exports", data, content_type="application/octet-stream",
                              filename="x.bin", store=backend)
        assert (await store.get(scope, key, store=backend)).data == data


async def test_a_deleted_file_is_gone_and_deleting_again_is_harmless(backend, tenant):
    scope = TenantScope(tenant.id)
    key = await store.put(scope, "photos", b"\x89PNG\r\n\x1a\n....", content_type="image/png",
                          filename="照片.png", store=backend)
    kept = await store.put(scope, "photos", b"GIF89a....", content_type="image/gif", filename="a.gif",
                           store=backend)
    await store.delete(scope, key, store=backend)
    with pytest.raises(NotFound):
        await store.get(scope, key, store=backend)
    await store.delete(scope, key, store=backend)
    assert (await store.get(scope, kept, store=backend)).filename == "a.gif"


async def test_another_districts_file_is_not_found(backend, tenant, other_tenant):
    mine, theirs = TenantScope(tenant.id), TenantScope(other_tenant.id)
    key = await store.put(mine, "notices", PDF_BYTES, content_type="application/pdf", filename="a.pdf",
                          store=backend)
    with pytest.raises(NotFound):
        await store.get(theirs, key, store=backend)
    with pytest.raises(NotFound):
        await store.delete(theirs, key, store=backend)
    # The same random part under their own prefix is not the file either.
    with pytest.raises(NotFound):
        await store.get(theirs, f"t{other_tenant.id}/" + key.split("/", 1)[1], store=backend)
    # Nor does the backend, asked directly, hand it over.
    with pytest.raises(NotFound):
        await backend.read(theirs, key)
    assert (await store.get(mine, key, store=backend)).data == PDF_BYTES


async def test_a_thousand_puts_make_a_thousand_keys(backend, tenant):
    scope = TenantScope(tenant.id)
    keys = [await store.put(scope, "photos", b"%d" % n, content_type="text/plain", filename=f"{n}.txt",
                            store=backend) for n in range(1000)]
    assert len(set(keys)) == 1000
    assert (await store.get(scope, keys[737], store=backend)).data == b"737"


async def test_a_name_is_kept_for_showing_only(backend, tenant):
    scope = TenantScope(tenant.id)
    key = await store.put(scope, "notices", b"x", content_type="text/plain",
                          filename="..\\..//etc/pass\x00wd", store=backend)
    assert (await store.get(scope, key, store=backend)).filename == "passwd"
    long_name = "公" * 400 + ".pdf"
    key = await store.put(scope, "notices", b"x", content_type="text/plain", filename=long_name, store=backend)
    name = (await store.get(scope, key, store=backend)).filename
    assert len(name) == store.FILENAME_MAX_LENGTH and name.endswith("公.pdf")


async def test_the_default_backend_comes_from_the_environment(tenant):
    scope = TenantScope(tenant.id)
    key = await store.put(scope, "logos", b"\xff\xd8\xff\xe0", content_type="image/jpeg", filename="logo.jpg")
    assert (await store.get(scope, key)).content_type == "image/jpeg"
    expected = "filesystem" if db.is_sqlite() else "database"
    assert Settings.from_env().storage == expected
    await store.delete(scope, key)


# Keys ------------------------------------------------------------------------------------

_WELL_FORMED = "0123456789abcdef0123456789abcdef"


def _crafted_keys(tenant_id: int) -> list:
    t = f"t{tenant_id}"
    return [
        "", None, 12, f"{t}", f"{t}/", f"{t}/notices", f"{t}/notices/", f"/{t}/notices/{_WELL_FORMED}",
        f"{t}/../t999/notices/{_WELL_FORMED}", f"{t}/notices/../../../etc/passwd",
        f"{t}/notices/../{_WELL_FORMED}", f"{t}/notices/{_WELL_FORMED}/..", f"{t}/notices/..",
        f"{t}/notices\\..\\..\\{_WELL_FORMED}", f"{t}\\notices\\{_WELL_FORMED}",
        f"{t}/Notices/{_WELL_FORMED}", f"{t}/notices/{_WELL_FORMED.upper()}",
        f"{t}/notices/{_WELL_FORMED}.json", f"{t}/notices/{_WELL_FORMED}x", f"{t}/notices/{_WELL_FORMED[:-1]}",
        f"{t}//{_WELL_FORMED}", f"{t}/notices//{_WELL_FORMED}", f"{t}/a/b/{_WELL_FORMED}",
        f"{t}/notices/{_WELL_FORMED}\n", f"{t}/notices/{_WELL_FORMED}\x00", f"{t}0/notices/{_WELL_FORMED}",
        f"t0{tenant_id}/notices/{_WELL_FORMED}", f"{t}/noti ces/{_WELL_FORMED}", f"{t}/通知/{_WELL_FORMED}",
        f"t{tenant_id + 1}/notices/{_WELL_FORMED}",
    ]


async def test_a_crafted_key_never_reaches_a_backend(tmp_path):
    scope = TenantScope(7)
    for key in _crafted_keys(7):
        with pytest.raises(NotFound):
            await store.get(scope, key, store=Untouchable())
        with pytest.raises(NotFound):
            await store.delete(scope, key, store=Untouchable())
    with pytest.raises(NotFound):  # well formed, but absent: the backend is asked, and says so
        await store.get(scope, f"t7/notices/{_WELL_FORMED}", store=FilesystemStore(tmp_path))


async def test_namespaces_and_content_types_are_checked():
    scope = TenantScope(7)
    for namespace in ("", "Notices", "a/b", "..", "a.b", "通知", "x" * 41, None):
        with pytest.raises(ValueError):
            await store.put(scope, namespace, b"x", content_type="text/plain", filename="x", store=Untouchable())
    for content_type in ("", "pdf", "text/plain\r\nX-Evil: 1", "a/" + "b" * 100, None):
        with pytest.raises(ValueError):
            await store.put(scope, "notices", b"x", content_type=content_type, filename="x", store=Untouchable())
    with pytest.raises(TypeError):
        await store.put(scope, "notices", "text", content_type="text/plain", filename="x", store=Untouchable())


# The filesystem --------------------------------------------------------------------------


async def test_files_live_in_their_districts_folder_beside_a_sidecar(fs_settings, tenant):
    backend = store.store_for(fs_settings)
    key = await store.put(TenantScope(tenant.id), "notices", PDF_BYTES, content_type="application/pdf",
                          filename="公开.pdf", store=backend)
    name = key.rsplit("/", 1)[1]
    path = fs_settings.var_dir / "storage" / f"t{tenant.id}" / "notices" / name[:2] / name
    assert path.read_bytes() == PDF_BYTES
    assert json.loads(path.with_name(name + ".json").read_text(encoding="utf-8")) == {
        "content_type": "application/pdf", "filename": "公开.pdf"}
    assert sorted(p.name for p in path.parent.iterdir()) == [name, name + ".json"]  # no temporary left
    await store.delete(TenantScope(tenant.id), key, store=backend)
    assert list(path.parent.iterdir()) == []


async def test_a_crafted_key_cannot_leave_the_storage_root(fs_settings, tenant, other_tenant):
    backend = store.store_for(fs_settings)
    scope = TenantScope(tenant.id)
    secret = fs_settings.var_dir / "secret"
    secret.write_bytes(b"master key")
    theirs = await store.put(TenantScope(other_tenant.id), "notices", b"theirs", content_type="text/plain",
                             filename="x", store=backend)
    t = f"t{tenant.id}"
    for key in [*_crafted_keys(tenant.id), f"{t}/../secret", f"{t}/notices/../../../secret",
                f"{t}/../t{other_tenant.id}/" + theirs.split("/", 1)[1], f"{t}/./notices/{_WELL_FORMED}"]:
        for call in (lambda: store.get(scope, key, store=backend), lambda: backend.read(scope, key),
                     lambda: backend.remove(scope, key)):
            with pytest.raises(NotFound):
                await call()
    assert secret.read_bytes() == b"master key"
    assert (await store.get(TenantScope(other_tenant.id), theirs, store=backend)).data == b"theirs"


async def test_a_link_out_of_the_storage_root_is_not_followed(fs_settings, tenant):
    backend = store.store_for(fs_settings)
    scope = TenantScope(tenant.id)
    outside = fs_settings.var_dir / "elsewhere"
    (outside / "notices" / _WELL_FORMED[:2]).mkdir(parents=True)
    (outside / "notices" / _WELL_FORMED[:2] / _WELL_FORMED).write_bytes(b"outside")
    (outside / "notices" / _WELL_FORMED[:2] / f"{_WELL_FORMED}.json").write_text(
        '{"content_type": "text/plain", "filename": "x"}')
    (fs_settings.var_dir / "storage").mkdir()
    (fs_settings.var_dir / "storage" / f"t{tenant.id}").symlink_to(outside, target_is_directory=True)
    with pytest.raises(NotFound):
        await store.get(scope, f"t{tenant.id}/notices/{_WELL_FORMED}", store=backend)
    with pytest.raises(NotFound):
        await store.put(scope, "notices", b"x", content_type="text/plain", filename="x", store=backend)


# The database ----------------------------------------------------------------------------


@pytest.mark.postgres
async def test_row_level_security_alone_hides_another_districts_file(tenant, other_tenant):
    backend = DatabaseStore()
    key = await store.put(TenantScope(tenant.id), "notices", b"ours", content_type="text/plain",
                          filename="x", store=backend)
    with without_application_filter():
        assert await TenantScope(other_tenant.id).select(StoredFile).where(StoredFile.key == key) == []
        assert len(await TenantScope(tenant.id).select(StoredFile).where(StoredFile.key == key)) == 1
