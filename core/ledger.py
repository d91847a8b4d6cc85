"""The shared ledger: append-only, double-entry books a plugin keeps in its own tables.

Every movement is a *transfer* of a positive whole ``amount`` (fen, points…) from one account
to another: the first's balance falls by it and the second's rises by it, so the balances of a
book always sum to zero. A transfer is never changed or deleted; a mistake is mended by a
transfer the other way. Each transfer carries an idempotency ``key``: the same key twice is one
transfer (the second answers the first, marked ``replayed``), and the same key with other
figures is refused.

A plugin declares two tables deriving from :class:`LedgerAccount` and :class:`LedgerTransfer`
(and from ``TenantOwned`` for a district's books, or not for province-wide books that only its
platform operations reach) and gives them to ``plugin.ledger(accounts, transfers)``. Its
migration makes ``key`` unique in each (with ``tenant_id`` first in a district's books).

An account's ``balance`` is kept in the same transaction as each transfer, under a lock on the
accounts it moves (taken in the order of their ids, so two transfers never wait on each other),
which is what keeps an account that may not go negative from going negative however many
transfers run at once. :meth:`Ledger.check` recomputes every balance from the transfers and
names any account that disagrees, and any book that does not sum to zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns import BigInt, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core import clock, db
from core.errors import Conflict, NotFound
from core.i18n import Message
from core.tenancy import TenantOwned, TenantScope


class LedgerAccount(Table):
    """Columns of a ledger's accounts (a plugin's table derives from this)."""

    key = Varchar(length=120, help_text="The account's name in its book, e.g. household:12 (unique)")
    kind = Varchar(length=40, help_text="What sort of account: household, income, clearing…")
    may_go_negative = Boolean(default=False, help_text="Whether transfers may take its balance below zero")
    balance = BigInt(default=0, help_text="Received minus sent, kept with each transfer; check() recomputes it")
    created_at = Timestamptz()


class LedgerTransfer(Table):
    """Columns of a ledger's transfers (a plugin's table derives from this); never updated."""

    key = Varchar(length=160, help_text="The idempotency key: one transfer per key (unique)")
    source = Integer(index=True, help_text="The account whose balance falls")
    target = Integer(index=True, help_text="The account whose balance rises")
    amount = BigInt(help_text="A positive whole number of the book's unit")
    kind = Varchar(length=40, help_text="What sort of movement: bill, payment, adjustment…")
    reference = Varchar(length=80, default="", index=True, help_text="What it is about, e.g. bill:12")
    memo = Text(default="")
    actor_id = Integer(null=True, default=None, help_text="accounts_person.id of who made it, if a person")
    created_at = Timestamptz()


@dataclass(frozen=True)
class Transfer:
    id: int
    key: str
    source: str
    target: str
    amount: int
    kind: str
    reference: str
    memo: str
    actor_id: int | None
    created_at: Any
    replayed: bool = False


class NotEnough(Conflict):
    """The account a transfer takes from may not go below zero, and would."""


class _Rows:
    """The queries the ledger runs, through the district's scope (a district's books) or on
    the tables themselves inside a platform operation's transaction (province-wide books)."""

    def __init__(self, scope: TenantScope | None, *tables: type[Table]) -> None:
        owned = [issubclass(table, TenantOwned) for table in tables]
        if all(owned) and scope is None:
            raise ValueError("a district's ledger needs the district's scope")
        if not any(owned) and scope is not None:
            raise ValueError("a province-wide ledger is reached only in a platform operation, without a scope")
        if any(owned) != all(owned):
            raise ValueError("a ledger's accounts and transfers are both a district's, or both province-wide")
        self.scope = scope

    def select(self, table, *columns):
        return self.scope.select(table, *columns) if self.scope else table.select(*columns)

    def update(self, table, values):
        return self.scope.update(table, values) if self.scope else table.update(values)

    async def insert(self, table, **values) -> int:
        if self.scope:
            return (await self.scope.create(table, **values)).id
        row = table(**values)
        await row.save()
        return row.id

    async def insert_once(self, table, **values) -> None:
        """Insert unless a row with the same unique key is there (or arrives meanwhile)."""
        await table.insert(table(**values)).on_conflict(action="DO NOTHING")

    async def lock(self, table, pk) -> dict | None:
        query = self.select(table).where(table._meta.primary_key == pk)
        if not db.is_sqlite():
            query = query.lock_rows("NO KEY UPDATE")
        return await query.first()

    def transaction(self, *, write: bool = True):
        return self.scope.transaction(write=write) if self.scope else db.transaction(write=write)


