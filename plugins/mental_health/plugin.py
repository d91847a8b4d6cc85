"""The plugin's hook implementations: what it adds to Gongzhi. The entry point
``gongzhi.plugins: mental_health`` (in Gongzhi's own pyproject.toml) names this module;
``manifest.toml`` beside it declares the rest.

The hooks that run in a district (navigation, tiles) are called only where the plugin is
enabled; the plugin never checks that itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.sdk import Message, NavEntry, Tile, hookimpl

from plugins.mental_health import network, services
from plugins.mental_health.handle import plugin
from plugins.mental_health.jobs import escalate
from plugins.mental_health.routes import PAGES
from plugins.mental_health.tables import Consent, Helper, Note, Referral, Screening, Training

HERE = Path(__file__).resolve().parent


# What the plugin brings (called once, when it is loaded) ----------------------------------


@hookimpl
def page_routes() -> list:
    return list(PAGES)


@hookimpl
def piccolo_apps() -> list[str]:
    return ["plugins.mental_health.piccolo_app"]


@hookimpl
def template_folder() -> Path:
    return HERE / "templates"


@hookimpl
def locale_folder() -> Path:
    return HERE / "locales"


@hookimpl
def static_folder() -> Path:
    return HERE / "static"


@hookimpl
def jobs() -> list:
    return [escalate]


# In a district that enabled it --------------------------------------------------------------


@hookimpl
def navigation(visit) -> list[NavEntry]:
    if visit.actor is None:
        return []
    entries = [NavEntry(Message("Mental health"), f"/t/{visit.slug}/p/mental_health/")]
    if visit.roles & services.CONSOLE:
        entries.append(NavEntry(Message("Referrals"), f"/t/{visit.slug}/p/mental_health/console/referrals/"))
        entries.append(NavEntry(Message("Residents in counselling"),
                                f"/t/{visit.slug}/p/mental_health/console/residents/"))
    if network.COUNSELLOR in visit.roles:
        entries.append(NavEntry(Message("My counselling sessions"),
                                f"/t/{visit.slug}/p/mental_health/console/appointments/"))
    if visit.roles & network.MANAGERS:
        entries.append(NavEntry(Message("Mental health figures"), f"/t/{visit.slug}/p/mental_health/console/figures/"))
        entries.append(NavEntry(Message("Community helpers"), f"/t/{visit.slug}/p/mental_health/console/helpers/"))
    if "mental_health.helper" in visit.roles:
        entries.append(NavEntry(Message("Refer a resident"), f"/t/{visit.slug}/p/mental_health/helpers/refer"))
    return entries


@hookimpl
def home_tiles(visit) -> list[Tile]:
    return [Tile(Message("Mental health"), f"/t/{visit.slug}/p/mental_health/",
                 text=Message("A short, private check of your mood and worries, and where to find help"))]


# Retention ------------------------------------------------------------------------------------


@hookimpl
async def erase_sensitive_data(scope, kind: str, before) -> int:
    """Session notes are erased by when they were written, questionnaires by when they were
    filled in; a referral's summary once the referral has been closed that long (an open one
    keeps it)."""
    if kind == "mental_health_session_note":
        return await plugin.erase_sealed(scope, Note.sealed, since=Note.created_at, before=before)
    if kind == "mental_health_screening":  # when it was filled in and whether it took the crisis route stay
        return await plugin.erase_sealed(scope, Screening.sealed, since=Screening.created_at, before=before)
    if kind == "mental_health_referral_summary":
        return await plugin.erase_sealed(scope, Referral.summary_sealed, since=Referral.closed_at, before=before,
                                         where=(Referral.state == "closed",))
    return 0


# A person's data ----------------------------------------------------------------------------


@hookimpl
async def export_personal_data(person_id: int) -> dict[str, Any] | None:
    consents = await plugin.personal_rows(Consent.person_id, person_id, Consent.id, Consent.tenant_id,
                                          Consent.version, Consent.given_at, Consent.withdrawn_at,
                                          Consent.guardian_name, Consent.guardian_relation)
    # A screening's answers and result are sealed with the person's data key and opened only
    # where the person reads them, audited (their result pages): the download lists when each
    # questionnaire was filled in, not what it said.
    screenings = await plugin.personal_rows(Screening.person_id, person_id, Screening.id, Screening.tenant_id,
                                            Screening.instrument, Screening.created_at)
    referrals = await plugin.personal_rows(Referral.person_id, person_id, Referral.id, Referral.tenant_id,
                                           Referral.level, Referral.state, Referral.urgent, Referral.created_at)
    # Session notes likewise: when each was written, not what it says.
    notes = await plugin.personal_rows(Note.person_id, person_id, Note.id, Note.tenant_id, Note.created_at)
    helpers = await plugin.personal_rows(Helper.person_id, person_id, Helper.id, Helper.tenant_id, Helper.kind,
                                         Helper.organization, Helper.registered_at, Helper.active)
    trainings = [training for helper in helpers for training in await plugin.personal_rows(
        Training.helper, helper["id"], Training.id, Training.tenant_id, Training.course, Training.provider,
        Training.completed_on, Training.hours, Training.certificate)]
    if not (consents or screenings or referrals or notes or helpers):
        return None
    return {"mental_health_consents": services.plain(consents),
            "mental_health_screenings": services.plain(screenings),
            "mental_health_referrals": services.plain(referrals),
            "mental_health_session_notes": services.plain(notes),
            "mental_health_helper": services.plain(helpers),
            "mental_health_helper_training": [{**row, "completed_on": row["completed_on"].isoformat()}
                                              for row in trainings]}


@hookimpl
async def erase_personal_data(person_id: int, pseudonym: str) -> None:
    await services.erase(person_id)
    await plugin.erase_personal(Helper.person_id, person_id, {Helper.organization: "", Helper.active: False})
