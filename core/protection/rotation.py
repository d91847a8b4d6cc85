"""Rotating the master key: the keys in the master key file, and every district key wrapped
again under the current one, with no downtime.

A district key's row records the id of the master key that wrapped it, and a process opens
it with that key from its key ring (``core.secrets``). So while the file on every host holds
both the old and the new key, every process opens every row, whichever key wrapped it; the
procedure in docs/operations.md gets there in steps (add, make current, rotate, retire), each
of which leaves every process working. :func:`rotate` is idempotent and can be stopped at any
point: each district key is wrapped again in a transaction of its own, and a second run does
what the first left.

The keys derived for one purpose (CSRF, TOTP, Web Push, one-time codes) come from the key
ring's derivation secret, which none of this changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from core import clock, platform_scope
from core.audit import services as audit
from core.config import Settings
from core.protection import ciphers
from core.protection.services import unwrap_district_key, wrap_district_key
from core.protection.tables import DistrictKey
from core.secrets import KEY_BYTES, KeyRing, MasterKeyMissing, key_id, key_ring, master_key_path, parse_ring, write_ring
from core.tenancy import TenantScope

BATCH = 200


class RotationRefused(Exception):
    """A step of the procedure that would leave a district key nobody can open."""


@dataclass
class Rotation:
    """What one run of :func:`rotate` did."""

    key_id: str
    rewrapped: int = 0
    # District keys this process could not open (their master key is not in its file): left as they were.
    unopened: list[int] = field(default_factory=list)
    stopped_early: bool = False


@dataclass(frozen=True)
class KeyStatus:
    key_id: str
    current: bool
    in_file: bool
    district_keys: int


async def status(settings: Settings) -> list[KeyStatus]:
    """Each master key the file holds or a district key names, current first, with how many
    district keys it wraps (an id of ``""``: district keys wrapped before ids were kept)."""
    ring = key_ring(settings)
    counts = await platform_scope.district_keys_by_master_key()
    ids = [key_id(key) for key in ring.keys] + sorted(set(counts) - set(ring.by_id()))
    return [KeyStatus(found, found == ring.current_id, found in ring.by_id(), counts.get(found, 0)) for found in ids]


async def rotate(settings: Settings, *, limit: int | None = None) -> Rotation:
    """Wrap every district key again under the current master key (at most ``limit`` of them
    in this run). Keys already under it are left alone, so running it again finishes what an
    interrupted run began, and changes nothing once all are done."""
    ring = key_ring(settings)
    done = Rotation(ring.current_id)
    await audit.record("master_key.rotation_started", target=f"master key {ring.current_id}")
    after = 0
    while True:
        batch = await platform_scope.district_keys_to_rewrap(ring.current_id, after=after, limit=BATCH)
        if not batch:
            break
        for row in batch:
            if limit is not None and done.rewrapped >= limit:
                done.stopped_early = True
                break
            try:
                if await _rewrap(ring, row["tenant_id"], row["id"]):
                    done.rewrapped += 1
            except (MasterKeyMissing, ciphers.CannotOpen):
                done.unopened.append(row["tenant_id"])
        if done.stopped_early:
            break
        after = batch[-1]["id"]
    await audit.record("master_key.rotation_finished" if not done.stopped_early else "master_key.rotation_paused",
                       target=f"master key {ring.current_id}", rewrapped=done.rewrapped, unopened=done.unopened)
    return done


async def _rewrap(ring: KeyRing, tenant_id: int, row_id: int) -> bool:
    """One district key, wrapped again under the ring's current key, in its district's own
    transaction (the row locked, so two runs at once do it once)."""
    scope = TenantScope(tenant_id)
    async with scope.transaction(write=True):
        row = await scope.get(DistrictKey, row_id, for_update=True)
        if row is None or row.master_key_id == ring.current_id:
            return False
        key = unwrap_district_key(ring, tenant_id, row.wrapped_key, row.master_key_id)
        wrapped, wrapped_by = wrap_district_key(ring, tenant_id, key)
        if unwrap_district_key(ring, tenant_id, wrapped, wrapped_by) != key:  # never write what does not open
            raise ciphers.CannotOpen("the key did not open after wrapping")
        await scope.update(DistrictKey, {DistrictKey.wrapped_key: wrapped, DistrictKey.master_key_id: wrapped_by,
                                         DistrictKey.rewrapped_at: clock.now()}).where(DistrictKey.id == row.id)
        await audit.record("district_key.rewrapped", tenant_id=tenant_id, target=f"master key {wrapped_by}",
                           previous=row.master_key_id or "unknown")
    return True


# The master key file ------------------------------------------------------------------------


def read_key_file(path) -> bytes:
    """The key in a file made elsewhere (32 raw bytes, or the current key of a key ring)."""
    return parse_ring(open(path, "rb").read(), str(path)).current


async def add_key(settings: Settings, new_key: bytes | None = None) -> str:
    """Add a key to the master key file (made here, unless given), not current yet: once the
    file is on every host, every process opens what it will wrap. Returns its id."""
    ring = key_ring(settings)
    new_key = new_key if new_key is not None else os.urandom(KEY_BYTES)
    if len(new_key) != KEY_BYTES:
        raise RotationRefused(f"a master key is {KEY_BYTES} bytes")
    if new_key not in ring.keys:
        write_ring(master_key_path(settings), KeyRing(ring.keys + (new_key,), ring.derive))
    await audit.record("master_key.added", target=f"master key {key_id(new_key)}")
    return key_id(new_key)


async def make_current(settings: Settings, wanted: str) -> None:
    """Make a key of the file the current one: it wraps every district key made from now on."""
    ring = key_ring(settings)
    keys = ring.by_id()
    if wanted not in keys:
        raise RotationRefused(f"the master key file holds no key {wanted}")
    rest = tuple(key for key in ring.keys if key != keys[wanted])
    write_ring(master_key_path(settings), KeyRing((keys[wanted], *rest), ring.derive))
    await audit.record("master_key.made_current", target=f"master key {wanted}")


async def retire_key(settings: Settings, retired: str) -> None:
    """Take a key out of the master key file, once no district key is wrapped by it (nor by a
    key of unknown id); never the current one."""
    ring = key_ring(settings)
    keys = ring.by_id()
    if retired not in keys:
        raise RotationRefused(f"the master key file holds no key {retired}")
    if retired == ring.current_id:
        raise RotationRefused("the current master key cannot be retired; make another one current first")
    counts = await platform_scope.district_keys_by_master_key()
    waiting = counts.get(retired, 0) + counts.get("", 0)
    if waiting:
        raise RotationRefused(f"{waiting} district keys may still be wrapped by {retired}; run the rotation first")
    write_ring(master_key_path(settings), KeyRing(tuple(k for k in ring.keys if k != keys[retired]), ring.derive))
    await audit.record("master_key.retired", target=f"master key {retired}")
