"""Events: written with the change, delivered after commit at least once, with effects once."""

from datetime import timedelta

import pytest

from core import clock
from core.events import handlers, services
from core.events.tables import Event, EventDelivery
from core.jobs import sweep
from core.tenancy import TenantScope
from tenants.tables import Street


@pytest.fixture
def handle():
    """Register event handlers for one test only."""
    added = []

    def register(event, function, **options):
        handlers.for_event(event)  # core's handlers first
        handlers.handles(event, name=f"test.{function.__name__}", **options)(function)
        added.append((event, f"test.{function.__name__}"))
        return function

    yield register
    for event, name in added:
        handlers.HANDLERS[event].pop(name, None)


async def _streets(scope):
    return [row["name"] for row in await scope.select(Street, Street.name).order_by(Street.id)]


async def test_an_event_of_a_rolled_back_transaction_is_never_delivered(tenant, jobs, handle):
    seen = []

    async def record(event):
        seen.append(event.payload)

    handle("test_happened", record)
    scope = TenantScope(tenant.id)
    with pytest.raises(RuntimeError):
        async with scope.transaction(write=True):
            await scope.create(Street, name="人民街道")
            await services.emit(scope, "test_happened", {"n": 1})
            raise RuntimeError("the change failed")
    assert jobs.queued() == []
    await jobs.run_due()
    assert seen == [] and await scope.count(Event) == 0 and await scope.count(EventDelivery) == 0


async def test_an_event_is_delivered_after_commit_once_in_effect(tenant, jobs, handle):
    async def name_a_street(event):
        await event.scope.create(Street, name=event.payload["street"])

    handle("test_happened", name_a_street)
    scope = TenantScope(tenant.id)
    async with scope.transaction(write=True):
        await services.emit(scope, "test_happened", {"street": "人民街道"}, actor_id=None)
        assert jobs.queued() == []  # nothing is queued before the commit
    assert len(jobs.queued()) == 1
    await jobs.run_due()
    assert await _streets(scope) == ["人民街道"]
    delivery = await scope.objects(EventDelivery).first()
    assert delivery.status == "done" and delivery.attempts == 1
    # Delivered again (at least once): the delivery is done, the handler does not run again.
    assert await services.deliver(jobs.settings, tenant.id, delivery.id) == "skipped"
    assert await _streets(scope) == ["人民街道"]


async def test_a_failing_handler_is_retried_with_backoff_then_marked_failed(tenant, jobs, handle):
    calls = []

    async def broken(event):
        calls.append(clock.now())
        await event.scope.create(Street, name="半途而废")  # rolled back with the failure
        raise RuntimeError("downstream is down")

    handle("test_happened", broken)
    scope = TenantScope(tenant.id)
    await services.emit(scope, "test_happened")
    await jobs.run_due()
    delivery = await scope.objects(EventDelivery).first()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_error == "RuntimeError: downstream is down"
    assert await scope.count(Street) == 0
    for wait in services.BACKOFF:
        clock.advance(wait + timedelta(seconds=sweep.GRACE_SECONDS + 1))
        await sweep.sweep_all()
        await jobs.run_due()
    clock.advance(timedelta(days=1))
    await sweep.sweep_all()
    await jobs.run_due()
    delivery = await scope.objects(EventDelivery).first()
    assert delivery.status == "failed" and len(calls) == services.MAX_ATTEMPTS


async def test_the_sweep_queues_again_what_the_queue_lost(tenant, jobs, handle):
    async def name_a_street(event):
        await event.scope.create(Street, name="人民街道")

    handle("test_happened", name_a_street)
    scope = TenantScope(tenant.id)
    await services.emit(scope, "test_happened")
    jobs.clear()  # the queue forgets (a restart, a flushed Redis)
    await jobs.run_due()
    assert await scope.count(Street) == 0
    assert (await sweep.sweep_all())["events"] == 0  # too recent: the normal enqueue may be on its way
    clock.advance(timedelta(seconds=sweep.GRACE_SECONDS + 1))
    assert (await sweep.sweep_all())["events"] == 1
    await jobs.run_due()
    assert await _streets(scope) == ["人民街道"]
    assert (await sweep.sweep_all())["events"] == 0


async def test_each_handler_has_its_own_delivery(tenant, jobs, handle):
    seen = []

    async def first(event):
        seen.append("first")

    async def second(event):
        raise RuntimeError("second fails")

    handle("test_happened", first)
    handle("test_happened", second)
    await services.emit(TenantScope(tenant.id), "test_happened")
    await jobs.run_due()
    deliveries = {d.handler: d.status for d in await TenantScope(tenant.id).objects(EventDelivery)}
    assert deliveries == {"test.first": "done", "test.second": "pending"}
    assert seen == ["first"]


async def test_many_events_at_once_are_each_what_one_would_be(tenant, jobs, handle):
    seen = []

    async def record(event):
        seen.append((event.payload["n"], event.actor_id))

    handle("test_happened", record)
    scope = TenantScope(tenant.id)
    one = await services.emit(scope, "test_happened", {"n": 0, "name": "人民街道"}, actor_id=7)
    many = await services.emit_many(scope, "test_happened", [{"n": n, "name": "人民街道"} for n in (1, 2, 3)],
                                    actor_id=7)
    assert len(many) == 3 and one.id < min(many)
    events = {e.id: e for e in await scope.objects(Event)}
    assert {events[i].payload for i in many} == {f'{{"n": {n}, "name": "人民街道"}}' for n in (1, 2, 3)}
    assert events[one.id].payload == '{"n": 0, "name": "人民街道"}'
    assert {(e.name, e.actor_id) for e in events.values()} == {("test_happened", 7)}
    assert sorted(d.event for d in await scope.objects(EventDelivery)) == sorted([one.id, *many])
    await jobs.run_due()
    assert sorted(seen) == [(0, 7), (1, 7), (2, 7), (3, 7)]
    assert await services.emit_many(scope, "test_happened", []) == []


async def test_core_events_are_named_and_documented():
    from core.events import names

    assert set(names.CORE_EVENTS) == {"user_registered", "membership_changed", "notice_published",
                                      "feedback_submitted", "feedback_status_changed"}
    assert all(description for description in names.CORE_EVENTS.values())
