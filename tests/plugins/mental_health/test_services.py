"""Consent, sealed screenings, the crisis route's urgent referral, and a person's data, as the
service keeps them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.errors import PermissionDenied, ValidationFailed
from core.notifications.tables import InboxEntry
from core.plugins.host import host
from plugins.mental_health import network, services
from plugins.mental_health.instruments import GAD7, PHQ9
from plugins.mental_health.tables import Consent, Referral, Screening

KEY = "3f0c6a2e-1111-4c1b-9d7e-000000000001"


def _form(answers: list[int], key: str = KEY) -> dict[str, str]:
    return {**{f"item{n}": str(a) for n, a in enumerate(answers, start=1)}, "idempotency_key": key}


async def test_the_plugin_is_installed_from_gongzhis_own_package():
    loaded = host().plugins["mental_health"]
    assert loaded.manifest.category == "health"
    assert set(loaded.manifest.capabilities) == {"residents:read", "notify:send", "encryption:use", "audit:write",
                                                 "appointments:use"}
    assert {role.name for role in loaded.manifest.roles} == {"mental_health.counsellor", "mental_health.supervisor",
                                                                  "mental_health.helper"}


# Consent -----------------------------------------------------------------------------------


async def test_screening_needs_a_standing_consent_to_the_current_version(district, resident, monkeypatch):
    with pytest.raises(PermissionDenied):
        await services.screen(district, resident.id, PHQ9, _form([0] * 9))
    await services.give_consent(district, resident.id, {"agree": "1"})
    screening, new = await services.screen(district, resident.id, PHQ9, _form([0] * 9))
    assert new
    # A new text of the consent asks again: the old consent no longer lets a screening through.
    first_version = services.CONSENT_VERSION
    monkeypatch.setattr(services, "CONSENT_VERSION", "2099-01")
    assert await services.current_consent(district, resident.id) is None
    with pytest.raises(PermissionDenied):
        await services.screen(district, resident.id, GAD7, _form([0] * 7, key="another-form-key-1"))
    await services.give_consent(district, resident.id, {"agree": "1"})
    assert [row["version"] for row in await services.consents(district, resident.id)] == ["2099-01", first_version]


async def test_withdrawing_is_recorded_with_its_time_and_stops_screening(district, resident):
    await services.give_consent(district, resident.id, {"agree": "1"})
    assert await services.withdraw_consent(district, resident.id) is True
    [row] = await district.select(Consent)
    assert row["withdrawn_at"] is not None and row["given_at"] <= row["withdrawn_at"]
    with pytest.raises(PermissionDenied):
        await services.screen(district, resident.id, PHQ9, _form([0] * 9))
    assert await district.count(Screening) == 0
    assert await AuditEntry.count().where(AuditEntry.action == "mental_health.consent.withdrawn") == 1


async def test_under_14_needs_a_guardian_who_agrees(district, resident):
    with pytest.raises(ValidationFailed) as refused:
        await services.give_consent(district, resident.id, {"agree": "1", "under_14": "1"})
    assert set(refused.value.errors) == {"guardian_name", "guardian_relation", "guardian_agrees"}
    with pytest.raises(ValidationFailed) as refused:
        await services.give_consent(district, resident.id, {"agree": "1", "under_14": "1", "guardian_name": "李华",
                                                            "guardian_relation": "母亲"})
    assert set(refused.value.errors) == {"guardian_agrees"}
    assert await district.count(Consent) == 0
    consent = await services.give_consent(district, resident.id, {
        "agree": "1", "under_14": "1", "guardian_name": "李华", "guardian_relation": "母亲", "guardian_agrees": "1"})
    assert (consent.guardian_name, consent.guardian_relation) == ("李华", "母亲")


async def test_consent_must_be_ticked(district, resident):
    with pytest.raises(ValidationFailed) as refused:
        await services.give_consent(district, resident.id, {})
    assert set(refused.value.errors) == {"agree"}


# Screening ---------------------------------------------------------------------------------


async def test_answers_score_and_band_are_kept_only_sealed(district, resident):
    await services.give_consent(district, resident.id, {"agree": "1"})
    screening, _new = await services.screen(district, resident.id, PHQ9, _form([1, 2, 1, 0, 0, 1, 0, 0, 0]))
    [raw] = await district.select(Screening).where(Screening.id == screening.id)
    sealed = raw["sealed"]
    assert sealed and '"score"' not in sealed and '"answers"' not in sealed and "mild" not in sealed
    with pytest.raises(ValueError):
        json.loads(sealed)
    assert set(raw) == {"id", "tenant_id", "person_id", "instrument", "idempotency_key", "sealed", "crisis",
                        "created_at"}, "no other column holds a result"
    opened = await services.result(district, resident.id, screening.id)
    assert (opened["answers"], opened["score"], opened["band"]) == ([1, 2, 1, 0, 0, 1, 0, 0, 0], 5, "mild")
    assert await AuditEntry.count().where(AuditEntry.action == "sensitive.read") == 1


async def test_the_same_form_twice_is_one_screening(district, resident):
    await services.give_consent(district, resident.id, {"agree": "1"})
    first, new = await services.screen(district, resident.id, GAD7, _form([1] * 7))
    again, new_again = await services.screen(district, resident.id, GAD7, _form([1] * 7))
    assert (new, new_again) == (True, False) and first.id == again.id
    assert await district.count(Screening) == 1


async def test_unscorable_answers_are_refused_item_by_item_and_nothing_is_kept(district, resident):
    await services.give_consent(district, resident.id, {"agree": "1"})
    form = _form([0] * 9)
    del form["item2"]
    form["item5"] = "4"
    with pytest.raises(ValidationFailed) as refused:
        await services.screen(district, resident.id, PHQ9, form)
    assert set(refused.value.errors) == {"item2", "item5"}
    assert await district.count(Screening) == 0


async def test_another_person_may_not_read_a_result_and_the_refusal_is_audited(district, resident, make_person):
    await services.give_consent(district, resident.id, {"agree": "1"})
    screening, _new = await services.screen(district, resident.id, PHQ9, _form([0] * 9))
    staff = await make_person("张伟", "13800000021")
    await accounts.add_membership(district, staff.id, ["staff", "mental_health.counsellor"])
    with pytest.raises(services.Unreadable):
        await services.result(district, staff.id, screening.id)
    denied = await AuditEntry.select().where(AuditEntry.action == "sensitive.denied")
    assert [(row["actor_id"], row["target"]) for row in denied] == [
        (staff.id, f"mental_health_screening:{screening.id}")]


# The crisis route ----------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [[0, 0, 0, 0, 0, 0, 0, 0, 1], [3, 3, 3, 3, 3, 3, 2, 0, 0]],
                         ids=["item 9 above 0", "severe band"])
async def test_a_crisis_makes_one_urgent_referral_even_sent_twice(district, resident, jobs, answers):
    await services.give_consent(district, resident.id, {"agree": "1"})
    screening, _new = await services.screen(district, resident.id, PHQ9, _form(answers))
    await services.screen(district, resident.id, PHQ9, _form(answers))
    assert screening.crisis is True
    [referral] = await district.select(Referral)
    assert (referral["screening"], referral["person_id"], referral["level"], referral["state"], referral["urgent"]) == (
        screening.id, resident.id, "community_station", "sent", True)
    assert referral["acknowledge_due"] - referral["created_at"] == timedelta(minutes=15)
    assert referral["due_at"] == referral["acknowledge_due"]


async def test_no_crisis_no_referral(district, resident):
    await services.give_consent(district, resident.id, {"agree": "1"})
    screening, _new = await services.screen(district, resident.id, PHQ9, _form([2, 2, 2, 2, 2, 0, 0, 0, 0]))
    assert screening.crisis is False and await district.count(Referral) == 0


async def test_the_counsellors_are_told_urgently_with_a_link_to_the_referral(district, resident, make_person, jobs):
    counsellor = await make_person("王敏", "13800000031")
    await accounts.add_membership(district, counsellor.id, ["mental_health.counsellor"])
    await services.give_consent(district, resident.id, {"agree": "1"})
    await services.screen(district, resident.id, PHQ9, _form([0, 0, 0, 0, 0, 0, 0, 0, 2]))
    await jobs.run_due()
    [referral] = await district.select(Referral)
    entries = await district.select(InboxEntry, InboxEntry.person, InboxEntry.notification.link,
                                    InboxEntry.notification.kind, InboxEntry.notification.urgent)
    assert [(e["person"], e["notification.kind"]) for e in entries] == [
        (counsellor.id, "mental_health.urgent_referral")]
    assert entries[0]["notification.link"] == f"/t/qindu/p/mental_health/console/referrals/{referral['id']}"
    assert resident.id not in {e["person"] for e in entries}
    assert entries[0]["notification.urgent"] is True, "urgent: quiet hours are ignored"


async def test_the_sdk_names_the_counsellors(district, make_person):
    counsellor = await make_person("王敏", "13800000031")
    await accounts.add_membership(district, counsellor.id, ["mental_health.counsellor"])
    other = await make_person("李强", "13800000032")
    await accounts.add_membership(district, other.id, ["staff"])
    assert await network.counsellors_of(district) == [counsellor.id]


# A person's data -------------------------------------------------------------------------------


async def test_export_lists_consents_and_when_screenings_were_made_and_erasure_deletes_them(district, resident,
                                                                                          make_person):
    from plugins.mental_health import plugin as hooks

    neighbour = await make_person("赵云", "13800000041")
    await accounts.add_membership(district, neighbour.id, ["resident"])
    for person in (resident, neighbour):
        await services.give_consent(district, person.id, {"agree": "1"})
    screening, _new = await services.screen(district, resident.id, PHQ9, _form([0, 0, 0, 0, 0, 0, 0, 0, 1]))
    await services.screen(district, neighbour.id, PHQ9, _form([0, 0, 0, 0, 0, 0, 0, 0, 1], key="neighbours-key-1"))
    exported = await hooks.export_personal_data(resident.id)
    assert [row["version"] for row in exported["mental_health_consents"]] == [services.CONSENT_VERSION]
    assert [(row["id"], row["instrument"]) for row in exported["mental_health_screenings"]] == [(screening.id, "phq9")]
    assert "sealed" not in exported["mental_health_screenings"][0]
    assert len(exported["mental_health_referrals"]) == 1
    async with district.transaction(write=True):
        await hooks.erase_personal_data(resident.id, "已注销用户")
    for table in (Consent, Screening, Referral):
        assert {row["person_id"] for row in await district.select(table)} == {neighbour.id}, table
    assert await hooks.export_personal_data(resident.id) is None
