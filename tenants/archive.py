"""A district's back-up and restore: one archive file holding everything the district owns.

What travels:

* every row of every table that has a ``tenant_id`` column, read from the database's own
  catalogue (so core's, the district tables' and every installed plugin's, with nothing typed
  here), the rows whose ``tenant_id`` is the district's;
* the district's own row (``tenants_tenant``);
* the people those rows name (platform rows): everyone with a membership in the district, and
  everyone a person column of its rows names (below), with what belongs to their account on
  the platform (recovery codes, notification preferences: platform tables with a foreign key
  to ``accounts_person``), but not their sign-ins or platform roles, which are the instance's;
* its uploads: with ``GONGZHI_STORAGE=database`` they are rows of ``core_stored_file`` and
  travel as rows; on the filesystem, as files beside the rows;
* its district key(s), unwrapped with this instance's master key and wrapped instead with a key
  derived from a passphrase (scrypt, random salt kept in the archive). People's data keys stay
  wrapped by the district key: they travel as rows. A TOTP secret, sealed by a key derived from
  the master key, travels opened and is sealed again with the target's.

The archive is a zip file: ``manifest.json`` (the format, the scrypt parameters and salt, and a
value that tells a wrong passphrase), then every other member encrypted with the passphrase's
key (AES-256-GCM, bound to its member's name), so that a copy holds no personal data in clear.

Ids are kept: a sealed value is bound to its district, table, row and person ids, and storage
keys carry the district's id. So an import refuses whatever would take an id already taken on
the target (the district, a row, a person), and leaves nothing written: the rows go in one
transaction, and files written to the filesystem are removed again if it fails. A person of the
archive already on the target with the same id, phone and email is taken as the same person,
and their account there is kept as it is; any other clash of id, phone or email refuses.

Export and import are platform operations (``core.platform_scope``): on PostgreSQL their
transactions pass Row Level Security the documented way, run as the owner role.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core import clock, db
from core.audit import services as audit
from core.config import Settings
from core.errors import Conflict, GongzhiError, NotFound
from core.i18n import Message
from core.platform_scope import platform_operation
from core.protection import ciphers
from core.secrets import key_ring
from core.tenancy import TenantScope

FORMAT = "gongzhi-district-archive"
VERSION = 1
MANIFEST = "manifest.json"
INDEX = "index.json"
# scrypt at 2**15 × 8: 32 MiB and about a tenth of a second, once per export or import.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
SALT_BYTES = 16
MIN_PASSPHRASE = 12
_CHECK = b"gongzhi district archive"
# A part of a table holds at most this many rows, or about this many bytes.
ROWS_PER_PART = 2000
BYTES_PER_PART = 8 * 1024 * 1024
# Rows per INSERT, and parameters per statement (SQLite allows 32,766, PostgreSQL 32,767).
ROWS_PER_INSERT = 500
PARAMETERS_PER_INSERT = 10_000

EXPORTED = "tenant.exported"
IMPORTED = "tenant.imported"

TENANTS = "tenants_tenant"
PERSONS = "accounts_person"
DISTRICT_KEYS = "core_district_key"
STORED_FILES = "core_stored_file"
# Platform tables that point at a person but do not travel with them.
STAY_ON_THE_INSTANCE = {
    "accounts_session": "a sign-in belongs to the instance it was made on",
    "accounts_platform_role": "platform roles are each instance's own to give",
}
# Columns of a district's rows that name a person, besides foreign keys to accounts_person and
# columns whose help text says ``accounts_person``: the names core and its plugins use for them.
_PERSON_COLUMN = re.compile(r"^(person|person_id|actor|actor_id|submitter|author|reviewer|[a-z_]+_by)$")


class ArchiveRefused(GongzhiError):
    """An archive that cannot be read, or an import that cannot go ahead: nothing was written."""

    status_code = 422
    title = "Archive refused"


# The catalogue ----------------------------------------------------------------------------


@dataclass
class Catalogue:
    """What the database itself says: its tables, their columns in order, their foreign keys."""

    columns: dict[str, list[str]]
    foreign_keys: dict[str, list[tuple[str, str]]]  # table → [(column, referenced table)]

    def tenant_tables(self) -> list[str]:
        """Every table with a ``tenant_id`` column, parents before the tables that refer to them."""
        owned = sorted(name for name, columns in self.columns.items() if "tenant_id" in columns)
        return _parents_first(owned, self.foreign_keys)

    def person_tables(self) -> list[str]:
        """Platform tables (no ``tenant_id``) that belong to a person's account and travel with them."""
        return sorted(name for name, refs in self.foreign_keys.items()
                      if name not in STAY_ON_THE_INSTANCE and "tenant_id" not in self.columns[name]
                      and any(target == PERSONS for _column, target in refs))


