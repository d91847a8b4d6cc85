"""Files in the database (``GONGZHI_STORAGE=database``, the default on PostgreSQL): every app
host reaches them, and Row Level Security keeps each district's files to itself.

Suited to the sizes Gongzhi takes (attachments and photos of a few MB); an S3-compatible
backend would implement the same ``Store`` protocol when files grow larger.
"""

from __future__ import annotations

from piccolo.columns import Bytea, Integer, Timestamptz, Varchar

from core import clock
from core.storage import store
from core.tenancy import TenantOwned, TenantScope


class StoredFile(TenantOwned, tablename="core_stored_file"):
    """One stored file of a district: its bytes and what was said about them."""

    key = Varchar(length=100, unique=True, help_text="t{tenant}/{namespace}/{32 hex} (core.storage.store)")
    content_type = Varchar(length=100, help_text="The MIME type, from the bytes")
    filename = Varchar(length=255, help_text="The name it was uploaded with, for showing only")
    size = Integer(help_text="Bytes")
    data = Bytea()
    created_at = Timestamptz()


class DatabaseStore:
    """The backend on the ``core_stored_file`` table, read and written through the scope."""

    def __repr__(self) -> str:
        return "DatabaseStore()"

    async def write(self, scope: TenantScope, file: store.StoredFile) -> None:
        await scope.create(StoredFile, key=store.check_key(scope, file.key), content_type=file.content_type,
                           filename=file.filename, size=file.size, data=file.data, created_at=clock.now())

    async def read(self, scope: TenantScope, key: str) -> store.StoredFile | None:
        row = await scope.select(
            StoredFile, StoredFile.content_type, StoredFile.filename, StoredFile.data,
        ).where(StoredFile.key == store.check_key(scope, key)).first()
        if row is None:
            return None
        data = bytes(row["data"])
        return store.StoredFile(key=key, content_type=row["content_type"], size=len(data), data=data,
                                filename=row["filename"])

    async def remove(self, scope: TenantScope, key: str) -> None:
        await scope.delete(StoredFile).where(StoredFile.key == store.check_key(scope, key))
