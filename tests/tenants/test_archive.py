"""A district's back-up and restore: ``gongzhi tenant export`` writes everything the district owns
to one passphrase-encrypted archive, and ``gongzhi tenant import`` recreates it, with the same ids
and data, on another instance (another database, var/ folder and master key), where its sealed
data opens through the normal read paths. Run as a person runs it: the commands in subprocesses."""

from __future__ import annotations

import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from core import clock, platform_scope
from core.accounts import services as accounts, totp
from core.accounts.tables import Person
from core.config import Settings
from core.feedback import categories, photos, services as feedback
from core.notices import attachments, catalogue as notice_catalogue, services as notices
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.legal_aid import consultations, people
from tenants import archive
from tenants.tables import Community, Street
from tests.services import TEST_APP_ROLE, TEST_DB, TEST_OWNER_ROLE, admin_database_url, database_url_as

GONGZHI = [sys.executable, "-m", "core.cli"]
PASSPHRASE = "秦都区 back-up, 2026 winter"
PRIVATE_TEXT = "家中老人独居，需要上门照护。"
LEGAL_TEXT = "工地老板拖欠三个月工资，共一万二千元。"
LEGAL_DOCUMENT = "%PDF-1.4 欠条：欠款一万二千元".encode()
NOTICE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((320, 240)).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
async def district(tenant, make_person):
    """qindu with real data made through the services: streets and a community, a resident,
    staff, a published notice with a PDF, a private (sealed) feedback item with a photo, legal
    aid enabled with a consultation and its (sealed) document, and a member with TOTP on."""
    settings = Settings.from_env()
    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    resident = await make_person("刘芳", "13900000021")
    staff = await make_person("李秀英", "13900000011")
    admin = await make_person("王建华", "13900000001")
    await accounts.add_membership(scope, resident.id, ["resident"], "community", community.id)
    await accounts.add_membership(scope, staff.id, ["staff"], "community", community.id)
    await accounts.add_membership(scope, admin.id, ["district_admin"])
    await Person.update({Person.totp_secret: totp.encrypt(settings, TOTP_SECRET, admin.id),
                         Person.totp_enabled_at: clock.now()}).where(Person.id == admin.id)
    await make_person("旁人", "13900000099")  # a person of the platform with nothing in qindu

    await notice_catalogue.ensure_standard(scope)
    category = (await notice_catalogue.categories(scope))[0]
    notice = await notices.create(scope, await notices.clean(scope, {
        "title": "2026年11月财务公开", "body": "本月收入 12,000 元。", "category": str(category.id),
        "audience": "district"}), author_id=staff.id)
    async with scope.transaction(write=True):
        await attachments.attach(settings, scope, notice.id,
                                 attachments.check([attachments.Upload("收支明细.pdf", NOTICE_PDF)], already=0))

    await categories.ensure_registered(scope)
    family = next(c for c in await categories.enabled(scope) if c.key == "family")
    assert family.private
    submission = await feedback.clean(scope, {"category": str(family.id), "description": PRIVATE_TEXT},
                                      person_id=resident.id)
    item, _new = await feedback.submit(settings, scope, tenant.slug, resident.id, submission,
                                       idempotency_key="archive-key-1",
                                       photos=await photos.prepare([("楼道.jpg", _jpeg())]))

    await enablement.set_enabled(scope, "legal_aid", True, actor_id=admin.id)
    adviser = await make_person("王律", "13800000121")
    await accounts.add_membership(scope, adviser.id, [people.ADVISER])
    office = await people.add_office(scope, None, {"name": "秦都区法律服务所", "kind": "legal_service",
                                                    "phone": "029-33210000"})
    await people.add_adviser(scope, None, {"phone": adviser.phone, "kind": "adviser", "office": str(office.id),
                                           "area_wages": "1", "area_neighbours": "1", "area_family": "1",
                                           "area_other": "1"})
    consultation, _new = await consultations.ask(
        scope, tenant.slug, resident.id,
        {"matter": "wages", "description": LEGAL_TEXT, "idempotency_key": "archive-legal-1"},
        [("欠条.pdf", "application/pdf", LEGAL_DOCUMENT)])
    return {"tenant": tenant, "settings": settings, "resident": resident, "admin": admin, "adviser": adviser,
            "item": item, "consultation": consultation}


