"""Legal aid's kinds of sensitive data, declared in its manifest and erased through its hook: a
case's parties and answer once it has been concluded that long (an open case keeps them), a
session's note by when it was held, the green channel's reason by when it was asked; the pages
then say when they were erased."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core import clock
from core.plugins.host import host
from core.protection import retention
from plugins.legal_aid import cases, consultations
from plugins.legal_aid.tables import Case, Consultation, MediationSession

START = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
NEIGHBOURS = {"matter": "neighbours", "description": "楼上邻居每天深夜装修，噪音很大，沟通无果。"}


def test_the_manifest_declares_its_kinds_with_their_defaults():
    host()  # registers the installed plugins' declarations
    kinds = {key: kind.default_days for key, kind in retention.KINDS.items() if kind.plugin == "legal_aid"}
    assert kinds == {"legal_aid_case_details": 1825, "legal_aid_session_note": 1825, "legal_aid_green_reason": 1095}


async def _case(district, resident, adviser, key: str, **extra):
    consultation, _new = await consultations.ask(district, "qindu", resident.id,
                                                 {**NEIGHBOURS, "idempotency_key": key, **extra}, [])
    await consultations.take(district, "qindu", adviser.id, consultation.id)
    case = await cases.open_case(district, "qindu", adviser.id, consultation.id,
                                 {"kind": "mediation", "parties": "楼上住户 李某"})
    await cases.record_session(district, adviser.id, case.id, {"date": "2026-03-03", "time": "19:00",
                                                               "place": "社区调解室", "note": "双方各自陈述"})
    return consultation, case


async def test_details_past_the_retention_are_erased_once_and_shown_as_erased(district, resident, adviser):
    clock.set_now(START, frozen=True)
    green = {"green": "migrant_wages", "green_reason": "建筑工地农民工，欠薪两个月"}
    concluded_consultation, concluded = await _case(district, resident, adviser, "retention-key-000001", **green)
    await cases.conclude(district, "qindu", adviser.id, concluded.id, {"outcome": "no_agreement"}, [])
    _open_consultation, still_open = await _case(district, resident, adviser, "retention-key-000002")
    for kind in ("legal_aid_case_details", "legal_aid_session_note", "legal_aid_green_reason"):
        await retention.set_days(district, kind, 30, actor_id=None)

    clock.advance(timedelta(days=35))  # past 30 days since the conclusion and the sessions
    assert await retention.enforce(district) == {"legal_aid_case_details": 1, "legal_aid_session_note": 2,
                                                 "legal_aid_green_reason": 1}
    assert await retention.enforce(district) == {}
    assert retention.erased_at((await district.get(Case, concluded.id)).parties) == clock.now()
    assert (await district.get(Case, still_open.id)).parties.startswith("v1:")  # an open case keeps them
    assert all(retention.erased_at(row.note) for row in await district.objects(MediationSession))
    assert retention.erased_at((await district.get(Consultation, concluded_consultation.id)).green_reason)

    shown = await cases.read(district, adviser.id, concluded.id)
    erased_on = clock.local(clock.now()).date().isoformat()
    assert erased_on in shown["parties"] and "李某" not in shown["parties"]
    assert erased_on in shown["sessions"][0]["note"] and "陈述" not in shown["sessions"][0]["note"]
    opened = await consultations.read(district, adviser.id, concluded_consultation.id, "zh-Hans")
    assert erased_on in opened["green_reason"] and "欠薪" not in opened["green_reason"]
    assert (await cases.read(district, adviser.id, still_open.id))["parties"] == "楼上住户 李某"
