"""The service's kinds of sensitive data, declared in its manifest and erased through its hook:
session notes by when they were written, questionnaires by when they were filled in, a
referral's summary once closed that long; erased the same whether or not the district still
has the service enabled."""

from datetime import datetime, timedelta, timezone

from core import clock
from core.accounts import services as accounts
from core.plugins import enablement
from core.plugins.host import host
from core.protection import retention
from plugins.mental_health import care, network, services
from plugins.mental_health.instruments import PHQ9
from plugins.mental_health.tables import Note, Screening
from tests.plugins.mental_health.conftest import BASE, RESIDENT_PHONE

START = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def test_the_manifest_declares_its_kinds_with_their_defaults():
    host()  # registers the installed plugins' declarations
    kinds = {key: kind for key, kind in retention.KINDS.items() if kind.plugin == "mental_health"}
    assert {key: kind.default_days for key, kind in kinds.items()} == {
        "mental_health_session_note": 1095, "mental_health_screening": 1095, "mental_health_referral_summary": 1095}
    assert kinds["mental_health_session_note"].label.zh == "心理咨询记录"


async def test_notes_past_the_retention_are_erased_and_read_as_erased(district, resident, make_person):
    counsellor = await make_person("王敏", "13800000021")
    await accounts.add_membership(district, counsellor.id, [network.COUNSELLOR])
    await care.assign(district, counsellor.id, {"district_admin"}, resident.id, counsellor.id)
    clock.set_now(START, frozen=True)
    old = await care.write_note(district, counsellor.id, resident.id, {"text": "第一次会谈：睡眠不好。"})
    clock.advance(timedelta(days=200))
    recent = await care.write_note(district, counsellor.id, resident.id, {"text": "第二次会谈：好转。"})
    await retention.set_days(district, "mental_health_session_note", 365, actor_id=None)
    await enablement.set_enabled(district, "mental_health", False, actor_id=None)  # disabling keeps the data…

    clock.advance(timedelta(days=170))  # the first is 370 days old, the second 170
    assert await retention.enforce(district) == {"mental_health_session_note": 1}  # …and its retention
    assert await retention.enforce(district) == {}
    assert retention.erased_at((await district.get(Note, old.id)).sealed) == clock.now()
    assert (await district.get(Note, recent.id)).sealed.startswith("v1:")

    await enablement.set_enabled(district, "mental_health", True, actor_id=None)
    shown = {row["id"]: str(row["text"]) for row in await care.notes(district, counsellor.id, resident.id)}
    assert shown[recent.id] == "第二次会谈：好转。"
    assert clock.local(clock.now()).date().isoformat() in shown[old.id] and "睡眠" not in shown[old.id]


async def test_questionnaires_past_the_retention_lose_their_answers_and_leave_the_trend(district, resident,
                                                                                         client, sign_in):
    clock.set_now(START, frozen=True)
    await services.give_consent(district, resident.id, {"agree": "1"})
    old, _new = await services.screen(district, resident.id, PHQ9, {
        **{f"item{n}": "2" for n in range(1, 10)}, "idempotency_key": "retention-screen-0001"})
    clock.advance(timedelta(days=300))
    recent, _new = await services.screen(district, resident.id, PHQ9, {
        **{f"item{n}": "1" for n in range(1, 10)}, "idempotency_key": "retention-screen-0002"})
    await retention.set_days(district, "mental_health_screening", 365, actor_id=None)

    clock.advance(timedelta(days=100))  # the first is 400 days old, the second 100
    assert await retention.enforce(district) == {"mental_health_screening": 1}
    assert retention.erased_at((await district.get(Screening, old.id)).sealed) == clock.now()
    erased = await services.result(district, resident.id, old.id)
    assert (erased["score"], erased["band"], erased["answers"]) == (None, None, [])
    assert clock.local(clock.now()).date().isoformat() in str(erased["erased"])
    assert (await services.result(district, resident.id, recent.id))["score"] == 9
    assert [point["id"] for point in await services.trend(district, resident.id, "phq9")] == [recent.id]
    await sign_in(client, RESIDENT_PHONE)  # now, as the clock stands
    page = await client.get(f"{BASE}/screenings/{old.id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and clock.local(clock.now()).date().isoformat() in page.text
    assert 'id="band-article"' not in page.text
