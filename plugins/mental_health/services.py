"""What the mental-health service does: a resident's separate consent, their screenings
(sealed, readable by them), and the crisis route's first step, an urgent referral that
tells the district's counsellors.

Every read and write goes through the district's ``TenantScope``: a row of another district
cannot be found here, so an id from another district is simply "not found".
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from core.sdk import Erased, Form, Message, NotFound, PermissionDenied, TenantScope, ValidationFailed, clean_text, now

from plugins.mental_health import care, instruments, network
from plugins.mental_health.handle import plugin
from plugins.mental_health.tables import Assignment, BreakGlass, Consent, Note, Referral, Screening

# The consent text's version: a new text gets a new version, and everyone is asked again.
CONSENT_VERSION = "2026-11-28"
NATIONAL_HOTLINE = "12356"
COUNSELLOR = network.COUNSELLOR
SUPERVISOR = network.SUPERVISOR
CONSOLE = {COUNSELLOR, SUPERVISOR}
SCREENING_TABLE = "mental_health_screening"
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def valid_key(key: str) -> bool:
    """Whether ``key`` may be a form's idempotency key: 8 to 64 letters, digits, - or _."""
    return bool(_KEY.match(key or ""))


def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as JSON values (times as ISO 8601)."""
    return [{key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()}
            for row in rows]


async def hotlines(scope: TenantScope) -> list[str]:
    """The numbers shown on every page: the national hotline, then the district's own if set."""
    local = str((await plugin.settings(scope)).get("local_hotline") or "").strip()
    return [NATIONAL_HOTLINE] + ([local] if local and local != NATIONAL_HOTLINE else [])


def dial(number: str) -> str:
    """A number as a ``tel:`` link takes it (digits and a leading +)."""
    return re.sub(r"[^0-9+]", "", number)


# Consent -----------------------------------------------------------------------------------


async def current_consent(scope: TenantScope, person_id: int) -> Consent | None:
    """The person's consent to the current text, unless withdrawn."""
    return await scope.objects(Consent).where(
        Consent.person_id == person_id, Consent.version == CONSENT_VERSION,
        Consent.withdrawn_at.is_null()).order_by(Consent.id, ascending=False).first()


async def give_consent(scope: TenantScope, person_id: int, data: dict[str, str]) -> Consent:
    """Record the person's consent to the current text. ``agree`` must be ticked; with
    ``under_14`` ticked, a guardian's name and relation and ``guardian_agrees`` as well.
    Giving it again while it stands changes nothing."""
    form = Form(data)
    if data.get("agree") != "1":
        form.error("agree", Message("Tick the box to say you agree, or leave this page."))
    guardian_name = guardian_relation = ""
    if data.get("under_14") == "1":
        guardian_name = form.field("guardian_name", clean_text, max_length=64)
        guardian_relation = form.field("guardian_relation", clean_text, max_length=32)
        if data.get("guardian_agrees") != "1":
            form.error("guardian_agrees", Message("Under 14, your parent or guardian must agree too."))
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        standing = await current_consent(scope, person_id)
        if standing is not None:
            return standing
        return await scope.create(Consent, person_id=person_id, version=CONSENT_VERSION, given_at=now(),
                                  withdrawn_at=None, guardian_name=guardian_name or "",
                                  guardian_relation=guardian_relation or "")


async def withdraw_consent(scope: TenantScope, person_id: int) -> bool:
    """Withdraw every standing consent of the person (recorded with the time); whether one stood."""
    async with scope.transaction(write=True):
        standing = await scope.count(Consent).where(Consent.person_id == person_id, Consent.withdrawn_at.is_null())
        if standing:
            await scope.update(Consent, {Consent.withdrawn_at: now()}).where(
                Consent.person_id == person_id, Consent.withdrawn_at.is_null())
    if standing:
        await plugin.audit(scope, "consent.withdrawn", actor_id=person_id, target=f"person:{person_id}")
    return bool(standing)


