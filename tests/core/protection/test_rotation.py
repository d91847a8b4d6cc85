"""Rotating the master key: every district key is wrapped again under the new key, sealed data
then opens with the new key alone, an interrupted run finishes on the next, and a process
still holding the old file keeps working through the rotation."""

from dataclasses import replace

import pytest

from core import secrets
from core.audit.tables import AuditEntry
from core.config import Settings
from core.protection import rotation, services as protection
from core.protection.tables import DistrictKey
from core.tenancy import TenantScope
from tenants import services as tenants
from tenants.tables import TenantStatus


def _settings(path):
    return replace(Settings.from_env(), master_key_file=path)


@pytest.fixture
def old_key_file(tmp_path):
    path = tmp_path / "master.key"
    path.write_bytes(b"o" * secrets.KEY_BYTES)  # a single key, as made before key rings
    return path


def _copy(source, target):
    target.write_bytes(source.read_bytes())
    return _settings(target)


def _yes(_reader_id: int) -> bool:
    return True


async def _seal(settings, tenant_id, person_id, row_id, text):
    return await protection.seal(settings, TenantScope(tenant_id), person_id, "feedback_item", row_id, text)


async def _read(settings, tenant_id, person_id, row_id, sealed):
    return await protection.read(settings, TenantScope(tenant_id), reader_id=person_id, person_id=person_id,
                                 table="feedback_item", row_id=row_id, sealed=sealed, may_read=_yes)


async def _wrapped_by(tenant_id):
    return (await TenantScope(tenant_id).objects(DistrictKey).first()).master_key_id


async def _third_district():
    draft = tenants.clean_tenant({"slug": "xingping", "name": "兴平市", "division_code": "610481"})
    return await tenants.create_tenant(draft, status=TenantStatus.active)


async def test_rotation_wraps_every_district_key_again_and_data_opens_with_the_new_key_alone(
        old_key_file, tmp_path, tenant, other_tenant, make_person):
    settings = _settings(old_key_file)
    person = await make_person("刘芳", "13800000021")
    here = await _seal(settings, tenant.id, person.id, 1, "秦都区的隐私")
    there = await _seal(settings, other_tenant.id, person.id, 2, "渭城区的隐私")
    old_id = secrets.key_id(b"o" * secrets.KEY_BYTES)
    assert await _wrapped_by(tenant.id) == old_id
    csrf = secrets.derived_key(settings, "csrf")

    new_id = await rotation.add_key(settings)
    await rotation.make_current(settings, new_id)
    done = await rotation.rotate(settings)

    assert (done.key_id, done.rewrapped, done.unopened) == (new_id, 2, [])
    assert [await _wrapped_by(t.id) for t in (tenant, other_tenant)] == [new_id, new_id]
    assert [(s.key_id, s.current, s.district_keys) for s in await rotation.status(settings)] == [
        (new_id, True, 2), (old_id, False, 0)]
    await rotation.retire_key(settings, old_id)
    ring = secrets.key_ring(settings)
    assert [secrets.key_id(key) for key in ring.keys] == [new_id]
    assert b"o" * secrets.KEY_BYTES not in ring.keys

    # A process with only the new key (a file holding it alone) opens everything.
    only_new = tmp_path / "only-new.key"
    only_new.write_bytes(ring.current)
    assert await _read(_settings(only_new), tenant.id, person.id, 1, here) == "秦都区的隐私"
    assert await _read(_settings(only_new), other_tenant.id, person.id, 2, there) == "渭城区的隐私"
    # The secrets derived for one purpose stay as they were (sessions, CSRF, TOTP, Web Push).
    assert secrets.derived_key(settings, "csrf") == csrf
    # Audited: in each district, and for the platform.
    rewrapped = await AuditEntry.select(AuditEntry.tenant_id).where(AuditEntry.action == "district_key.rewrapped")
    assert sorted(row["tenant_id"] for row in rewrapped) == sorted([tenant.id, other_tenant.id])
    platform = {row["action"] for row in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.tenant_id.is_null())}
    assert {"master_key.added", "master_key.made_current", "master_key.rotation_finished",
            "master_key.retired"} <= platform


