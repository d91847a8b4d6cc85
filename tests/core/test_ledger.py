"""The shared ledger (core.ledger), on the books of a plugin that keeps one (red_property's
fee ledger): transfers are double-entry and append-only, a key makes one transfer however often
it is sent, an account that may not go negative never does, even under concurrent transfers,
and the check recomputes every balance and names what disagrees."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import Conflict, NotFound
from core.ledger import Ledger, NotEnough
from core.sdk import CapabilityError, Plugin
from core.tenancy import TenantScope
from plugins.red_property.tables import Account, Transfer, Unit

pytestmark = pytest.mark.asyncio

BOOK = Ledger(Account, Transfer)


@pytest.fixture
async def book(tenant):
    scope = TenantScope(tenant.id)
    await BOOK.open(scope, "pool", kind="income")
    await BOOK.open(scope, "alice", kind="person")
    await BOOK.open(scope, "outside", kind="clearing", may_go_negative=True)
    return scope


async def test_a_transfer_moves_an_amount_between_two_accounts_and_the_book_sums_to_zero(book):
    await BOOK.transfer(book, key="t1", source="outside", target="pool", amount=500, kind="in")
    moved = await BOOK.transfer(book, key="t2", source="pool", target="alice", amount=120, kind="give",
                                reference="x:1", memo="a gift", actor_id=7)
    assert (moved.source, moved.target, moved.amount, moved.replayed) == ("pool", "alice", 120, False)
    assert await BOOK.balances(book) == {"outside": -500, "pool": 380, "alice": 120}
    assert await BOOK.balance(book, "nobody") == 0
    assert [t.key for t in await BOOK.history(book, account="pool")] == ["t1", "t2"]
    assert [t.memo for t in await BOOK.history(book, reference="x:1")] == ["a gift"]
    assert await BOOK.check(book) == []


async def test_the_same_key_twice_is_one_transfer_and_other_figures_under_it_are_refused(book):
    first = await BOOK.transfer(book, key="pay-1", source="outside", target="alice", amount=300, kind="in")
    again = await BOOK.transfer(book, key="pay-1", source="outside", target="alice", amount=300, kind="in")
    assert again.replayed and again.id == first.id
    with pytest.raises(Conflict):
        await BOOK.transfer(book, key="pay-1", source="outside", target="alice", amount=301, kind="in")
    assert await BOOK.balance(book, "alice") == 300
    assert len(await BOOK.history(book, account="alice")) == 1


async def test_an_account_that_may_not_go_negative_refuses_and_nothing_is_written(book):
    await BOOK.transfer(book, key="t1", source="outside", target="alice", amount=100, kind="in")
    with pytest.raises(NotEnough):
        await BOOK.transfer(book, key="t2", source="alice", target="pool", amount=101, kind="spend")
    assert await BOOK.balances(book, ["alice", "pool"]) == {"alice": 100, "pool": 0}
    assert [t.key for t in await BOOK.history(book, account="alice")] == ["t1"]


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, "10"])
async def test_only_positive_whole_amounts_move(book, amount):
    with pytest.raises(ValueError):
        await BOOK.transfer(book, key="bad", source="outside", target="alice", amount=amount, kind="in")


async def test_unknown_accounts_and_a_transfer_to_itself_are_refused(book):
    with pytest.raises(NotFound):
        await BOOK.transfer(book, key="t", source="outside", target="ghost", amount=1, kind="in")
    with pytest.raises(ValueError):
        await BOOK.transfer(book, key="t", source="alice", target="alice", amount=1, kind="in")


async def test_opening_an_account_twice_is_one_account(book):
    assert await BOOK.open(book, "alice", kind="person") == await BOOK.open(book, "alice", kind="person")


async def test_concurrent_spending_never_takes_an_account_below_zero(book):
    """Twenty spends of 10 from a balance of 100, at once: exactly ten go through."""
    await BOOK.transfer(book, key="fill", source="outside", target="alice", amount=100, kind="in")

    async def spend(n: int) -> bool:
        try:
            await BOOK.transfer(book, key=f"spend-{n}", source="alice", target="pool", amount=10, kind="spend")
            return True
        except NotEnough:
            return False

    results = await asyncio.gather(*(spend(n) for n in range(20)))
    assert sum(results) == 10
    assert await BOOK.balances(book, ["alice", "pool"]) == {"alice": 0, "pool": 100}
    assert await BOOK.check(book) == []


async def test_concurrent_replays_of_one_key_make_one_transfer(book):
    await asyncio.gather(*(BOOK.transfer(book, key="same", source="outside", target="alice", amount=50, kind="in")
                           for _ in range(8)))
    assert await BOOK.balance(book, "alice") == 50
    assert await BOOK.check(book) == []


async def test_the_check_names_an_account_whose_kept_balance_disagrees_with_its_transfers(book):
    await BOOK.transfer(book, key="t1", source="outside", target="alice", amount=100, kind="in")
    await book.update(Account, {Account.balance: 90}).where(Account.key == "alice")
    problems = await BOOK.check(book)
    assert any(p.startswith("alice: kept balance 90, its transfers make 100") for p in problems)
    assert "the balances sum to -10, not 0" in problems


async def test_books_are_a_districts_own(book, other_tenant):
    theirs = TenantScope(other_tenant.id)
    await BOOK.transfer(book, key="t1", source="outside", target="alice", amount=100, kind="in")
    assert await BOOK.balances(theirs) == {}
    with pytest.raises(NotFound):
        await BOOK.transfer(theirs, key="t9", source="outside", target="alice", amount=1, kind="in")


async def test_a_plugin_keeps_books_only_in_its_own_tables():
    with pytest.raises(CapabilityError):
        Plugin("legal_aid").ledger(Account, Transfer)
    with pytest.raises(TypeError):
        Ledger(Unit, Transfer)
    with pytest.raises(ValueError):
        await BOOK.balances(None)
