"""Who may see a request for legal help, page by page: the resident, the adviser assigned
to it, another adviser, community staff, the district's admin and an adviser of another
district. Every refused look is audited."""

from __future__ import annotations

import pytest

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.legal_aid import cases, consultations
from plugins.legal_aid.tables import Document
from tests.http import http_client
from tests.plugins.legal_aid.conftest import BASE

TEXT = "ACCESS-SENTINEL-房东不退押金"
PDF = b"%PDF-1.4 access test"

# What each one gets: the request, one of its documents, its mediation case.
EXPECTED = {
    "resident": (200, 200, 200),
    "assigned adviser": (200, 200, 200),
    "other adviser": (403, 403, 403),
    "staff": (403, 403, 403),
    "district admin": (403, 403, 403),
    "another district": (404, 404, 404),
}
ROLES = {"other adviser": ["legal_aid.adviser"], "staff": ["staff"], "district admin": ["district_admin"]}


@pytest.fixture
async def world(app, district, other_tenant, resident, adviser, make_person):
    consultation, _new = await consultations.ask(
        district, "qindu", resident.id, {"matter": "tenancy", "description": TEXT, "green": "elderly",
                                         "green_reason": "七十岁", "idempotency_key": "access-form-key-1"},
        [("收据.pdf", "application/pdf", PDF)])
    case = await cases.open_case(district, "qindu", adviser.id, consultation.id,
                                 {"kind": "mediation", "parties": "房东 陈某"})
    document = await district.objects(Document).first()
    people = {"resident": resident, "assigned adviser": adviser}
    for number, (who, roles) in enumerate(ROLES.items(), start=61):
        person = await make_person(f"职员{number}", f"138000001{number}")
        await accounts.add_membership(district, person.id, roles)
        people[who] = person
    elsewhere = TenantScope(other_tenant.id)
    await enablement.set_enabled(elsewhere, "legal_aid", True, actor_id=None)
    stranger = await make_person("杨丽", "13800000169")
    await accounts.add_membership(elsewhere, stranger.id, ["legal_aid.adviser", "district_admin"])
    people["another district"] = stranger
    paths = (f"{BASE}/consultations/{consultation.id}",
             f"{BASE}/consultations/{consultation.id}/documents/{document.id}", f"{BASE}/cases/{case.id}")
    return people, paths, consultation


@pytest.mark.parametrize("who", list(EXPECTED))
async def test_only_the_resident_and_the_assigned_adviser_read_a_request(app, district, world, sign_in, who,
                                                                        other_tenant):
    people, paths, consultation = world
    person = people[who]
    slug = other_tenant.slug if who == "another district" else "qindu"
    async with http_client(app) as client:
        await sign_in(client, person.phone, login_path=f"/t/{slug}/login")
        got = []
        for number, path in enumerate(paths):
            answer = await client.get(path.replace("/t/qindu/", f"/t/{slug}/"))
            got.append(answer.status_code)
            if answer.status_code == 200 and number == 0:
                assert TEXT in answer.text
            else:
                assert TEXT not in answer.text
    assert tuple(got) == EXPECTED[who]
    refused = await district.objects(AuditEntry).where(AuditEntry.action == "legal_aid.read_refused",
                                                        AuditEntry.actor_id == person.id)
    if EXPECTED[who][0] == 403:
        assert len(refused) == 3, "every refused look is audited"
    else:
        assert refused == []
    if who in ("resident", "assigned adviser"):
        reads = await district.objects(AuditEntry).where(AuditEntry.action == "sensitive.read",
                                                          AuditEntry.actor_id == person.id)
        assert reads, "every read of the sealed text is audited"