# Two instances ----------------------------------------------------------------------------


def _source_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LC_ALL" and k != "LC_MESSAGES"}
    env["LANG"] = "en_US.UTF-8"
    return env


@pytest.fixture
async def target(tmp_path: Path):
    """A second, empty instance: its own database (migrated), var/ folder and master key."""
    var_dir = tmp_path / "target-var"
    key_file = tmp_path / "target-master.key"
    key_file.write_bytes(secrets.token_bytes(32))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_") and k not in ("LC_ALL", "LC_MESSAGES")}
    env.update({"LANG": "en_US.UTF-8", "GONGZHI_VAR_DIR": str(var_dir), "GONGZHI_MASTER_KEY_FILE": str(key_file),
                "GONGZHI_TEST_MODE": "1"})
    name = ""
    if TEST_DB == "postgres":
        import asyncpg

        name = f"gongzhi_archive_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(admin_database_url())
        await admin.execute(f'CREATE DATABASE "{name}" OWNER "{TEST_OWNER_ROLE}"')
        await admin.close()
        env["GONGZHI_DATABASE_URL"] = database_url_as(TEST_APP_ROLE, name)
        env["GONGZHI_DATABASE_OWNER_URL"] = database_url_as(TEST_OWNER_ROLE, name)
    else:
        env["GONGZHI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    migrated = _cli(["migrate"], env)
    assert migrated.returncode == 0, migrated.stderr
    yield {"env": env, "var_dir": var_dir, "name": name}
    if name:
        import asyncpg

        admin = await asyncpg.connect(admin_database_url())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(GONGZHI + args, env=env, capture_output=True, text=True, timeout=180)


class Database:
    """A whole database as the server's admin reads it (Row Level Security hides nothing)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.url = env["GONGZHI_DATABASE_URL"]

    async def query(self, sql: str, *args) -> list[tuple]:
        if self.url.startswith("sqlite:"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                return [tuple(row) for row in connection.execute(sql.replace("$1", "?"), args)]
        import asyncpg
        from urllib.parse import urlparse

        name = urlparse(self.url).path.lstrip("/")
        connection = await asyncpg.connect(admin_database_url().rsplit("/", 1)[0] + f"/{name}")
        try:
            return [tuple(row) for row in await connection.fetch(sql, *args)]
        finally:
            await connection.close()

    async def columns(self, table: str) -> list[str]:
        if self.url.startswith("sqlite:"):
            return [row[1] for row in await self.query(f'PRAGMA table_info("{table}")')]
        return [row[0] for row in await self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 "
            "ORDER BY ordinal_position", table)]

    async def tenant_tables(self) -> list[str]:
        """Every table with a tenant_id column, from the catalogue."""
        if self.url.startswith("sqlite:"):
            names = [row[0] for row in await self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return sorted([n for n in names if "tenant_id" in await self.columns(n)])
        return sorted(row[0] for row in await self.query(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'tenant_id'"))

    async def rows(self, table: str, where: str, *args) -> tuple[list[str], list[tuple]]:
        columns = await self.columns(table)
        listed = ", ".join(f'"{c}"' for c in columns)
        return columns, await self.query(f'SELECT {listed} FROM "{table}" WHERE {where} ORDER BY id', *args)

    async def count(self, table: str) -> int:
        return (await self.query(f'SELECT count(*) FROM "{table}"'))[0][0]


def _files(var_dir: Path, tenant_id: int) -> dict[str, bytes]:
    root = var_dir / "storage" / f"t{tenant_id}"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# What is read on the target, through the app's own read paths, as the app's role.
READ_ON_TARGET = """
import asyncio, json, sys
from core import db
from core.config import Settings

async def main(item_id, consultation_id, resident, adviser, admin):
    settings = Settings.from_env()
    db.configure(settings.database_url)
    await db.start()
    try:
        from core.accounts import totp
        from core.accounts.tables import Person
        from core.feedback import photos, reading
        from core.feedback.tables import FeedbackItem, FeedbackPhoto
        from core.tenancy import TenantScope
        from plugins.legal_aid import consultations
        from tenants.services import get_tenant

        scope = TenantScope((await get_tenant("qindu")).id)
        item = await scope.get(FeedbackItem, item_id)
        shown = await reading.view(settings, scope, item, reader_id=resident, may_read_private=lambda r: False)
        [photo] = await scope.select(FeedbackPhoto, FeedbackPhoto.id).where(FeedbackPhoto.item == item_id)
        _photo, image = await photos.read_photo(settings, scope, item, photo["id"], reader_id=resident,
                                                may_read=lambda r: False)
        found = await consultations.read(scope, resident, consultation_id, "zh-Hans")
        name, _kind, content = await consultations.document(scope, resident, consultation_id,
                                                            found["documents"][0]["id"])
        secret = (await Person.select(Person.totp_secret).where(Person.id == admin).first())["totp_secret"]
        print(json.dumps({"description": str(shown.description), "photo_bytes": len(image),
                          "legal": str(found["item"]["description"]), "document": content.decode(),
                          "document_name": name, "totp": totp.decrypt(settings, secret, admin)}, ensure_ascii=False))
    finally:
        await db.stop()

asyncio.run(main(*map(int, sys.argv[1:])))
"""


# The tests --------------------------------------------------------------------------------


async def test_a_district_travels_whole_to_another_instance(district, target, tmp_path):
    settings, tenant = district["settings"], district["tenant"]
    source = Database(_source_env(tmp_path))
    passphrase_file, wrong_file = tmp_path / "passphrase", tmp_path / "wrong"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    wrong_file.write_text("not the passphrase at all\n", encoding="utf-8")
    out = tmp_path / "qindu.gongzhi"

    exported = _cli(["tenant", "export", "qindu", "--out", str(out), "--passphrase-file", str(passphrase_file)],
                    _source_env(tmp_path))
    assert exported.returncode == 0, exported.stderr
    assert "Exported 咸阳市秦都区 (qindu)" in exported.stdout
    assert (await source.query("SELECT target FROM core_audit_entry WHERE action = 'tenant.exported'")) == [
        ("tenant:qindu",)]

    # The archive holds nothing in clear but its format and key derivation.
    with zipfile.ZipFile(out) as opened:
        manifest = json.loads(opened.read(archive.MANIFEST))
        everything = b"".join(opened.read(name) for name in opened.namelist())
    assert manifest["kdf"]["name"] == "scrypt" and len(manifest["kdf"]["salt"]) >= 20
    for clear in ("13900000021", "刘芳", "财务公开", "北大街社区"):
        assert clear.encode() not in everything
    assert NOTICE_PDF not in everything and LEGAL_DOCUMENT not in everything

    # A wrong passphrase: refused, and nothing written.
    target_db = Database(target["env"])
    wrong = _cli(["tenant", "import", str(out), "--passphrase-file", str(wrong_file)], target["env"])
    assert wrong.returncode == 1
    assert "The passphrase does not open this archive" in wrong.stderr
    assert await target_db.count("tenants_tenant") == 0 and await target_db.count("accounts_person") == 0
    assert not (target["var_dir"] / "storage").exists()

    imported = _cli(["tenant", "import", str(out), "--passphrase-file", str(passphrase_file)], target["env"])
    assert imported.returncode == 0, imported.stderr
    assert "Imported 咸阳市秦都区 (qindu)" in imported.stdout

    # The district's row, with its id.
    columns, [source_tenant] = await source.rows("tenants_tenant", "slug = 'qindu'")
    assert (await target_db.rows("tenants_tenant", "slug = 'qindu'"))[1] == [source_tenant]
    assert source_tenant[columns.index("id")] == tenant.id

    # Every table with a tenant_id column, row by row, every column. The columns that differ on
    # purpose: the district key's wrapping, by the other instance's master key (and that key's id).
    tables = await source.tenant_tables()
    assert tables == await target_db.tenant_tables()
    assert {"tenants_street", "feedback_item", "legal_aid_consultation", "core_district_key", "parking_space",
            "core_audit_entry"} <= set(tables)
    compared = 0
    for table in tables:
        columns, mine = await source.rows(table, "tenant_id = $1", tenant.id)
        _same, theirs = await target_db.rows(table, "tenant_id = $1", tenant.id)
        if table == "core_district_key":
            rewrapped = [columns.index(c) for c in ("wrapped_key", "master_key_id") if c in columns]
            assert len(mine) == len(theirs) == 1
            assert [mine[0][i] for i in rewrapped] != [theirs[0][i] for i in rewrapped]
            mine = [tuple(v for i, v in enumerate(row) if i not in rewrapped) for row in mine]
            theirs = [tuple(v for i, v in enumerate(row) if i not in rewrapped) for row in theirs]
        assert theirs == mine, table
        compared += len(mine)
    assert compared > 50
    for table in ("feedback_item", "feedback_photo", "notices_attachment", "legal_aid_document",
                  "core_person_key", "accounts_membership"):
        assert (await source.rows(table, "tenant_id = $1", tenant.id))[1], f"{table} has rows to compare"

    # The people its rows name travel, with their ids; the TOTP secret is sealed again (below it
    # opens), so that column differs on purpose. A person with nothing in qindu stays behind.
    ids = sorted(p.id for p in (district["resident"], district["admin"], district["adviser"]))
    columns, mine = await source.rows("accounts_person", f"id IN ({', '.join(map(str, ids))})")
    _same, theirs = await target_db.rows("accounts_person", "1 = 1")
    secret = columns.index("totp_secret")
    assert len(theirs) == 4  # the resident, the staff member, the admin and the adviser
    assert [row[:secret] + row[secret + 1:] for row in theirs if row[0] in ids] == [
        row[:secret] + row[secret + 1:] for row in mine]
    assert [row[secret] for row in theirs if row[0] in ids] != [row[secret] for row in mine]
    assert sum(1 for row in theirs if row[secret]) == 1
    assert not await target_db.query("SELECT id FROM accounts_person WHERE phone = '13900000099'")

    # Uploads: the same bytes (on the filesystem here; in the database they were rows, compared above).
    if settings.storage == "filesystem":
        files = _files(settings.var_dir, tenant.id)
        assert len(files) >= 2 * 3  # the notice's PDF, the photo, the legal document, each with its sidecar
        assert _files(target["var_dir"], tenant.id) == files
    else:
        assert len((await source.rows("core_stored_file", "tenant_id = $1", tenant.id))[1]) >= 3

    # Sealed data opens on the target, through the normal read paths, as the app's role.
    read = subprocess.run([sys.executable, "-c", READ_ON_TARGET, str(district["item"].id),
                           str(district["consultation"].id), str(district["resident"].id),
                           str(district["adviser"].id), str(district["admin"].id)],
                          env=target["env"], capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    opened = json.loads(read.stdout)
    assert opened["description"] == PRIVATE_TEXT
    assert opened["legal"] == LEGAL_TEXT
    assert opened["document"] == LEGAL_DOCUMENT.decode() and opened["document_name"] == "欠条.pdf"
    assert opened["photo_bytes"] > 1000
    assert opened["totp"] == TOTP_SECRET

    # Imported, audited as a platform operation; importing again is refused and changes nothing.
    assert await target_db.query("SELECT tenant_id, target FROM core_audit_entry WHERE action = 'tenant.imported'") \
        == [(None, "tenant:qindu")]
    before = {table: await target_db.count(table) for table in tables}
    again = _cli(["tenant", "import", str(out), "--passphrase-file", str(passphrase_file)], target["env"])
    assert again.returncode == 1
    assert "A district at /t/qindu/ already exists here. Nothing was imported." in again.stderr
    assert {table: await target_db.count(table) for table in tables} == before

    if TEST_DB == "postgres":  # new rows on the target number after the imported ones
        top = (await target_db.query("SELECT max(id) FROM feedback_item"))[0][0]
        following = await target_db.query("SELECT nextval(pg_get_serial_sequence('feedback_item', 'id'))")
        assert following[0][0] > top
        person_top = (await source.query("SELECT max(id) FROM accounts_person"))[0][0]
        following = await target_db.query("SELECT nextval(pg_get_serial_sequence('accounts_person', 'id'))")
        assert following[0][0] > person_top


async def test_a_person_already_on_the_target_with_another_account_refuses_the_import(district, target, tmp_path):
    """The resident's phone belongs to another account (another id) on the target."""
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE, encoding="utf-8")
    out = tmp_path / "qindu.gongzhi"
    assert _cli(["tenant", "export", "qindu", "--out", str(out), "--passphrase-file", str(passphrase_file)],
                _source_env(tmp_path)).returncode == 0
    target_db = Database(target["env"])
    if TEST_DB == "postgres":
        import asyncpg

        connection = await asyncpg.connect(target["env"]["GONGZHI_DATABASE_OWNER_URL"])
        await connection.execute("INSERT INTO accounts_person (id, display_name, phone, created_at) "
                                 "VALUES (900, '另一人', '13900000021', now())")
        await connection.close()
    else:
        await target_db.query("INSERT INTO accounts_person (id, display_name, phone, created_at) "
                              "VALUES (900, '另一人', '13900000021', '2026-01-01 00:00:00+00:00')")
    refused = _cli(["tenant", "import", str(out), "--passphrase-file", str(passphrase_file)], target["env"])
    assert refused.returncode == 1
    assert "clash with other accounts here" in refused.stderr and "Nothing was imported" in refused.stderr
    assert await target_db.count("tenants_tenant") == 0 and await target_db.count("accounts_person") == 1


