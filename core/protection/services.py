"""Envelope encryption of sensitive personal data, and the one way to read it.

master key (file) ─wraps→ district key (per district) ─wraps→ data key (per person and
district) ─seals→ values. Each sealed value is bound to its district, table, row and
person. Reading goes through :func:`read`, which checks who may read and audits the read.
Erasing a person destroys their data keys, in every district.
"""

from __future__ import annotations

from collections.abc import Callable

from core import clock
from core.audit import services as audit
from core.config import Settings
from core.errors import Conflict, PermissionDenied
from core.i18n import Message
from core.protection import ciphers
from core.protection.tables import DistrictKey, PersonKey
from core.secrets import master_key
from core.tenancy import TenantScope

DEFAULT_ALGORITHM = "aes-gcm"


def _district_ad(tenant_id: int) -> bytes:
    return f"gongzhi:district-key:{tenant_id}".encode()


def _person_ad(tenant_id: int, person_id: int) -> bytes:
    return f"gongzhi:person-key:{tenant_id}:{person_id}".encode()


def _value_ad(tenant_id: int, table: str, row_id: int, person_id: int) -> bytes:
    return f"gongzhi:value:{tenant_id}:{table}:{row_id}:{person_id}".encode()


async def _district_key(settings: Settings, scope: TenantScope, algorithm: str | None = None) -> tuple[str, bytes]:
    async with scope.transaction(write=True):
        row = await scope.objects(DistrictKey).first()
        if row is None:
            algorithm = algorithm or DEFAULT_ALGORITHM
            key = ciphers.new_key(algorithm)
            wrapped = ciphers.seal("aes-gcm", master_key(settings), key, _district_ad(scope.tenant_id))
            await scope.create(DistrictKey, algorithm=algorithm, wrapped_key=wrapped, created_at=clock.now())
            return algorithm, key
    key = ciphers.open_sealed(master_key(settings), row.wrapped_key, _district_ad(scope.tenant_id))
    return row.algorithm, key


async def current_algorithm(scope: TenantScope) -> str | None:
    """The district's algorithm, once its key exists (None before)."""
    row = await scope.select(DistrictKey, DistrictKey.algorithm).first()
    return row["algorithm"] if row else None


async def choose_algorithm(settings: Settings, scope: TenantScope, algorithm: str) -> None:
    """A district's algorithm (aes-gcm, or sm4-gcm for national algorithms) is chosen before
    its first sealed value; after that it stays, since every key below was made for it."""
    if algorithm not in ciphers.ALGORITHMS:
        raise ValueError(algorithm)
    chosen = await current_algorithm(scope)
    if chosen is not None and chosen != algorithm:
        raise Conflict(Message("This district's data is already sealed with %(algorithm)s; it stays so.",
                               {"algorithm": chosen}))
    await _district_key(settings, scope, algorithm)


async def _person_key(settings: Settings, scope: TenantScope, person_id: int, *, create: bool) -> tuple[str, bytes]:
    algorithm, district_key = await _district_key(settings, scope)
    async with scope.transaction(write=True):
        row = await scope.objects(PersonKey).where(PersonKey.person_id == person_id).first()
        if row is None:
            if not create:
                raise ciphers.CannotOpen("no data key")
            key = ciphers.new_key(algorithm)
            wrapped = ciphers.seal(algorithm, district_key, key, _person_ad(scope.tenant_id, person_id))
            await scope.create(PersonKey, person_id=person_id, wrapped_key=wrapped, created_at=clock.now())
            return algorithm, key
    if not row.wrapped_key:
        raise ciphers.CannotOpen("the data key was destroyed")
    return algorithm, ciphers.open_sealed(district_key, row.wrapped_key, _person_ad(scope.tenant_id, person_id))


async def seal(settings: Settings, scope: TenantScope, person_id: int, table: str, row_id: int,
               plaintext: str) -> str:
    """Encrypt ``plaintext`` about ``person_id``, bound to ``table`` row ``row_id`` of this district."""
    algorithm, key = await _person_key(settings, scope, person_id, create=True)
    return ciphers.seal(algorithm, key, plaintext.encode(), _value_ad(scope.tenant_id, table, row_id, person_id))


async def read(settings: Settings, scope: TenantScope, *, reader_id: int, person_id: int, table: str, row_id: int,
               sealed: str, may_read: Callable[[int], bool], purpose: str = "") -> str:
    """The one way to read sensitive data: the person themselves, or whoever ``may_read``
    allows (the staff assigned); every read, and every refusal, is audited."""
    target = f"{table}:{row_id}"
    if reader_id != person_id and not may_read(reader_id):
        await audit.record("sensitive.denied", actor_id=reader_id, tenant_id=scope.tenant_id, target=target,
                           purpose=purpose)
        raise PermissionDenied(Message("You may not read this."))
    _algorithm, key = await _person_key(settings, scope, person_id, create=False)
    plaintext = ciphers.open_sealed(key, sealed, _value_ad(scope.tenant_id, table, row_id, person_id))
    await audit.record("sensitive.read", actor_id=reader_id, tenant_id=scope.tenant_id, target=target,
                       purpose=purpose, subject=person_id)
    return plaintext.decode()
