"""The plugin's hook implementations: what it adds to Gongzhi. The entry point
``gongzhi.plugins: legal_aid`` (in Gongzhi's own pyproject.toml) names this module;
``manifest.toml`` beside it declares the rest (roles, the law-office party type, the private
consultation category, settings).

The hooks that run in a district are called only where the plugin is enabled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.sdk import Message, NavEntry, Tile, hookimpl

from plugins.legal_aid import people
from plugins.legal_aid.handle import plugin
from plugins.legal_aid.jobs import take_in
from plugins.legal_aid.routes import PAGES
from plugins.legal_aid.tables import Adviser, Case, Consultation, Document, MediationSession

HERE = Path(__file__).resolve().parent


@hookimpl
def page_routes() -> list:
    return list(PAGES)


@hookimpl
def piccolo_apps() -> list[str]:
    return ["plugins.legal_aid.piccolo_app"]


@hookimpl
def template_folder() -> Path:
    return HERE / "templates"


@hookimpl
def locale_folder() -> Path:
    return HERE / "locales"


@hookimpl
def event_handlers() -> list:
    return [take_in]


@hookimpl
def navigation(visit) -> list[NavEntry]:
    if visit.actor is None:
        return []
    base = f"/t/{visit.slug}/p/legal_aid"
    entries = [NavEntry(Message("Legal aid"), f"{base}/")]
    if people.ADVISER in visit.roles or visit.roles & people.MANAGERS:
        entries.append(NavEntry(Message("Requests for legal help"), f"{base}/console/"))
    if people.LAWYER in visit.roles or visit.roles & people.MANAGERS:
        entries.append(NavEntry(Message("Lawyers' duty hours"), f"{base}/console/duty"))
    if visit.roles & people.MANAGERS:
        entries.append(NavEntry(Message("Advisers and law offices"), f"{base}/console/people"))
        entries.append(NavEntry(Message("Legal aid figures"), f"{base}/console/figures"))
    return entries


@hookimpl
def home_tiles(visit) -> list[Tile]:
    return [Tile(Message("Legal aid"), f"/t/{visit.slug}/p/legal_aid/",
                 text=Message("Ask a rights adviser, see what your matter needs, book a lawyer"))]


@hookimpl
async def feedback_party(scope, category: str, submission) -> tuple[str, int | None]:
    """A request goes to the law office serving the resident's community; never to the
    community's staff, who may not read it."""
    return "legal_aid_office", await people.office_for(scope, submission.community_id)


@hookimpl
async def export_personal_data(person_id: int) -> dict[str, Any] | None:
    # What was asked is the feedback item's (core's download has it); here: when, and what kind.
    asked = await plugin.personal_rows(Consultation.person_id, person_id, Consultation.id, Consultation.tenant_id,
                                       Consultation.matter, Consultation.green, Consultation.created_at)
    adviser = await plugin.personal_rows(Adviser.person_id, person_id, Adviser.id, Adviser.tenant_id, Adviser.kind,
                                         Adviser.licence_number, Adviser.practice_areas, Adviser.active)
    if not (asked or adviser):
        return None
    return {"legal_aid_consultations": [{**row, "created_at": row["created_at"].isoformat()} for row in asked],
            "legal_aid_adviser": adviser}


@hookimpl
async def erase_personal_data(person_id: int, pseudonym: str) -> None:
    # The sealed parts are unreadable once core destroys the person's key; what is in clear goes.
    for row in await plugin.personal_rows(Consultation.person_id, person_id, Consultation.id):
        await plugin.delete_personal(Document.consultation, row["id"])
    await plugin.erase_personal(Consultation.person_id, person_id, {Consultation.green_reason: "",
                                                                    Consultation.gathered: "[]"})
    await plugin.erase_personal(Adviser.person_id, person_id, {Adviser.licence_number: "", Adviser.active: False})


# Retention ----------------------------------------------------------------------------------


@hookimpl
async def erase_sensitive_data(scope, kind: str, before) -> int:
    """A case's parties and answer once it has been concluded that long (an open case keeps
    them); session notes by when the session was held; the green channel's reason by when the
    request was made. (Documents are files, kept sealed until the person is erased.)"""
    if kind == "legal_aid_case_details":
        concluded = (Case.concluded_at.is_not_null(),)
        return (await plugin.erase_sealed(scope, Case.parties, since=Case.concluded_at, before=before,
                                          where=concluded)
                + await plugin.erase_sealed(scope, Case.answer, since=Case.concluded_at, before=before,
                                            where=concluded))
    if kind == "legal_aid_session_note":
        return await plugin.erase_sealed(scope, MediationSession.note, since=MediationSession.held_at, before=before)
    if kind == "legal_aid_green_reason":
        return await plugin.erase_sealed(scope, Consultation.green_reason, since=Consultation.created_at,
                                         before=before)
    return 0
