"""What a consultation can become: a people's mediation (人民调解), with its parties,
mediator, sessions and outcome, and for an agreement the reminder that the parties may
apply together for judicial confirmation within 30 days; or a referral to a department or to
legal aid proper, open until the answer is recorded.

The parties, the session notes and a department's answer are sealed with the resident's key;
they are read by the resident, the adviser assigned to the consultation and the case's
mediator, every read audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.sdk import (CHINA, Conflict, Erased, FieldError, Form, Message, NotFound, PermissionDenied, TenantScope,
                      ValidationFailed, clean_text, now)

from plugins.legal_aid import consultations, documents, people
from plugins.legal_aid.handle import plugin
from plugins.legal_aid.tables import Case, Consultation, MediationSession

PARTIES_TABLE = "legal_aid_case.parties"
ANSWER_TABLE = "legal_aid_case.answer"
SESSION_TABLE = "legal_aid_session"
CONFIRMATION_DAYS = 30
OUTCOMES = ("agreement", "no_agreement")


def _may_read(consultation: Consultation, case: Case | None = None):
    return lambda reader_id: reader_id in {consultation.adviser_id, case.mediator_id if case else None} - {None}


async def _case(scope: TenantScope, case_id: int) -> tuple[Case, Consultation]:
    case = await scope.get(Case, case_id)
    if case is None:
        raise NotFound()
    return case, await scope.get(Consultation, case.consultation)


async def _handler(scope: TenantScope, actor_id: int, case: Case, consultation: Consultation) -> None:
    """Only the adviser assigned to the consultation, or the case's mediator, acts on a case."""
    if actor_id not in {consultation.adviser_id, case.mediator_id}:
        await consultations.refuse(scope, actor_id, consultation)
        raise PermissionDenied(Message("Only the adviser assigned to this request can do this."))


async def _mediator(scope: TenantScope, value: str, actor_id: int) -> int:
    if not value:
        return actor_id
    chosen = [row["person_id"] for row in await people.advisers(scope) if str(row["person_id"]) == value]
    if not chosen:
        raise FieldError(Message("Choose one of the list."))
    return chosen[0]


async def open_case(scope: TenantScope, slug: str, actor_id: int, consultation_id: int, data: dict[str, str]) -> Case:
    """A mediation (``kind=mediation``: the other parties, a mediator) or a referral
    (``kind=referral``: where to), by the consultation's adviser; the resident is told."""
    consultation = await consultations.get(scope, consultation_id)
    if consultation.adviser_id != actor_id:
        await consultations.refuse(scope, actor_id, consultation)
        raise PermissionDenied(Message("Only the adviser assigned to this request can do this."))
    kind = data.get("kind", "")
    form = Form(data)
    values: dict[str, Any] = {}
    if kind == "mediation":
        parties = form.field("parties", clean_text, max_length=1000, multiline=True)
        try:
            values["mediator_id"] = await _mediator(scope, data.get("mediator", ""), actor_id)
        except FieldError as error:
            form.error("mediator", error.message)
    elif kind == "referral":
        values["department"] = form.field("department", clean_text, max_length=100)
        parties = ""
    else:
        form.error("kind", Message("Choose mediation or a referral."))
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        case = await scope.create(Case, consultation=consultation.id, kind=kind, opened_by=actor_id,
                                  opened_at=now(), **values)
        if parties:
            sealed = await plugin.seal(scope, consultation.person_id, PARTIES_TABLE, case.id, parties)
            await scope.update(Case, {Case.parties: sealed}).where(Case.id == case.id)
        await plugin.audit(scope, "case_opened", actor_id=actor_id, target=f"legal_aid_case:{case.id}", kind=kind)
        title = (Message("Your request became a people's mediation case.") if kind == "mediation"
                 else Message("Your request was referred to %(department)s.", {"department": values["department"]}))
        await plugin.notify(scope, [consultation.person_id], kind="case", title=title,
                            link=f"/t/{slug}/p/legal_aid/cases/{case.id}")
    return case


async def read(scope: TenantScope, reader_id: int, case_id: int) -> dict[str, Any]:
    """The case for the resident, the adviser and the mediator (sealed parts opened, audited)."""
    case, consultation = await _case(scope, case_id)
    may_read = _may_read(consultation, case)
    if reader_id != consultation.person_id and not may_read(reader_id):
        await consultations.refuse(scope, reader_id, consultation)
        raise consultations.Unreadable()

    async def opened(table: str, row_id: int, sealed: str) -> str:
        if not sealed:
            return ""
        try:
            return await plugin.read_sealed(scope, reader_id=reader_id, person_id=consultation.person_id,
                                            table=table, row_id=row_id, sealed=sealed, may_read=may_read,
                                            purpose="legal_aid")
        except Erased as erased:  # kept no longer than the district keeps case details
            return str(plugin.erased_note(erased))

    sessions = await scope.objects(MediationSession).where(MediationSession.case == case.id).order_by(MediationSession.held_at)
    names = await plugin.people(scope, [p for p in (case.mediator_id, consultation.adviser_id) if p])
    return {"case": case, "consultation": consultation, "parties": await opened(PARTIES_TABLE, case.id, case.parties),
            "answer": await opened(ANSWER_TABLE, case.id, case.answer),
            "sessions": [{"session": s, "note": await opened(SESSION_TABLE, s.id, s.note)} for s in sessions],
            "documents": [d for d in await documents.listed(scope, consultation.id) if d["case_id"] == case.id],
            "mediator": names.get(case.mediator_id, {}).get("display_name", ""),
            "handler": reader_id in {consultation.adviser_id, case.mediator_id}}