async def test_export_refuses_a_short_passphrase_and_an_unknown_district(district, tmp_path):
    short = tmp_path / "short"
    short.write_text("short", encoding="utf-8")
    refused = _cli(["tenant", "export", "qindu", "--out", str(tmp_path / "a"), "--passphrase-file", str(short)],
                   _source_env(tmp_path))
    assert refused.returncode == 1 and "at least 12 characters" in refused.stderr
    assert not (tmp_path / "a").exists()
    with pytest.raises(archive.NotFound):
        await archive.export_district(district["settings"], "nowhere", tmp_path / "b", PASSPHRASE)
    assert not (tmp_path / "b").exists() and not list(tmp_path.glob(".archive-*"))


def test_export_and_import_are_named_platform_operations():
    assert "tenants.export_district" in platform_scope.OPERATIONS
    assert "tenants.import_district" in platform_scope.OPERATIONS


def test_the_columns_that_name_a_person():
    found = archive.person_columns(
        "feedback_item", ["id", "tenant_id", "submitter", "entered_by", "community_id", "party_id", "category"],
        [("category", "feedback_category")], {"submitter": "accounts_person.id of the resident"})
    assert found == ["entered_by", "submitter"]
    assert archive.person_columns("accounts_membership", ["id", "person", "unit_id"],
                                  [("person", "accounts_person")], {}) == ["person"]
    assert archive.person_columns("volunteer_exchange_reward", ["id", "merchant", "price"], [],
                                  {"merchant": "accounts_person.id of who verifies its codes"}) == ["merchant"]
