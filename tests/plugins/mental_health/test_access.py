"""Who may see what of a resident's mental-health records, page by page: the resident, their
assigned counsellor, another counsellor, a community helper, staff, the district's admin and
a counsellor of another district. Every refused look at a result is audited."""

from __future__ import annotations

import pytest

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.mental_health import care
from plugins.mental_health.tables import Referral
from tests.http import csrf_token, http_client
from tests.plugins.mental_health.conftest import BASE, answer, give_consent

EN = {"accept-language": "en"}
NOTE = "NOTE-SENTINEL-会谈时提到失眠"

# What each one gets: the resident's result, the counsellor's record of the resident, the
# list of referrals, the referral itself.
EXPECTED = {
    "resident": (200, 200, 403, 403),  # their own record, notes included (theirs to read)
    "assigned counsellor": (200, 200, 200, 200),
    "other counsellor": (404, 403, 200, 200),
    "helper": (404, 404, 403, 403),
    "staff": (404, 404, 403, 403),
    "district admin": (404, 403, 403, 403),
    "another district": (404, 404, None, 404),  # its own list is its own district's
}
ROLES = {
    "assigned counsellor": ["mental_health.counsellor"],
    "other counsellor": ["mental_health.counsellor"],
    "helper": ["mental_health.helper"],
    "staff": ["staff"],
    "district admin": ["district_admin"],
}


@pytest.fixture
async def world(app, district, other_tenant, signed_in, resident, make_person, sign_in, jobs):
    await give_consent(signed_in)
    crisis = await answer(signed_in, "phq9", [1, 1, 1, 1, 0, 0, 0, 0, 1])
    screening_id = int(crisis.headers["location"].rstrip("/").rsplit("/", 1)[1])
    clients = {"resident": signed_in}
    for number, (who, roles) in enumerate(ROLES.items(), start=51):
        person = await make_person(f"职员{number}", f"138000000{number}")
        await accounts.add_membership(district, person.id, roles)
        clients[who] = person
    elsewhere = TenantScope(other_tenant.id)
    await enablement.set_enabled(elsewhere, "mental_health", True, actor_id=None)
    stranger = await make_person("杨丽", "13800000059")
    await accounts.add_membership(elsewhere, stranger.id, ["mental_health.counsellor", "mental_health.supervisor",
                                                           "district_admin"])
    clients["another district"] = stranger
    counsellor = clients["assigned counsellor"]
    await care.assign(district, clients["district admin"].id, {"district_admin"}, resident.id, counsellor.id)
    await care.write_note(district, counsellor.id, resident.id, {"text": NOTE})
    [referral] = await district.select(Referral)
    opened = {}
    async with http_client(app) as c1, http_client(app) as c2, http_client(app) as c3, http_client(app) as c4, \
            http_client(app) as c5, http_client(app) as c6:
        for client, who in zip((c1, c2, c3, c4, c5, c6), [w for w in clients if w != "resident"]):
            slug = "weicheng" if who == "another district" else "qindu"
            await sign_in(client, clients[who].phone, login_path=f"/t/{slug}/login")
            client.person = clients[who]
            opened[who] = client
        signed_in.person = resident
        opened["resident"] = signed_in
        yield {"clients": opened, "screening": screening_id, "referral": referral["id"], "resident": resident}


async def test_the_access_matrix(world):
    resident, screening, referral = world["resident"], world["screening"], world["referral"]
    seen = {}
    for who, client in world["clients"].items():
        base = BASE.replace("qindu", "weicheng") if who == "another district" else BASE
        paths = (f"{BASE}/screenings/{screening}", f"{BASE}/console/residents/{resident.id}",
                 f"{base}/console/referrals/", f"{BASE}/console/referrals/{referral}")
        answers = []
        for path in paths:
            if who == "another district":
                path = path.replace("/t/qindu/", "/t/weicheng/")
            response = await client.get(path, headers=EN)
            answers.append(response.status_code)
            assert "no-store" in response.headers.get("cache-control", ""), path
            if response.status_code != 200:
                assert NOTE not in response.text and "data-band" not in response.text, (who, path)
        seen[who] = tuple(None if expected is None else got for expected, got in zip(EXPECTED[who], answers))
    assert seen == EXPECTED
    # Only the resident and their counsellor read the result; each refusal is in the audit log.
    readers = {row["actor_id"] for row in await AuditEntry.select(AuditEntry.actor_id).where(
        AuditEntry.action == "sensitive.read", AuditEntry.target == f"mental_health_screening:{screening}")}
    assert readers == {resident.id, world["clients"]["assigned counsellor"].person.id}
    refused = {row["actor_id"] for row in await AuditEntry.select(AuditEntry.actor_id).where(
        AuditEntry.action == "sensitive.denied", AuditEntry.target == f"mental_health_screening:{screening}")}
    assert refused == {world["clients"][who].person.id for who in
                       ("other counsellor", "helper", "staff", "district admin")}


async def test_only_the_assigned_counsellor_reads_and_writes_notes(world):
    resident = world["resident"]
    for who, client in world["clients"].items():
        if who in ("resident", "another district"):
            continue
        page = await client.get(f"{BASE}/console/residents/{resident.id}", headers=EN)
        assert (NOTE in page.text) is (who == "assigned counsellor"), who
        token = csrf_token(page.text) if "_csrf_token" in page.text else csrf_token(
            (await client.get(f"{BASE}/", headers=EN)).text)
        written = await client.post(f"{BASE}/console/residents/{resident.id}/notes",
                                    data={"text": "另一条记录", "_csrf_token": token}, headers=EN)
        assert (written.status_code == 303) is (who == "assigned counsellor"), (who, written.status_code)
