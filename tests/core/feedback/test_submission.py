"""Submitting feedback: a tracking number at once, one item per idempotency key, the place
and responsible party from the resident's membership, private text sealed at rest."""

import asyncio

import pytest

from core.config import Settings
from core.errors import Conflict, ValidationFailed
from core.events.tables import Event
from core.feedback import categories, registry, services, tracking
from core.feedback.tables import FeedbackCategory, FeedbackItem, TimelineEntry
from core.tenancy import TenantScope


def _data(place, **changes):
    return {"category": str(place["categories"]["sanitation"].id), "description": "楼道堆放杂物，影响通行。",
            **changes}


async def _submit(place, key="key-000001", **changes):
    scope = place["scope"]
    submission = await services.clean(scope, _data(place, **changes), person_id=place["resident"].id)
    return await services.submit(Settings.from_env(), scope, "qindu", place["resident"].id, submission,
                                 idempotency_key=key)


def test_the_registries_hold_cores_types_and_categories():
    assert registry.escalation_chain("grid") == ["grid", "community", "street", "supervision"]
    assert registry.escalation_chain("department") == ["department"]
    assert registry.CATEGORIES["family"].private
    with pytest.raises(ValueError):
        registry.register_category(registry.CategorySpec("x", "x", 24, 72, "no_such_type"))


def test_tracking_prefixes_come_from_the_pinyin_slug():
    assert [tracking.prefix(s) for s in ("qindu", "weicheng", "xingping", "a")] == ["QD", "WC", "XP", "A"]


async def test_a_submission_gets_a_tracking_number_a_party_deadlines_and_a_timeline(place):
    item, created = await _submit(place)
    assert created and item.tracking_number.startswith("QD-") and item.tracking_number.endswith("-000001")
    assert (item.community_id, item.grid_id) == (place["community"].id, place["grid"].id)  # from her membership
    assert (item.party_type, item.party_id) == ("grid", place["grid"].id)
    assert (item.resolve_due - item.accept_due).total_seconds() == 48 * 3600
    entries = await services.timeline(place["scope"], item.id)
    assert [(e.action, e.to_state) for e in entries] == [("submit", "submitted")]
    assert await place["scope"].count(Event).where(Event.name == "feedback_submitted") == 1
    second, _ = await _submit(place, key="key-000002", description="路灯不亮。")
    assert second.tracking_number.endswith("-000002")


async def test_the_same_key_twice_is_one_item_and_a_different_body_is_refused(place):
    first, created = await _submit(place)
    again, created_again = await _submit(place)
    assert created and not created_again and again.id == first.id
    with pytest.raises(Conflict):
        await _submit(place, description="另一件事。")
    assert await place["scope"].count(FeedbackItem) == 1 and await place["scope"].count(TimelineEntry) == 1


async def test_the_same_key_sent_at_once_is_still_one_item(place):
    results = await asyncio.gather(*(_submit(place) for _ in range(5)), return_exceptions=True)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({item.id for item, _created in results}) == 1
    assert await place["scope"].count(FeedbackItem) == 1


async def test_bad_submissions_are_refused_field_by_field(place):
    scope, person = place["scope"], place["resident"].id
    with pytest.raises(ValidationFailed) as refused:
        await services.clean(scope, {"description": "", "latitude": "91", "grid": "99999"}, person_id=person)
    assert set(refused.value.errors) == {"category", "description", "latitude", "grid"}
    with pytest.raises(ValidationFailed) as refused:
        await services.clean(scope, _data(place, description="长" * 4001, longitude="108.7"), person_id=person)
    assert set(refused.value.errors) == {"description", "latitude"}
    with pytest.raises(Conflict):
        await _submit(place, key="short")


async def test_a_private_category_keeps_no_readable_text(place):
    item, _ = await _submit(place, category=str(place["categories"]["family"].id), description="家中老人需要照护。",
                            public="1")
    row = await place["scope"].get(FeedbackItem, item.id)
    assert row.description == "" and row.sealed_description and "老人" not in row.sealed_description
    assert row.public is False  # a private item is never public, whatever was ticked


async def test_a_grid_worker_enters_it_for_a_resident_only_with_their_agreement(place):
    worker = place["grid_worker"]
    scope = place["scope"]
    submission = await services.clean(scope, _data(place), person_id=place["resident"].id)
    with pytest.raises(Conflict):
        await services.submit(Settings.from_env(), scope, "qindu", place["resident"].id, submission,
                              idempotency_key="worker-0001", entered_by=worker.id)
    item, _ = await services.submit(Settings.from_env(), scope, "qindu", place["resident"].id, submission,
                                    idempotency_key="worker-0001", entered_by=worker.id, resident_agreed=True)
    assert item.entered_by == worker.id and item.submitter == place["resident"].id
    assert (await services.timeline(scope, item.id))[0].actor == worker.id


# Core's own; plugins' categories reach a district when it enables the plugin.
CORE_CATEGORIES = [key for key, spec in registry.CATEGORIES.items() if spec.plugin is None]


async def test_categories_are_copied_once_from_the_registry(place):
    assert await categories.ensure_registered(place["scope"]) == 0
    assert await place["scope"].count(FeedbackCategory) == len(CORE_CATEGORIES)


async def test_a_new_district_starts_with_cores_categories(make_tenant):
    district = await make_tenant("liquan", "礼泉县", "610425")
    names = [c.name for c in await categories.enabled(TenantScope(district.id))]
    assert names[:2] == ["环境卫生", "市容秩序"] and len(names) == len(CORE_CATEGORIES)


async def test_the_party_hears_of_a_new_item_and_a_resident_of_one_entered_for_them(place, jobs):
    from core.notifications import services as notifications

    async def titles(person):
        entries, _ = await notifications.inbox(place["scope"], person.id)
        return [entry.title for entry in entries]

    item, _ = await _submit(place)
    await jobs.run_due()
    assert f"{item.tracking_number}需要您办理。" in await titles(place["grid_worker"])
    assert not any(item.tracking_number in title for title in await titles(place["resident"]))
    submission = await services.clean(place["scope"], _data(place), person_id=place["resident"].id)
    entered, _ = await services.submit(Settings.from_env(), place["scope"], "qindu", place["resident"].id,
                                       submission, idempotency_key="worker-0002", entered_by=place["grid_worker"].id,
                                       resident_agreed=True)
    await jobs.run_due()
    assert f"已为您登记诉求 {entered.tracking_number}，可在此查看进展。" in await titles(place["resident"])
