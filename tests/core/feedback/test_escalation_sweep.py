"""The escalation sweep in sets: thousands of overdue items in one run, batch by batch, each
moved once with its timeline entry, event and notifications; a second run moves nothing; an
item a member of staff accepts or resolves while the sweep runs stays where it is."""

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

from core import clock
from core.config import Settings
from core.events.tables import Event
from core.feedback import parties, services, workflow
from core.feedback.tables import FeedbackItem, TimelineEntry
from core.notifications.tables import InboxEntry, Notification

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
SETTINGS = Settings.from_env()

# (how many, state, party, overdue): 2,900 items, 2,600 of them overdue, 2,300 of those below the top.
KINDS = (
    (1000, "submitted", "grid", True),  # → community
    (800, "in_progress", "community", True),  # → street
    (500, "accepted", "street", True),  # → district supervision
    (300, "submitted", "supervision", True),  # at the top: only the deadline moves
    (200, "submitted", "grid", False),  # not yet due
    (100, "closed", "grid", True),  # past its deadlines, but closed
)
BATCH = 700  # several batches, the last one short


async def _seed(place) -> dict[str, list[int]]:
    """The items of KINDS, written directly (submitting them one by one takes minutes)."""
    scope, category = place["scope"], place["categories"]["sanitation"]
    unit = {"grid": place["grid"].id, "community": place["community"].id, "street": place["street"].id,
            "supervision": None}
    rows, kinds = [], []
    for count, state, party, overdue in KINDS:
        due = T0 - timedelta(hours=1) if overdue else T0 + timedelta(hours=1)
        for _ in range(count):
            n = len(rows) + 1
            rows.append({
                "tracking_number": f"QD-2026-{n:06d}", "category": category.id, "submitter": place["resident"].id,
                "description": "楼道堆放杂物", "community_id": place["community"].id, "grid_id": place["grid"].id,
                "state": state, "party_type": party, "party_id": unit[party], "accept_due": due,
                "resolve_due": due, "idempotency_key": f"sweep-{n}", "body_hash": "", "revision": 3,
                "created_at": T0 - timedelta(days=3), "updated_at": T0 - timedelta(days=3)})
            kinds.append(f"{state}@{party}" + ("" if overdue else " (not due)"))
    ids = []
    for start in range(0, len(rows), 500):
        ids += await scope.insert_many(FeedbackItem, rows[start:start + 500])
    found: dict[str, list[int]] = {}
    for item_id, kind in zip(ids, kinds):
        found.setdefault(kind, []).append(item_id)
    return found


async def _counts(scope):
    kinds = Counter(row["kind"] for row in await scope.select(Notification, Notification.kind))
    return (await scope.count(TimelineEntry).where(TimelineEntry.action == "escalate"),
            await scope.count(Event).where(Event.name == "feedback_status_changed"),
            kinds["feedback_changed"], kinds["feedback_for_party"])


