"""What a copy of the database holds: a dump of the whole database (pg_dump on PostgreSQL,
the SQLite file's own dump otherwise) is searched for text a resident or a counsellor wrote
(a session note, a referral's summary) and for the shape of a screening's result; none of it
may be there in clear."""

from __future__ import annotations

import re

from core.accounts import services as accounts
from plugins.mental_health import care, network, services
from plugins.mental_health.instruments import PHQ9
from plugins.mental_health.tables import Referral, Screening
from tests.services import database_dump

SENTINEL = "SENTINEL-我整夜睡不着-7f3a9c"


async def test_a_dump_of_the_database_holds_no_answer_result_note_or_summary_in_clear(district, resident,
                                                                                     make_person):
    await services.give_consent(district, resident.id, {"agree": "1"})
    screening, _new = await services.screen(district, resident.id, PHQ9, {
        **{f"item{n}": str(a) for n, a in enumerate([1, 2, 0, 1, 0, 0, 1, 0, 1], start=1)},
        "idempotency_key": "dump-test-form-key-1"})
    async with district.transaction(write=True):
        await network.create_referral(district, resident.id, source="counsellor", level="health_centre",
                                      summary=f"{SENTINEL}: agreed to share with the health centre")
    counsellor = await make_person("王敏", "13800000031")
    await accounts.add_membership(district, counsellor.id, [network.COUNSELLOR, network.SUPERVISOR])
    await care.assign(district, counsellor.id, {network.SUPERVISOR}, resident.id, counsellor.id)
    await care.write_note(district, counsellor.id, resident.id, {"text": f"{SENTINEL}: a session note"})
    # The rows are there, sealed; the dump has them, and nothing of what they say.
    assert await district.count(Screening) == 1 and await district.count(Referral) == 2
    dump = database_dump()
    assert all(f"mental_health_{table}" in dump for table in ("screening", "referral", "note"))
    assert resident.display_name in dump, "the dump holds what is kept in clear (the search can find text)"
    assert SENTINEL not in dump
    assert "我整夜睡不着" not in dump
    # No table of the plugin's has a column in clear for the answers, the band or the score.
    definitions = [statement for statement in dump.split(";")
                   if re.search(r'CREATE TABLE (public\.)?"?mental_health_', statement)]
    assert len(definitions) >= 3
    assert not [d for d in definitions if re.search(r'(^|[\s("])"?(answers|band|score)"?\s+[A-Za-z]', d)]
    # The sealed value is in the dump: what is kept is there, only unreadable.
    sealed = (await district.select(Screening, Screening.sealed))[0]["sealed"]
    assert sealed and sealed in dump
    assert screening.crisis is True
