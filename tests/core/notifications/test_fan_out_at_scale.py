"""Fan-out to 100,000 people (PostgreSQL tier): it completes, and each person has exactly
one inbox entry even when the fan-out runs twice."""

import time

import pytest

from core.i18n import Message
from core.notifications import services
from core.notifications.audience import Audience
from core.notifications.tables import InboxEntry, Notification
from core.tenancy import TenantScope
from tests.seeding import seed_residents

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RECIPIENTS = 100_000


async def test_fan_out_to_100000_residents_gives_each_exactly_one_entry(tenant, jobs):
    people = await seed_residents(tenant.id, RECIPIENTS)
    scope = TenantScope(tenant.id)
    notification = await services.notify(scope, Audience.district_members(roles=("resident",)), kind="test",
                                         title=Message("Messages"))
    started = time.perf_counter()
    await jobs.run_due()
    elapsed = time.perf_counter() - started
    print(f"fan-out to {RECIPIENTS} recipients: {elapsed:.1f} s")
    assert not jobs.failures
    row = await scope.get(Notification, notification.id)
    assert row.fanned_out_at is not None and row.recipients == RECIPIENTS
    # The whole fan-out runs a second time from the start (as if its progress had been lost):
    # the unique index lets no one get a second entry.
    await scope.update(Notification, {Notification.fan_out_cursor: 0, Notification.fanned_out_at: None}).where(
        Notification.id == notification.id)
    assert await services.fan_out_batch(tenant.id, notification.id, 0) == "batch"
    await jobs.run_due()
    counts = await scope.raw(
        InboxEntry,
        "SELECT count(*) AS entries, count(DISTINCT person) AS people, min(person) AS first, max(person) AS last "
        "FROM core_inbox_entry WHERE tenant_id = {tenant} AND notification = {}", notification.id)
    assert counts[0] == {"entries": RECIPIENTS, "people": RECIPIENTS, "first": people[0], "last": people[-1]}
    assert (await scope.get(Notification, notification.id)).recipients == RECIPIENTS