async def test_an_interrupted_rotation_finishes_when_run_again(old_key_file, tenant, other_tenant, make_person):
    settings = _settings(old_key_file)
    person = await make_person("刘芳", "13800000021")
    sealed = {t.id: await _seal(settings, t.id, person.id, 3, f"{t.name}的记录") for t in (tenant, other_tenant)}
    new_id = await rotation.add_key(settings)
    await rotation.make_current(settings, new_id)

    first = await rotation.rotate(settings, limit=1)  # stopped half-way
    assert (first.rewrapped, first.stopped_early) == (1, True)
    assert sorted([await _wrapped_by(tenant.id), await _wrapped_by(other_tenant.id)]) == sorted(
        [new_id, secrets.key_id(b"o" * secrets.KEY_BYTES)])
    with pytest.raises(rotation.RotationRefused):  # the old key is still needed
        await rotation.retire_key(settings, secrets.key_id(b"o" * secrets.KEY_BYTES))
    for t in (tenant, other_tenant):  # half-way, both open
        assert await _read(settings, t.id, person.id, 3, sealed[t.id]) == f"{t.name}的记录"

    second = await rotation.rotate(settings)
    assert (second.rewrapped, second.stopped_early) == (1, False)
    assert [await _wrapped_by(t.id) for t in (tenant, other_tenant)] == [new_id, new_id]
    assert (await rotation.rotate(settings)).rewrapped == 0  # nothing left to do
    for t in (tenant, other_tenant):
        assert await _read(settings, t.id, person.id, 3, sealed[t.id]) == f"{t.name}的记录"


async def test_a_process_still_holding_the_old_file_keeps_working_during_the_rotation(
        old_key_file, tmp_path, tenant, other_tenant, make_person):
    person = await make_person("刘芳", "13800000021")
    operator = _settings(old_key_file)
    before = await _seal(operator, tenant.id, person.id, 4, "轮换前")
    new_id = await rotation.add_key(operator)
    # Step 1 is on every host: this process has the file with both keys, the old one current.
    lagging = _copy(old_key_file, tmp_path / "lagging.key")
    await rotation.make_current(operator, new_id)  # step 2 reached the operator's host only
    await _seal(operator, other_tenant.id, person.id, 5, "渭城区")  # its district key: under the new key
    assert (await rotation.rotate(operator, limit=1)).rewrapped == 1  # 秦都区's, wrapped again
    assert {await _wrapped_by(t.id) for t in (tenant, other_tenant)} == {new_id}

    # Mid-rotation, the lagging process reads rows under either key and seals new values…
    assert await _read(lagging, tenant.id, person.id, 4, before) == "轮换前"
    during = await _seal(lagging, other_tenant.id, person.id, 6, "轮换中")
    assert await _read(lagging, other_tenant.id, person.id, 6, during) == "轮换中"
    # …and a district whose first value it seals gets a key under the old master key.
    third = await _third_district()
    made = await _seal(lagging, third.id, person.id, 7, "兴平市")
    assert await _wrapped_by(third.id) == secrets.key_id(b"o" * secrets.KEY_BYTES)

    done = await rotation.rotate(operator)  # run again once step 2 is everywhere: that one too
    assert done.rewrapped == 1 and done.unopened == []
    assert {await _wrapped_by(t.id) for t in (tenant, other_tenant, third)} == {new_id}
    assert await _read(lagging, third.id, person.id, 7, made) == "兴平市"
    assert await _read(operator, other_tenant.id, person.id, 6, during) == "轮换中"


async def test_a_process_without_the_new_key_is_told_which_key_it_lacks(old_key_file, tmp_path, tenant,
                                                                        make_person):
    """Why step 1 comes first: a file that never held the new key cannot open what it wrapped."""
    person = await make_person("刘芳", "13800000021")
    stale = _copy(old_key_file, tmp_path / "stale.key")
    operator = _settings(old_key_file)
    sealed = await _seal(operator, tenant.id, person.id, 8, "记录")
    new_id = await rotation.add_key(operator)
    await rotation.make_current(operator, new_id)
    await rotation.rotate(operator)
    with pytest.raises(secrets.MasterKeyMissing, match=new_id):
        await _read(stale, tenant.id, person.id, 8, sealed)


async def test_the_current_key_and_unknown_keys_cannot_be_retired(old_key_file):
    settings = _settings(old_key_file)
    with pytest.raises(rotation.RotationRefused):
        await rotation.retire_key(settings, secrets.key_id(b"o" * secrets.KEY_BYTES))
    with pytest.raises(rotation.RotationRefused):
        await rotation.retire_key(settings, "000000000000")
    with pytest.raises(rotation.RotationRefused):
        await rotation.make_current(settings, "000000000000")