class Ledger:
    """One book: a plugin's account and transfer tables."""

    def __init__(self, accounts: type[LedgerAccount], transfers: type[LedgerTransfer]) -> None:
        if not (issubclass(accounts, LedgerAccount) and issubclass(transfers, LedgerTransfer)):
            raise TypeError("a ledger's tables derive from LedgerAccount and LedgerTransfer")
        self.accounts = accounts
        self.transfers = transfers

    def __repr__(self) -> str:
        return f"Ledger({self.accounts.__name__}, {self.transfers.__name__})"

    def _rows(self, scope: TenantScope | None) -> _Rows:
        return _Rows(scope, self.accounts, self.transfers)

    # Accounts ----------------------------------------------------------------------

    async def open(self, scope: TenantScope | None, key: str, *, kind: str, may_go_negative: bool = False,
                   **columns: Any) -> int:
        """The id of the account ``key``, opened now if it is new (opening twice, even at once,
        is one). ``columns``: the plugin's own columns of the account. In a district's book,
        open accounts before the transaction that moves money: a race to open one inside it
        would end that transaction."""
        rows = self._rows(scope)
        query = rows.select(self.accounts, self.accounts.id).where(self.accounts.key == key)
        if scope is None:
            # A province-wide book is opened inside a platform operation's transaction, which a
            # refused insert would end: the insert gives way to a row with the same key.
            async with rows.transaction():
                await rows.insert_once(self.accounts, key=key, kind=kind, may_go_negative=may_go_negative, balance=0,
                                       created_at=clock.now(), **columns)
                return (await query.first())["id"]
        try:
            async with rows.transaction():
                found = await query.first()
                if found:
                    return found["id"]
                return await rows.insert(self.accounts, key=key, kind=kind, may_go_negative=may_go_negative,
                                         balance=0, created_at=clock.now(), **columns)
        except Exception as error:
            # Opened at the same moment by another transaction: the unique key kept theirs.
            if db.in_transaction() or not db.is_unique_violation(error):
                raise
        return (await query.first())["id"]

    async def balance(self, scope: TenantScope | None, key: str) -> int:
        """An account's balance (0 for one never opened)."""
        return (await self.balances(scope, [key])).get(key, 0)

    async def balances(self, scope: TenantScope | None, keys: list[str] | None = None, *,
                       kind: str | None = None) -> dict[str, int]:
        """``{key: balance}`` of the accounts named (or of one kind, or all)."""
        query = self._rows(scope).select(self.accounts, self.accounts.key, self.accounts.balance)
        if keys is not None:
            if not keys:
                return {}
            query = query.where(self.accounts.key.is_in(list(keys)))
        if kind is not None:
            query = query.where(self.accounts.kind == kind)
        return {row["key"]: row["balance"] for row in await query}

    async def hold(self, scope: TenantScope | None, *keys: str) -> dict[str, int]:
        """Lock accounts until the caller's transaction ends (in the order of their ids, as
        transfers take them) and answer their balances: what a plugin needs to check its own
        rows against an account before it transfers (what a bill still needs)."""
        if not db.in_transaction():
            raise RuntimeError("hold() locks for the caller's open transaction")
        rows = self._rows(scope)
        found = await rows.select(self.accounts, self.accounts.id).where(self.accounts.key.is_in(list(keys)))
        held = {}
        for account_id in sorted(row["id"] for row in found):
            row = await rows.lock(self.accounts, account_id)
            held[row["key"]] = row["balance"]
        return held

    # Transfers ---------------------------------------------------------------------

    async def transfer(self, scope: TenantScope | None, *, key: str, source: str, target: str, amount: int,
                       kind: str, reference: str = "", memo: str = "", actor_id: int | None = None,
                       **columns: Any) -> Transfer:
        """Move ``amount`` from the account ``source`` to ``target`` (both opened before). Joins
        the caller's transaction if one is open, so a plugin writes its own rows atomically with
        the transfer (``columns``: the plugin's own columns of the transfer). :class:`NotEnough`
        when ``source`` may not go negative and would."""
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError(f"a transfer moves a positive whole amount, not {amount!r}")
        if source == target:
            raise ValueError("a transfer moves between two accounts")
        if not key:
            raise ValueError("a transfer needs its idempotency key")
        accounts, transfers = self.accounts, self.transfers
        rows = self._rows(scope)
        async with rows.transaction():
            found = await rows.select(accounts, accounts.id, accounts.key).where(
                accounts.key.is_in([source, target]))
            ids = {row["key"]: row["id"] for row in found}
            missing = [name for name in (source, target) if name not in ids]
            if missing:
                raise NotFound(Message("There is no account %(account)s in this book.", {"account": missing[0]}))
            locked = {}
            for account_id in sorted(ids.values()):
                locked[account_id] = await rows.lock(accounts, account_id)
            earlier = await rows.select(transfers).where(transfers.key == key).first()
            if earlier is not None:
                replay = self._transfer(earlier, {v: k for k, v in ids.items()}, replayed=True)
                if (replay.source, replay.target, replay.amount, replay.kind, replay.reference) != (
                        source, target, amount, kind, reference):
                    raise Conflict(Message("This request was already made with other figures."))
                return replay
            taken = locked[ids[source]]
            if not taken["may_go_negative"] and taken["balance"] < amount:
                raise NotEnough(Message("The balance is %(balance)s; %(amount)s cannot be taken from it.",
                                        {"balance": taken["balance"], "amount": amount}))
            now = clock.now()
            transfer_id = await rows.insert(transfers, key=key, source=ids[source], target=ids[target],
                                            amount=amount, kind=kind, reference=reference, memo=memo,
                                            actor_id=actor_id, created_at=now, **columns)
            await rows.update(accounts, {accounts.balance: accounts.balance - amount}).where(
                accounts.id == ids[source])
            await rows.update(accounts, {accounts.balance: accounts.balance + amount}).where(
                accounts.id == ids[target])
        return Transfer(transfer_id, key, source, target, amount, kind, reference, memo, actor_id, now)

    async def history(self, scope: TenantScope | None, *, account: str | None = None,
                      reference: str | None = None, references: list[str] | None = None) -> list[Transfer]:
        """Transfers of an account, or about a reference (or several), oldest first."""
        accounts, transfers = self.accounts, self.transfers
        rows = self._rows(scope)
        query = rows.select(transfers)
        if account is not None:
            found = await rows.select(accounts, accounts.id).where(accounts.key == account).first()
            if found is None:
                return []
            query = query.where((transfers.source == found["id"]) | (transfers.target == found["id"]))
        if reference is not None:
            query = query.where(transfers.reference == reference)
        if references is not None:
            if not references:
                return []
            query = query.where(transfers.reference.is_in(list(references)))
        found_transfers = await query.order_by(transfers.id)
        ids = {row["source"] for row in found_transfers} | {row["target"] for row in found_transfers}
        names = {}
        if ids:
            names = {row["id"]: row["key"] for row in await rows.select(accounts, accounts.id, accounts.key).where(
                accounts.id.is_in(list(ids)))}
        return [self._transfer(row, names) for row in found_transfers]

    @staticmethod
    def _transfer(row: dict, names: dict[int, str], *, replayed: bool = False) -> Transfer:
        return Transfer(row["id"], row["key"], names.get(row["source"], str(row["source"])),
                        names.get(row["target"], str(row["target"])), row["amount"], row["kind"], row["reference"],
                        row["memo"], row["actor_id"], row["created_at"], replayed)

    # The check ---------------------------------------------------------------------

    async def check(self, scope: TenantScope | None) -> list[str]:
        """What is wrong with the book, in words (nothing: an empty list): accounts whose kept
        balance is not what their transfers make it, accounts below zero that may not be, and a
        book whose balances do not sum to zero. Read in one transaction, so it is one moment's."""
        accounts, transfers = self.accounts, self.transfers
        rows = self._rows(scope)
        async with rows.transaction(write=False):
            kept = await rows.select(accounts, accounts.id, accounts.key, accounts.balance, accounts.may_go_negative)
            moved = await rows.select(transfers, transfers.source, transfers.target, transfers.amount)
        derived = {row["id"]: 0 for row in kept}
        for row in moved:
            derived[row["source"]] = derived.get(row["source"], 0) - row["amount"]
            derived[row["target"]] = derived.get(row["target"], 0) + row["amount"]
        problems = []
        for row in kept:
            if derived[row["id"]] != row["balance"]:
                problems.append(f"{row['key']}: kept balance {row['balance']}, its transfers make {derived[row['id']]}")
            if row["balance"] < 0 and not row["may_go_negative"]:
                problems.append(f"{row['key']}: balance {row['balance']} below zero")
        known = {row["id"] for row in kept}
        for account_id in sorted(set(derived) - known):
            problems.append(f"account id {account_id}: has transfers but no account")
        total = sum(row["balance"] for row in kept)
        if total != 0:
            problems.append(f"the balances sum to {total}, not 0")
        return problems