async def test_thousands_of_items_move_up_once_each_in_one_sweep(place, jobs):
    scope = place["scope"]
    clock.set_now(T0, frozen=True)
    kinds = await _seed(place)
    climbing = {"submitted@grid": ("community", place["community"].id, place["community_staff"].id),
                "in_progress@community": ("street", place["street"].id, place["street_staff"].id),
                "accepted@street": ("supervision", None, place["admin"].id)}
    moved = sum(len(kinds[kind]) for kind in climbing)

    assert await workflow.escalate_overdue(scope, "qindu", batch=BATCH) == moved == 2300
    rows = {row["id"]: row for row in await scope.select(FeedbackItem)}
    for kind, (party_type, party_id, _staff) in climbing.items():
        for item_id in kinds[kind]:
            row = rows[item_id]
            assert (row["party_type"], row["party_id"], row["escalation_level"], row["revision"]) == (
                party_type, party_id, 1, 4), kind
            assert row["updated_at"] == T0
            fresh, kept = ("accept_due", "resolve_due") if row["state"] == "submitted" else (
                "resolve_due", "accept_due")
            hours = 24 if fresh == "accept_due" else 72
            assert (row[fresh], row[kept]) == (T0 + timedelta(hours=hours), T0 - timedelta(hours=1)), kind
    for item_id in kinds["submitted@supervision"]:  # the top: a fresh deadline, nothing else
        row = rows[item_id]
        assert (row["party_type"], row["escalation_level"], row["revision"], row["accept_due"]) == (
            "supervision", 0, 3, T0 + timedelta(hours=24))
    for kind in ("submitted@grid (not due)", "closed@grid"):
        assert {(rows[i]["escalation_level"], rows[i]["revision"], rows[i]["updated_at"]) for i in kinds[kind]} == {
            (0, 3, T0 - timedelta(days=3))}, kind

    # Once each: a timeline entry with the new party, an event, the submitter and the party's staff told.
    entries = await scope.select(TimelineEntry).where(TimelineEntry.action == "escalate")
    assert Counter(e["item"] for e in entries) == Counter({i: 1 for kind in climbing for i in kinds[kind]})
    for entry in entries:
        row = rows[entry["item"]]
        assert (entry["from_state"], entry["to_state"], entry["party_type"], entry["party_id"], entry["actor"],
                entry["at"], entry["note"]) == (row["state"], row["state"], row["party_type"], row["party_id"], None,
                                                T0, "")
    events = await scope.select(Event).where(Event.name == "feedback_status_changed")
    payloads = [json.loads(e["payload"]) for e in events]
    assert sorted(p["feedback_id"] for p in payloads) == sorted(i for kind in climbing for i in kinds[kind])
    assert {(p["action"], p["person_id"], p["old_status"] == p["new_status"] == rows[p["feedback_id"]]["state"])
            for p in payloads} == {("escalate", place["resident"].id, True)}
    assert await _counts(scope) == (moved, moved, moved, moved)

    await jobs.run_due()  # the inboxes fill
    assert not jobs.failures
    assert await scope.count(InboxEntry).where(InboxEntry.person == place["resident"].id) == moved
    for kind, (_type, _id, staff) in climbing.items():
        assert await scope.count(InboxEntry).where(InboxEntry.person == staff) == len(kinds[kind]), kind
    assert await scope.count(Notification).where(Notification.fanned_out_at.is_null()) == 0
    some = kinds["submitted@grid"][0]
    titles = [t for t in await _inbox_titles(place, "community_staff") if rows[some]["tracking_number"] in t]
    assert titles == [f"{rows[some]['tracking_number']}需要您办理。"]

    # A second sweep at the same moment: nothing is overdue any more.
    assert await workflow.escalate_overdue(scope, "qindu", batch=BATCH) == 0
    assert await _counts(scope) == (moved, moved, moved, moved)
    assert await scope.count(FeedbackItem).where(FeedbackItem.escalation_level > 1) == 0


async def _inbox_titles(place, who):
    from core.notifications import services as notifications

    titles, before = [], None
    while True:
        page, before = await notifications.inbox(place["scope"], place[who].id, before=before, limit=200)
        titles += [item.title for item in page]
        if before is None:
            return titles


async def test_an_item_accepted_or_resolved_while_the_sweep_runs_stays_where_it_is(place, submit, jobs,
                                                                                 monkeypatch):
    scope, worker = place["scope"], place["grid_worker"].id
    clock.set_now(T0, frozen=True)
    resolving, _ = await submit("key-sweep-1")
    await workflow.accept(scope, "qindu", resolving.id, actor_id=worker, revision=1)
    await workflow.start(scope, "qindu", resolving.id, actor_id=worker, revision=2)
    clock.set_now(T0 + timedelta(hours=49), frozen=True)
    accepting, _ = await submit("key-sweep-2")
    untouched, _ = await submit("key-sweep-3")
    clock.set_now(T0 + timedelta(hours=73, minutes=1), frozen=True)  # resolving is 72 h old, the others 24 h

    next_up_of = parties.next_up_of
    acted = []

    async def staff_act_meanwhile(*args, **kwargs):
        # Between the sweep's read and its write, in transactions of their own (as requests).
        if not acted:
            await workflow.accept(scope, "qindu", accepting.id, actor_id=worker, revision=1)
            await workflow.resolve(scope, "qindu", resolving.id, actor_id=worker, revision=3,
                                   what_was_done="已清理。", settings=SETTINGS)
            acted.append(True)
        return await next_up_of(*args, **kwargs)

    monkeypatch.setattr(parties, "next_up_of", staff_act_meanwhile)
    assert await workflow.escalate_overdue(scope, "qindu") == 1
    assert acted
    for item, state in ((accepting, "accepted"), (resolving, "resolved")):
        row = await scope.get(FeedbackItem, item.id)
        assert (row.state, row.party_type, row.escalation_level) == (state, "grid", 0)
        assert "escalate" not in [e.action for e in await services.timeline(scope, item.id)]
    row = await scope.get(FeedbackItem, untouched.id)
    assert (row.party_type, row.escalation_level) == ("community", 1)
    assert await scope.count(Event).where(Event.payload.like('%"escalate"%')) == 1
    assert await workflow.escalate_overdue(scope, "qindu") == 0