async def consents(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """The person's consents in the district, newest first."""
    return await scope.select(Consent).where(Consent.person_id == person_id).order_by(Consent.id, ascending=False)


# Screening ---------------------------------------------------------------------------------


def instrument(key: str) -> instruments.Instrument:
    found = instruments.INSTRUMENTS.get(key)
    if found is None:
        raise NotFound()
    return found


ITEM_PROBLEMS = {
    "missing": Message("Choose one answer for this question."),
    "out_of_range": Message("Choose one of the four answers."),
}


async def screen(scope: TenantScope, person_id: int, questionnaire: instruments.Instrument,
                 data: dict[str, str]) -> tuple[Screening, bool]:
    """Keep a resident's answers (``item1``…, ``idempotency_key``): sealed, with the crisis
    route's urgent referral when the answers start it. Returns ``(screening, new)``; the
    same key again is the same screening (and the same single referral). Refused
    (PermissionDenied) without a standing consent to the current text; ValidationFailed
    names each item that cannot be scored."""
    key = data.get("idempotency_key", "")
    errors: dict[str, Message] = {}
    try:
        answers = instruments.parse(questionnaire, data)
    except instruments.AnswersRefused as refused:
        errors.update({item: ITEM_PROBLEMS[problem] for item, problem in refused.problems.items()})
    if not valid_key(key):
        errors["__all__"] = Message("This form has expired. Please send it again.")
    async with scope.transaction(write=True):
        same = await scope.objects(Screening).where(
            Screening.person_id == person_id, Screening.idempotency_key == key).first() if valid_key(key) else None
        if same is not None:
            return same, False
        if await current_consent(scope, person_id) is None:
            raise PermissionDenied(Message("Please give your consent before the questionnaire."))
        if errors:
            raise ValidationFailed(errors)
        result = instruments.score(questionnaire, answers)
        moment = now()
        row = await scope.create(Screening, person_id=person_id, instrument=questionnaire.key, idempotency_key=key,
                                 sealed="", crisis=result.crisis, created_at=moment)
        sealed = await plugin.seal(scope, person_id, SCREENING_TABLE, row.id, json.dumps(
            {"answers": list(result.answers), "score": result.score, "band": result.band}))
        await scope.update(Screening, {Screening.sealed: sealed}).where(Screening.id == row.id)
        row.sealed = sealed
        if result.crisis:
            await network.open_crisis_referral(scope, person_id, row.id, moment)
    return row, True


class Unreadable(NotFound):
    """A screening the reader may not read: answered as not found."""


async def result(scope: TenantScope, reader_id: int, screening_id: int) -> dict[str, Any]:
    """A screening as its reader sees it (person, instrument, time, answers, score, band,
    crisis): the resident themselves, their assigned counsellor, or a supervisor under an
    open break-glass access (``care.may_read``); anyone else is told it is not there (and
    the refusal is audited), as is an id of another district."""
    row = await scope.get(Screening, screening_id)
    if row is None:
        raise NotFound()
    opened = await _open(scope, reader_id, row)
    return {"id": row.id, "person_id": row.person_id, "instrument": row.instrument, "created_at": row.created_at,
            "crisis": row.crisis, **opened}


async def _open(scope: TenantScope, reader_id: int, row: Screening, allowed: bool | None = None) -> dict[str, Any]:
    if allowed is None:
        allowed = await care.may_read(scope, reader_id, row.person_id)
    try:
        text = await plugin.read_sealed(scope, reader_id=reader_id, person_id=row.person_id, table=SCREENING_TABLE,
                                        row_id=row.id, sealed=row.sealed, may_read=lambda reader: allowed,
                                        purpose="screening result")
    except PermissionDenied:
        raise Unreadable() from None
    except Erased as erased:  # kept no longer than the district keeps questionnaires
        return {"answers": [], "score": None, "band": None, "erased": plugin.erased_note(erased)}
    return json.loads(text)


async def trend(scope: TenantScope, person_id: int, instrument_key: str, *,
                reader_id: int | None = None) -> list[dict[str, Any]]:
    """The person's screenings with this questionnaire, oldest first, with their scores, each
    opened for the reader (the person, unless ``reader_id`` says who else; audited).
    Unreadable for a reader who may not read them."""
    reader = person_id if reader_id is None else reader_id
    rows = await scope.objects(Screening).where(
        Screening.person_id == person_id, Screening.instrument == instrument_key).order_by(Screening.id)
    allowed = await care.may_read(scope, reader, person_id) if rows else False
    points = [{"id": row.id, "created_at": row.created_at,
               "score": (await _open(scope, reader, row, allowed))["score"]} for row in rows]
    return [point for point in points if point["score"] is not None]  # erased ones have none


async def own_screenings(scope: TenantScope, person_id: int) -> list[dict[str, Any]]:
    """The person's screenings (when, which questionnaire), newest first; nothing sealed is opened."""
    return await scope.select(Screening, Screening.id, Screening.instrument, Screening.created_at).where(
        Screening.person_id == person_id).order_by(Screening.id, ascending=False)


# A person's data -----------------------------------------------------------------------------


async def erase(person_id: int) -> None:
    """Erase a person from the service in every district: their referrals, screenings, session
    notes, counsellor assignments, break-glass records and consents are deleted (core destroys
    their data keys as well, so nothing sealed with them could be opened from a backup either).
    The district's figures count what remains."""
    for column in (Referral.person_id, Screening.person_id, Note.person_id, BreakGlass.person_id,
                   Assignment.person_id, Consent.person_id):
        await plugin.delete_personal(column, person_id)
