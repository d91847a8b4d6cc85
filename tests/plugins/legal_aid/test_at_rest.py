"""What a copy of the database holds: a dump of the whole database (pg_dump on PostgreSQL,
the SQLite file's own dump otherwise) is searched for what a resident told their adviser
(the request, the reason for the green channel, a document, the other parties, a mediation
note, a department's answer); none of it may be there in clear."""

from __future__ import annotations

from plugins.legal_aid import cases, consultations
from plugins.legal_aid.tables import Case, Consultation, Document, MediationSession
from tests.services import database_dump

SENTINEL = "SENTINEL-老板欠薪一万二-4c1e9b"


async def test_a_dump_of_the_database_holds_nothing_a_resident_told_their_adviser(district, resident, adviser):
    consultation, _new = await consultations.ask(
        district, "qindu", resident.id,
        {"matter": "wages", "description": f"{SENTINEL}: 工地老板拖欠三个月工资", "green": "migrant_wages",
         "green_reason": f"{SENTINEL}: 农民工", "idempotency_key": "at-rest-form-key-1"},
        [("欠条.pdf", "application/pdf", f"%PDF-1.4 {SENTINEL} 欠条".encode())])
    assert consultation.adviser_id == adviser.id
    mediation = await cases.open_case(district, "qindu", adviser.id, consultation.id,
                                      {"kind": "mediation", "parties": f"{SENTINEL}: 包工头 王某"})
    await cases.record_session(district, adviser.id, mediation.id, {"date": "2026-12-01", "time": "09:30",
                                                                     "note": f"{SENTINEL}: 双方同意分期付款"})
    referral = await cases.open_case(district, "qindu", adviser.id, consultation.id,
                                     {"kind": "referral", "department": "劳动保障监察大队"})
    await cases.record_answer(district, "qindu", adviser.id, referral.id, {"answer": f"{SENTINEL}: 已立案"})
    assert await district.count(Consultation) == 1 and await district.count(Case) == 2
    assert await district.count(MediationSession) == 1 and await district.count(Document) == 1
    dump = database_dump()
    assert all(f"legal_aid_{table}" in dump for table in ("consultation", "case", "session", "document"))
    assert "劳动保障监察大队" in dump, "the dump holds what is kept in clear (the search can find text)"
    assert SENTINEL not in dump
    assert "工地老板拖欠" not in dump and "双方同意分期付款" not in dump
    # The document's file, as the storage keeps it, is sealed too.
    from plugins.legal_aid.handle import plugin

    [stored] = await district.select(Document, Document.storage_key)
    assert SENTINEL.encode() not in (await plugin.read_file(district, stored["storage_key"])).data
    # And each one opens again for the adviser.
    found = await consultations.read(district, adviser.id, consultation.id, "zh-Hans")
    assert SENTINEL in str(found["item"]["description"]) and SENTINEL in found["green_reason"]
    name, _kind, content = await consultations.document(district, adviser.id, consultation.id,
                                                        found["documents"][0]["id"])
    assert name == "欠条.pdf" and SENTINEL.encode() in content
