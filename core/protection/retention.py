"""How long each kind of sensitive data is kept, per district, and the erasing of what is older.

A kind (``feedback_private``, ``mental_health_session_note``…) is core's or a plugin's: a plugin
declares its kinds in its manifest (``[[sensitive_data]]``: key, label, default days) and
erases them through the ``erase_sensitive_data`` hook, usually with ``plugin.erase_sealed``.
A district keeps a kind the default number of days unless its admin sets another
(:class:`~core.protection.tables.RetentionRule`); 0 keeps it until the person is erased.

A daily job (``core.protection.jobs``) erases, in each district, the sealed values older than
the district's retention: each is replaced by a marker that says when it was erased
(``erased:<time>``), so what is shown in its place can say so, and nothing is erased twice.
The rows themselves (who, when, the state of a case) stay. Every erasure is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core import clock
from core.audit import services as audit
from core.errors import NotFound, ValidationFailed
from core.i18n import N_, Message
from core.protection.tables import RetentionRule
from core.tenancy import TenantScope

log = logging.getLogger("gongzhi.retention")

ERASED_PREFIX = "erased:"
SEALED_PATTERN = "v1:%"  # what a sealed value looks like (core.protection.ciphers), and an erased one does not
MAX_DAYS = 36_500
BATCH = 500

Eraser = Callable[[TenantScope, datetime], Awaitable[int]]


@dataclass(frozen=True)
class Kind:
    """A kind of sensitive data: its key, what people call it, and how long it is kept unless a
    district says otherwise. Core's kinds carry their ``erase``; a plugin's are erased through
    its ``erase_sensitive_data`` hook."""

    key: str
    label: Any  # a Message, or a manifest's text in both languages
    default_days: int
    plugin: str | None = None
    erase: Eraser | None = None


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    if kind.key in KINDS:
        raise ValueError(f"the kind of sensitive data {kind.key} is declared twice")
    KINDS[kind.key] = kind


def forget_plugin(plugin: str) -> None:
    for key in [key for key, kind in KINDS.items() if kind.plugin == plugin]:
        del KINDS[key]


async def _erase_private_feedback(scope: TenantScope, before: datetime) -> int:
    from core.feedback import retention

    return await retention.erase(scope, before)


register_kind(Kind("feedback_private", Message(N_("Private feedback: descriptions, notes, ratings and reports")),
                   3 * 365, erase=_erase_private_feedback))


# The erased marker ---------------------------------------------------------------------------


def erased_marker(at: datetime) -> str:
    return f"{ERASED_PREFIX}{at.isoformat()}"


def erased_at(value: str | None) -> datetime | None:
    """When ``value`` was erased, if it is an erased marker."""
    if not value or not value.startswith(ERASED_PREFIX):
        return None
    try:
        return datetime.fromisoformat(value[len(ERASED_PREFIX):])
    except ValueError:
        return None


def erased_note(at: datetime) -> Message:
    """What is shown in place of a value erased at ``at``."""
    return Message(N_("(erased on %(date)s: the district keeps such details only for a limited time)"),
                   {"date": clock.local(at).date().isoformat()})


async def erase_sealed(scope: TenantScope, column, *, since, before: datetime, where: tuple = (),
                       at: datetime | None = None) -> int:
    """Replace the sealed values of ``column`` in the district's rows whose ``since`` is before
    ``before`` (and that meet ``where``) by an erased marker; returns how many rows. Values
    already erased, and empty ones, are left alone."""
    table = column._meta.table
    marker = erased_marker(at or clock.now())
    erased = 0
    while True:
        async with scope.transaction(write=True):
            rows = await scope.select(table, table.id).where(since < before, column.like(SEALED_PATTERN),
                                                             *where).limit(BATCH)
            if rows:
                await scope.update(table, {column: marker}).where(table.id.is_in([row["id"] for row in rows]))
        erased += len(rows)
        if len(rows) < BATCH:
            return erased


# A district's rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str
    label: Any
    days: int
    default: bool


async def rules_of(scope: TenantScope) -> list[Rule]:
    """How long the district keeps each kind (its own setting, or the kind's default)."""
    stored = {row["kind"]: row["days"] for row in await scope.select(RetentionRule, RetentionRule.kind,
                                                                      RetentionRule.days)}
    return [Rule(key, kind.label, stored.get(key, kind.default_days), key not in stored)
            for key, kind in sorted(KINDS.items())]


async def set_days(scope: TenantScope, kind: str, days: int, *, actor_id: int | None) -> None:
    """Keep ``kind`` for ``days`` in the district (0: until the person is erased); audited."""
    if kind not in KINDS:
        raise NotFound(Message("There is no such kind of sensitive data."))
    if not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise ValidationFailed({"days": Message("Between 0 and %(maximum)d days.", {"maximum": MAX_DAYS})})
    async with scope.transaction(write=True):
        row = await scope.objects(RetentionRule).where(RetentionRule.kind == kind).first()
        if row is None:
            await scope.create(RetentionRule, kind=kind, days=days, changed_at=clock.now(), changed_by=actor_id)
        else:
            await scope.update(RetentionRule, {RetentionRule.days: days, RetentionRule.changed_at: clock.now(),
                                               RetentionRule.changed_by: actor_id}).where(RetentionRule.id == row.id)
        await audit.record("retention.changed", actor_id=actor_id, tenant_id=scope.tenant_id, target=kind, days=days)


# Enforcing them ------------------------------------------------------------------------------------


async def enforce(scope: TenantScope) -> dict[str, int]:
    """Erase, kind by kind, the district's sealed values older than it keeps them; returns
    ``{kind: how many}`` of what was erased now (nothing, run again the same day). A plugin's
    kinds are erased whether or not the district has it enabled: disabling keeps the data, so
    its retention holds too. A plugin that fails is logged and counted; the others go on."""
    from core.plugins import failures
    from core.plugins.host import host

    now = clock.now()
    erased: dict[str, int] = {}
    for rule in await rules_of(scope):
        kind = KINDS[rule.kind]
        if rule.days == 0:
            continue
        before = now - timedelta(days=rule.days)
        try:
            if kind.plugin is None:
                count = await kind.erase(scope, before)
            else:
                count = await host().call_one(kind.plugin, "erase_sensitive_data", scope=scope, kind=kind.key,
                                              before=before)
        except Exception as error:  # noqa: BLE001 — one kind's failure leaves the others to be done
            if kind.plugin is None:
                raise
            await failures.record(scope.tenant_id, kind.plugin, "erase_sensitive_data", error)
            continue
        count = int(count or 0)
        if count:
            erased[kind.key] = count
            await audit.record("sensitive.erased", tenant_id=scope.tenant_id, target=kind.key, count=count,
                               days=rule.days, older_than=before.isoformat())
    return erased