def _parents_first(tables: list[str], foreign_keys: dict[str, list[tuple[str, str]]]) -> list[str]:
    ordered: list[str] = []
    placed: set[str] = set()
    remaining = list(tables)
    within = set(tables)
    while remaining:
        ready = [t for t in remaining
                 if all(target in placed or target == t or target not in within for _c, target in foreign_keys.get(t, []))]
        if not ready:  # a cycle: the rest in name order (none today)
            ready = remaining[:1]
        for table in ready:
            ordered.append(table)
            placed.add(table)
            remaining.remove(table)
    return ordered


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def _sql(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL in the open transaction (Piccolo's ``{}`` parameters)."""
    from piccolo.apps.migrations.tables import Migration

    return await Migration.raw(sql, *args)


async def catalogue() -> Catalogue:
    """The database's tables, columns and foreign keys, from its own catalogue."""
    columns: dict[str, list[str]] = {}
    foreign_keys: dict[str, list[tuple[str, str]]] = {}
    if db.is_sqlite():
        names = [row["name"] for row in await _sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for name in names:
            columns[name] = [row["name"] for row in await _sql(f"PRAGMA table_info({_quote(name)})")]
            foreign_keys[name] = [(row["from"], row["table"])
                                  for row in await _sql(f"PRAGMA foreign_key_list({_quote(name)})")]
        return Catalogue(columns, foreign_keys)
    for row in await _sql(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE') ORDER BY table_name, ordinal_position"):
        columns.setdefault(row["table_name"], []).append(row["column_name"])
    for row in await _sql(
            "SELECT source.relname AS source, attribute.attname AS column_name, target.relname AS target "
            "FROM pg_constraint c JOIN pg_class source ON source.oid = c.conrelid "
            "JOIN pg_class target ON target.oid = c.confrelid "
            "JOIN pg_attribute attribute ON attribute.attrelid = c.conrelid AND attribute.attnum = ANY(c.conkey) "
            "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace"):
        foreign_keys.setdefault(row["source"], []).append((row["column_name"], row["target"]))
    for name in columns:
        foreign_keys.setdefault(name, [])
    return Catalogue(columns, foreign_keys)


def _help_texts() -> dict[str, dict[str, str]]:
    """Each known table's columns' help texts, from the Piccolo tables of core and the plugins."""
    return {table._meta.tablename: {column._meta.db_column_name: column._meta.help_text or ""
                                    for column in table._meta.columns}
            for table in db.all_tables()}


def person_columns(table: str, columns: list[str], foreign_keys: list[tuple[str, str]],
                   help_texts: dict[str, str]) -> list[str]:
    """The columns of ``table`` that hold a person's id: a foreign key to accounts_person, a
    column whose help text names ``accounts_person``, or one of the names core and the plugins
    give such columns (``person_id``, ``actor``, ``submitter``, ``…_by``…)."""
    found = {column for column, target in foreign_keys if target == PERSONS}
    found |= {column for column, text in help_texts.items() if PERSONS in text and column in columns}
    found |= {column for column in columns if _PERSON_COLUMN.match(column)}
    return sorted(found)


# Values in JSON ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _OpenSecret:
    """A TOTP secret carried open inside the (encrypted) archive, to be sealed again on import."""

    secret: str


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, _OpenSecret):
        return {"$totp": value.secret}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    raise TypeError(f"cannot keep a {type(value).__name__} in an archive")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    (tag, raw), = value.items()
    return {
        "$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": time.fromisoformat,
        "$seconds": lambda s: timedelta(seconds=s), "$decimal": Decimal, "$uuid": uuid.UUID,
        "$bytes": base64.b64decode, "$totp": _OpenSecret,
    }[tag](raw)


# The file ---------------------------------------------------------------------------------


def derive_key(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    """The archive's key, from the passphrase (scrypt)."""
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _district_key_ad(tenant_id: int) -> bytes:
    return f"gongzhi:archive:district-key:{tenant_id}".encode()


class _Writer:
    """Writes the archive to a temporary file beside ``path``; ``finish`` moves it into place."""

    def __init__(self, path: Path, passphrase: str) -> None:
        self.path = path
        self.salt = os.urandom(SALT_BYTES)
        self.key = derive_key(passphrase, self.salt)
        self.aead = AESGCM(self.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, self.temporary = tempfile.mkstemp(dir=path.parent, prefix=".archive-")
        os.close(descriptor)
        self.zip = zipfile.ZipFile(self.temporary, "w", zipfile.ZIP_STORED, allowZip64=True)
        self.count = 0

    def member(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}/{self.count:06d}"

    def put(self, name: str, data: bytes, *, compress: bool = True) -> None:
        body = zlib.compress(data, 6) if compress else data
        nonce = os.urandom(12)
        flag = b"z" if compress else b"-"
        self.zip.writestr(name, flag + nonce + self.aead.encrypt(nonce, body, name.encode()))

    def finish(self, index: dict[str, Any]) -> None:
        self.put(INDEX, json.dumps(index, ensure_ascii=False).encode())
        nonce = os.urandom(12)
        manifest = {
            "format": FORMAT, "version": VERSION,
            "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                    "salt": base64.b64encode(self.salt).decode()},
            "check": base64.b64encode(nonce + self.aead.encrypt(nonce, _CHECK, b"check")).decode(),
        }
        self.zip.writestr(MANIFEST, json.dumps(manifest, indent=2))
        self.zip.close()
        os.chmod(self.temporary, 0o600)
        os.replace(self.temporary, self.path)

    def abandon(self) -> None:
        try:
            self.zip.close()
        finally:
            try:
                os.unlink(self.temporary)
            except FileNotFoundError:
                pass


class _Reader:
    """An archive opened with its passphrase; a wrong one, or a damaged file, is refused here."""

    def __init__(self, path: Path, passphrase: str) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
            manifest = json.loads(self.zip.read(MANIFEST))
        except (OSError, zipfile.BadZipFile, KeyError, ValueError):
            raise ArchiveRefused(Message("%(file)s is not a district archive.", {"file": str(path)})) from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ArchiveRefused(Message("%(file)s is not a district archive this version of Gongzhi reads.",
                                         {"file": str(path)}))
        kdf = manifest["kdf"]
        self.key = derive_key(passphrase, base64.b64decode(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
        self.aead = AESGCM(self.key)
        check = base64.b64decode(manifest["check"])
        try:
            if self.aead.decrypt(check[:12], check[12:], b"check") != _CHECK:
                raise InvalidTag()
        except InvalidTag:
            raise ArchiveRefused(Message("The passphrase does not open this archive. Nothing was imported.")) from None

    def get(self, name: str) -> bytes:
        try:
            raw = self.zip.read(name)
            body = self.aead.decrypt(raw[1:13], raw[13:], name.encode())
        except (KeyError, InvalidTag, zipfile.BadZipFile):
            raise ArchiveRefused(Message("The archive is damaged (%(member)s). Nothing was imported.",
                                         {"member": name})) from None
        return zlib.decompress(body) if raw[:1] == b"z" else body

    def rows(self, name: str) -> list[dict[str, Any]]:
        return [{column: _decode(value) for column, value in json.loads(line).items()}
                for line in self.get(name).splitlines() if line]


# Export -----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What an export wrote or an import restored."""

    slug: str
    display_name: str
    tables: int = 0
    rows: int = 0
    persons: int = 0
    persons_kept: int = 0
    files: int = 0
    per_table: dict[str, int] = field(default_factory=dict)


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ArchiveRefused(Message("The passphrase must be at least %(count)d characters long.",
                                     {"count": MIN_PASSPHRASE}))
    return passphrase


def _parts(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    lines: list[bytes] = []
    size = 0
    for row in rows:
        line = json.dumps({column: _encode(value) for column, value in row.items()}, ensure_ascii=False).encode()
        lines.append(line)
        size += len(line)
        if len(lines) >= ROWS_PER_PART or size >= BYTES_PER_PART:
            yield b"\n".join(lines)
            lines, size = [], 0
    if lines:
        yield b"\n".join(lines)


async def _table_rows(table: str, columns: list[str], where: str, *args: Any) -> list[dict[str, Any]]:
    """Every row of ``table`` that ``where`` picks, by id, in pages."""
    listed = ", ".join(_quote(c) for c in columns)
    if "id" not in columns:
        return await _sql(f"SELECT {listed} FROM {_quote(table)} WHERE {where}", *args)
    rows: list[dict[str, Any]] = []
    last = None
    while True:
        after = "" if last is None else f" AND id > {int(last)}"
        page = await _sql(f"SELECT {listed} FROM {_quote(table)} WHERE {where}{after} ORDER BY id LIMIT {ROWS_PER_PART}",
                          *args)
        rows += page
        if len(page) < ROWS_PER_PART:
            return rows
        last = page[-1]["id"]


async def export_district(settings: Settings, slug: str, out: Path, passphrase: str) -> Summary:
    """Write district ``slug``'s archive to ``out`` (replaced whole, or left as it was on failure)."""
    check_passphrase(passphrase)
    writer = _Writer(out, passphrase)
    try:
        index, summary = await _read_district(settings, slug, writer)
        writer.finish(index)
    except BaseException:
        writer.abandon()
        raise
    async with db.transaction(write=True):
        await audit.record(EXPORTED, target=f"tenant:{slug}", tables=summary.tables, rows=summary.rows,
                           persons=summary.persons, files=summary.files)
    return summary


@platform_operation("a district's back-up: its rows, the people they name and its files, into its archive",
                    write=False, name="tenants.export_district")
async def _read_district(settings: Settings, slug: str, writer: _Writer) -> tuple[dict[str, Any], Summary]:
    if not db.is_sqlite():  # one snapshot for the whole archive
        await _sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    found = await _sql(f"SELECT * FROM {TENANTS} WHERE slug = {{}}", slug)
    if not found:
        raise NotFound(Message("There is no district at this address."))
    district = found[0]
    tenant_id = district["id"]
    known = await catalogue()
    help_texts = _help_texts()
    summary = Summary(slug=slug, display_name=district["display_name"])
    index: dict[str, Any] = {
        "district": {"id": tenant_id, "slug": slug, "display_name": district["display_name"]},
        "exported_at": clock.now().isoformat(), "engine": "sqlite" if db.is_sqlite() else "postgresql",
        "storage": settings.storage, "tables": {}, "person_tables": {}, "files": [],
    }
    index["tenant"] = {"columns": list(district), "member": writer.member("tenant")}
    writer.put(index["tenant"]["member"], next(_parts(iter([district]))))

    persons: set[int] = set()
    ring = key_ring(settings)
    from core.protection.services import unwrap_district_key

    for table in known.tenant_tables():
        columns = known.columns[table]
        rows = await _table_rows(table, columns, "tenant_id = {}", tenant_id)
        if table == DISTRICT_KEYS:  # from the master key's wrapping to the passphrase's
            for row in rows:
                key = unwrap_district_key(ring, tenant_id, row["wrapped_key"], row.get("master_key_id") or "")
                row["wrapped_key"] = ciphers.seal("aes-gcm", writer.key, key, _district_key_ad(tenant_id))
                if "master_key_id" in row:
                    row["master_key_id"] = ""  # wrapped by the passphrase, no master key
        naming = person_columns(table, columns, known.foreign_keys.get(table, []), help_texts.get(table, {}))
        for row in rows:
            persons.update(row[c] for c in naming if isinstance(row[c], int) and not isinstance(row[c], bool))
        members = []
        for part in _parts(iter(rows)):
            members.append(writer.member("rows"))
            writer.put(members[-1], part)
        index["tables"][table] = {"columns": columns, "rows": len(rows), "members": members, "persons": naming}
        summary.per_table[table] = len(rows)
        summary.rows += len(rows)
    summary.tables = len(index["tables"])

    # The people the district's rows name, with their accounts' own platform rows.
    person_rows: list[dict[str, Any]] = []
    ids = sorted(p for p in persons if p > 0)
    for start in range(0, len(ids), ROWS_PER_PART):
        chunk = ids[start:start + ROWS_PER_PART]
        person_rows += await _sql(f"SELECT * FROM {PERSONS} WHERE id IN ({', '.join(str(int(i)) for i in chunk)})")
    if person_rows and "totp_secret" in person_rows[0]:
        from core.accounts import totp

        for row in person_rows:  # sealed by a key from this master key: carried open, sealed again on import
            if row["totp_secret"]:
                row["totp_secret"] = _OpenSecret(totp.decrypt(settings, row["totp_secret"], row["id"]))
    index["persons"] = {"columns": list(person_rows[0]) if person_rows else [], "members": [],
                        "high_water": (await _sql(f"SELECT max(id) AS top FROM {PERSONS}"))[0]["top"] or 0}
    for part in _parts(iter(person_rows)):
        index["persons"]["members"].append(writer.member("persons"))
        writer.put(index["persons"]["members"][-1], part)
    summary.persons = len(person_rows)
    travelling = [row["id"] for row in person_rows]
    for table in known.person_tables():
        refs = [column for column, target in known.foreign_keys[table] if target == PERSONS]
        rows = []
        for start in range(0, len(travelling), ROWS_PER_PART):
            listed = ", ".join(str(int(i)) for i in travelling[start:start + ROWS_PER_PART])
            rows += await _table_rows(table, known.columns[table], f"{_quote(refs[0])} IN ({listed})")
        members = []
        for part in _parts(iter(rows)):
            members.append(writer.member("person-rows"))
            writer.put(members[-1], part)
        index["person_tables"][table] = {"columns": known.columns[table], "person": refs[0], "members": members,
                                         "rows": len(rows)}

    # Files kept outside the database.
    if settings.storage == "filesystem":
        from core.storage.store import store_for

        store = store_for(settings)
        scope = TenantScope(tenant_id)
        for key in await store.keys(scope):
            file = await store.read(scope, key)
            if file is None:
                continue
            member = writer.member("files")
            writer.put(member, file.data, compress=False)
            index["files"].append({"key": key, "content_type": file.content_type, "filename": file.filename,
                                   "size": file.size, "sha256": hashlib.sha256(file.data).hexdigest(),
                                   "member": member})
    summary.files = len(index["files"]) + summary.per_table.get(STORED_FILES, 0)
    return index, summary


# Import -----------------------------------------------------------------------------------


async def import_district(settings: Settings, path: Path, passphrase: str) -> Summary:
    """Recreate the district of the archive at ``path`` on this (empty, migrated) instance.

    Refused, with nothing written, when the passphrase is wrong, when the archive's tables or
    columns are not all here (a plugin not installed), or when anything would take an id,
    slug, phone or email already taken here by something else."""
    reader = _Reader(path, passphrase)
    index = json.loads(reader.get(INDEX))
    written: list[tuple[TenantScope, str]] = []
    try:
        summary = await _restore(settings, reader, index, written)
    except BaseException:
        if written:
            from core.storage.store import store_for

            store = store_for(settings)
            for scope, key in written:
                await store.remove(scope, key)
        raise
    return summary


@platform_operation("restoring a district from its archive: its rows and the people they name, with their ids",
                    name="tenants.import_district")
async def _restore(settings: Settings, reader: _Reader, index: dict[str, Any], written: list) -> Summary:
    district = index["district"]
    tenant_id, slug = district["id"], district["slug"]
    summary = Summary(slug=slug, display_name=district["display_name"])
    if await _sql(f"SELECT 1 FROM {TENANTS} WHERE slug = {{}}", slug):
        raise Conflict(Message("A district at /t/%(slug)s/ already exists here. Nothing was imported.",
                               {"slug": slug}))
    if await _sql(f"SELECT 1 FROM {TENANTS} WHERE id = {{}}", tenant_id):
        raise Conflict(Message("Another district here already has this district's id (%(id)d): import it into "
                               "an empty instance. Nothing was imported.", {"id": tenant_id}))
    known = await catalogue()
    missing = []
    for table, part in [(TENANTS, index["tenant"]), (PERSONS, index["persons"]), *index["tables"].items(),
                        *index["person_tables"].items()]:
        if not part["columns"]:
            continue
        if table not in known.columns:
            missing.append(table)
        else:
            missing += [f"{table}.{column}" for column in part["columns"] if column not in known.columns[table]]
    if missing:
        raise ArchiveRefused(Message(
            "This instance lacks what the archive holds: %(missing)s. Install the same plugins and run "
            "`gongzhi migrate` first. Nothing was imported.", {"missing": ", ".join(sorted(missing)[:10])}))

    # The district's own row, then its people.
    [tenant_row] = reader.rows(index["tenant"]["member"])
    await _insert(TENANTS, [tenant_row])
    new_persons, kept = await _people(settings, reader, index)
    await _insert(PERSONS, new_persons)
    summary.persons, summary.persons_kept = len(new_persons), len(kept)
    fresh = {row["id"] for row in new_persons}
    for table, part in index["person_tables"].items():
        for member in part["members"]:
            rows = [{c: v for c, v in row.items() if c != "id"} for row in reader.rows(member)
                    if row[part["person"]] in fresh]  # a person kept keeps their account as it is here
            await _insert(table, rows)

    # Every table of the district, parents first.
    scope = TenantScope(tenant_id)
    ring = key_ring(settings)
    from core.protection.services import wrap_district_key
    from core.storage.store import StoredFile, store_for

    store = store_for(settings)
    archived = set(index["tables"])
    for table in [t for t in known.tenant_tables() if t in archived]:
        part = index["tables"][table]
        count = 0
        for member in part["members"]:
            rows = reader.rows(member)
            if table == DISTRICT_KEYS:  # from the passphrase's wrapping to this instance's master key
                for row in rows:
                    try:
                        key = ciphers.open_sealed(reader.key, row["wrapped_key"], _district_key_ad(tenant_id))
                    except ciphers.CannotOpen:
                        raise ArchiveRefused(Message("The archive's district key does not open. Nothing was "
                                                     "imported.")) from None
                    row["wrapped_key"], wrapped_by = wrap_district_key(ring, tenant_id, key)
                    if "master_key_id" in row:
                        row["master_key_id"] = wrapped_by
            if table == STORED_FILES and settings.storage != "database":  # kept as files here
                for row in rows:
                    await _write_file(store, scope, StoredFile(key=row["key"], content_type=row["content_type"],
                                                               size=row["size"], data=bytes(row["data"]),
                                                               filename=row["filename"]), written)
                count += len(rows)
                continue
            await _insert(table, rows)
            count += len(rows)
        summary.per_table[table] = count
        summary.rows += count
    summary.tables = len(archived)

    # Files kept outside the database at the source.
    now = clock.now()
    for entry in index["files"]:
        data = reader.get(entry["member"])
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ArchiveRefused(Message("The archive is damaged (%(member)s). Nothing was imported.",
                                         {"member": entry["member"]}))
        if settings.storage == "database":
            await _insert(STORED_FILES, [{"tenant_id": tenant_id, "key": entry["key"],
                                          "content_type": entry["content_type"], "filename": entry["filename"],
                                          "size": len(data), "data": data, "created_at": now}])
        else:
            await _write_file(store, scope, StoredFile(key=entry["key"], content_type=entry["content_type"],
                                                       size=len(data), data=data, filename=entry["filename"]),
                              written)
    summary.files = len(index["files"]) + summary.per_table.get(STORED_FILES, 0)

    if not db.is_sqlite():  # new rows here number after the imported ones (and after every person of the source)
        for table in [TENANTS, *archived]:
            if "id" in known.columns[table]:
                await _move_sequence(table)
        await _move_sequence(PERSONS, index["persons"]["high_water"])
    await audit.record(IMPORTED, target=f"tenant:{slug}", tables=summary.tables, rows=summary.rows,
                       persons=summary.persons, persons_kept=summary.persons_kept, files=summary.files)
    return summary


async def _people(settings: Settings, reader: _Reader, index: dict[str, Any]) -> tuple[list[dict], list[int]]:
    """The archive's persons to insert, and the ids of those already here (same id, phone and
    email); any other clash is refused."""
    from core.accounts import totp

    archived = [row for member in index["persons"]["members"] for row in reader.rows(member)]
    if not archived:
        return [], []
    here: dict[int, dict] = {}
    for column, values in (("id", [r["id"] for r in archived]), ("phone", [r["phone"] for r in archived if r["phone"]]),
                           ("email", [r["email"] for r in archived if r["email"]])):
        for start in range(0, len(values), ROWS_PER_PART):
            chunk = values[start:start + ROWS_PER_PART]
            marks = ", ".join("{}" for _ in chunk)
            for row in await _sql(f"SELECT id, phone, email FROM {PERSONS} WHERE {column} IN ({marks})", *chunk):
                here[row["id"]] = row
    by_id = {row["id"]: row for row in here.values()}
    by_phone = {row["phone"]: row["id"] for row in here.values() if row["phone"]}
    by_email = {row["email"]: row["id"] for row in here.values() if row["email"]}
    new, kept, clashes = [], [], []
    for row in archived:
        same = by_id.get(row["id"])
        if same is not None and same["phone"] == row["phone"] and same["email"] == row["email"]:
            kept.append(row["id"])
            continue
        if same is not None or by_phone.get(row["phone"], row["id"]) != row["id"] or \
                by_email.get(row["email"], row["id"]) != row["id"]:
            clashes.append(row["id"])
            continue
        secret = row.get("totp_secret")
        if isinstance(secret, _OpenSecret):  # opened at export: sealed again with this instance's key
            row["totp_secret"] = totp.encrypt(settings, secret.secret, row["id"])
        new.append(row)
    if clashes:
        raise Conflict(Message(
            "%(count)d person(s) of the archive clash with other accounts here (the same id, phone or email "
            "belongs to someone else): ids %(ids)s. Nothing was imported.",
            {"count": len(clashes), "ids": ", ".join(str(i) for i in clashes[:20])}))
    return new, kept


async def _insert(table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    listed = ", ".join(_quote(c) for c in columns)
    per = max(1, min(ROWS_PER_INSERT, PARAMETERS_PER_INSERT // len(columns)))
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        values = [row[c] for row in chunk for c in columns]
        try:
            await _sql(f"INSERT INTO {_quote(table)} ({listed}) VALUES {', '.join(one for _ in chunk)}", *values)
        except Exception as error:
            if db.is_unique_violation(error):
                raise Conflict(Message(
                    "A row of %(table)s in the archive has an id (or another unique value) already taken here: "
                    "import into an empty instance. Nothing was imported.", {"table": table})) from None
            raise


async def _write_file(store, scope: TenantScope, file, written: list) -> None:
    if await store.read(scope, file.key) is not None:
        raise Conflict(Message("A file of the archive (%(key)s) is already here. Nothing was imported.",
                               {"key": file.key}))
    await store.write(scope, file)
    written.append((scope, file.key))


async def _move_sequence(table: str, at_least: int = 0) -> None:
    """PostgreSQL: the table's id sequence past its highest id (and past ``at_least``)."""
    await _sql(f"SELECT setval(pg_get_serial_sequence({{}}, 'id'), GREATEST("
               f"(SELECT COALESCE(max(id), 0) FROM {_quote(table)}), {int(at_least)}, 1))", _quote(table))
