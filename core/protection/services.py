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
from core.secrets import KeyRing, MasterKeyMissing, key_ring
from core.tenancy import TenantScope

DEFAULT_ALGORITHM = "aes-gcm"


class Erased(ciphers.CannotOpen):
    """The value was erased because the district keeps its kind only so long (``at``: when)."""

    def __init__(self, at) -> None:
        super().__init__(f"erased at {at.isoformat()}")
        self.at = at


def _district_ad(tenant_id: int) -> bytes:
    return f"gongzhi:district-key:{tenant_id}".encode()


def _person_ad(tenant_id: int, person_id: int) -> bytes:
    return f"gongzhi:person-key:{tenant_id}:{person_id}".encode()


def _value_ad(tenant_id: int, table: str, row_id: int, person_id: int) -> bytes:
    return f"gongzhi:value:{tenant_id}:{table}:{row_id}:{person_id}".encode()


def wrap_district_key(ring: KeyRing, tenant_id: int, key: bytes) -> tuple[str, str]:
    """A district key wrapped by the ring's current master key, and that key's id."""
    return ciphers.seal("aes-gcm", ring.current, key, _district_ad(tenant_id)), ring.current_id


def unwrap_district_key(ring: KeyRing, tenant_id: int, wrapped: str, wrapped_by: str) -> bytes:
    """A district key, opened with the master key whose id its row records (a row from before
    ids were kept: with whichever key of the ring opens it). A key the ring does not hold is
    :class:`MasterKeyMissing`: this process's master key file is behind (or ahead of) the
    database, which the rotation procedure (docs/operations.md) keeps from happening."""
    keys = ring.by_id()
    if wrapped_by:
        if wrapped_by not in keys:
            raise MasterKeyMissing(f"district {tenant_id}'s key is wrapped by master key {wrapped_by}, which the "
                                   f"master key file does not hold (it holds {', '.join(keys)})")
        return ciphers.open_sealed(keys[wrapped_by], wrapped, _district_ad(tenant_id))
    for key in ring.keys:
        try:
            return ciphers.open_sealed(key, wrapped, _district_ad(tenant_id))
        except ciphers.CannotOpen:
            continue
    raise MasterKeyMissing(f"no master key in the master key file opens district {tenant_id}'s key")


async def _district_key(settings: Settings, scope: TenantScope, algorithm: str | None = None) -> tuple[str, bytes]:
    ring = key_ring(settings)
    async with scope.transaction(write=True):
        row = await scope.objects(DistrictKey).first()
        if row is None:
            algorithm = algorithm or DEFAULT_ALGORITHM
            key = ciphers.new_key(algorithm)
            wrapped, wrapped_by = wrap_district_key(ring, scope.tenant_id, key)
            await scope.create(DistrictKey, algorithm=algorithm, wrapped_key=wrapped, master_key_id=wrapped_by,
                               created_at=clock.now())
            return algorithm, key
    return row.algorithm, unwrap_district_key(ring, scope.tenant_id, row.wrapped_key, row.master_key_id)


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
    allows (the staff assigned); every read, and every refusal, is audited. A value erased
    under the district's retention raises :class:`Erased`."""
    target = f"{table}:{row_id}"
    if reader_id != person_id and not may_read(reader_id):
        await audit.record("sensitive.denied", actor_id=reader_id, tenant_id=scope.tenant_id, target=target,
                           purpose=purpose)
        raise PermissionDenied(Message("You may not read this."))
    from core.protection.retention import erased_at

    erased = erased_at(sealed)
    if erased is not None:
        raise Erased(erased)
    _algorithm, key = await _person_key(settings, scope, person_id, create=False)
    plaintext = ciphers.open_sealed(key, sealed, _value_ad(scope.tenant_id, table, row_id, person_id))
    await audit.record("sensitive.read", actor_id=reader_id, tenant_id=scope.tenant_id, target=target,
                       purpose=purpose, subject=person_id)
    return plaintext.decode()