def _when(data: dict[str, str], form: Form) -> datetime | None:
    text = f"{data.get('date', '').strip()} {data.get('time', '').strip()}"
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA)
    except ValueError:
        form.error("date", Message("Give the date and time, like 2026-12-01 and 09:30."))
        return None


async def record_session(scope: TenantScope, actor_id: int, case_id: int, data: dict[str, str]) -> MediationSession:
    case, consultation = await _case(scope, case_id)
    await _handler(scope, actor_id, case, consultation)
    if case.kind != "mediation" or case.state != "open":
        raise Conflict(Message("Sessions are recorded only for an open mediation."))
    form = Form(data)
    held_at = _when(data, form)
    place = form.field("place", clean_text, max_length=200, required=False) or ""
    note = form.field("note", clean_text, max_length=4000, multiline=True, required=False) or ""
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        session = await scope.create(MediationSession, case=case.id, held_at=held_at, place=place, recorded_by=actor_id)
        if note:
            sealed = await plugin.seal(scope, consultation.person_id, SESSION_TABLE, session.id, note)
            await scope.update(MediationSession, {MediationSession.note: sealed}).where(MediationSession.id == session.id)
        await plugin.audit(scope, "session_recorded", actor_id=actor_id, target=f"legal_aid_case:{case.id}")
    return session


async def conclude(scope: TenantScope, slug: str, actor_id: int, case_id: int, data: dict[str, str],
                   files: list[tuple[str, str, bytes]]) -> None:
    """A mediation's outcome: an agreement (its document, when given, kept sealed; the
    parties may apply for judicial confirmation within 30 days) or none."""
    case, consultation = await _case(scope, case_id)
    await _handler(scope, actor_id, case, consultation)
    outcome = data.get("outcome", "")
    if case.kind != "mediation":
        raise Conflict(Message("Only a mediation has an outcome."))
    if outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": Message("Choose whether an agreement was reached.")})
    checked = documents.check(files, field="agreement") if outcome == "agreement" else []
    moment = now()
    confirm_by = (moment.astimezone(CHINA) + timedelta(days=CONFIRMATION_DAYS)).date() if outcome == "agreement" \
        else None
    async with scope.transaction(write=True):
        locked = await scope.get(Case, case.id, for_update=True)
        if locked.state != "open":
            raise Conflict(Message("This case is already concluded."))
        await scope.update(Case, {Case.state: outcome, Case.concluded_at: moment, Case.confirm_by: confirm_by}).where(
            Case.id == case.id)
        await documents.keep(scope, consultation.id, consultation.person_id, actor_id, checked, kind="agreement",
                             case_id=case.id)
        await plugin.audit(scope, "case_concluded", actor_id=actor_id, target=f"legal_aid_case:{case.id}",
                           outcome=outcome)
        title = (Message("Mediation reached an agreement. The parties may apply together to the court for judicial "
                         "confirmation by %(day)s.", {"day": confirm_by.isoformat()}) if confirm_by
                 else Message("Mediation ended without an agreement. Your adviser will tell you what you can do next."))
        await plugin.notify(scope, [consultation.person_id], kind="case", title=title,
                            link=f"/t/{slug}/p/legal_aid/cases/{case.id}")


async def record_answer(scope: TenantScope, slug: str, actor_id: int, case_id: int, data: dict[str, str]) -> None:
    """The department's (or legal aid's) answer to a referral; the case is then answered."""
    case, consultation = await _case(scope, case_id)
    await _handler(scope, actor_id, case, consultation)
    if case.kind != "referral":
        raise Conflict(Message("Only a referral has an answer."))
    form = Form(data)
    answer = form.field("answer", clean_text, max_length=4000, multiline=True)
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        locked = await scope.get(Case, case.id, for_update=True)
        if locked.state != "open":
            raise Conflict(Message("This case is already concluded."))
        sealed = await plugin.seal(scope, consultation.person_id, ANSWER_TABLE, case.id, answer)
        await scope.update(Case, {Case.state: "answered", Case.answer: sealed, Case.concluded_at: now()}).where(
            Case.id == case.id)
        await plugin.audit(scope, "referral_answered", actor_id=actor_id, target=f"legal_aid_case:{case.id}")
        await plugin.notify(scope, [consultation.person_id], kind="case",
                            title=Message("%(department)s answered your referral.", {"department": case.department}),
                            link=f"/t/{slug}/p/legal_aid/cases/{case.id}")


async def open_referrals(scope: TenantScope) -> list[Case]:
    """Referrals still waiting for an answer, oldest first (tracked until answered)."""
    return await scope.objects(Case).where(Case.kind == "referral", Case.state == "open").order_by(Case.opened_at)
