"""The plugin's pages as a resident, a counsellor and a stranger use them: consent first, one
page of questions with the hotline in it, refusals next to each item, results for the
resident alone, and nothing of it ever cached."""

from __future__ import annotations

import re

import pytest

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.plugins import enablement
from core.tenancy import TenantScope
from plugins.mental_health.tables import Consent, Referral, Screening
from tests.http import csrf_token
from tests.plugins.mental_health.conftest import BASE, answer, form_value, give_consent

CRISIS = [0, 0, 0, 0, 0, 0, 0, 0, 1]


def _private(response) -> None:
    assert "no-store" in response.headers.get("cache-control", ""), f"{response.url} may be cached"


async def test_the_questionnaire_waits_for_consent(signed_in, district):
    refused = await signed_in.get(f"{BASE}/screening/phq9")
    assert refused.status_code == 303 and "/consent?needed=1" in refused.headers["location"]
    page = await signed_in.get(refused.headers["location"])
    assert 'id="consent-needed"' in page.text and "请先阅读" in page.text
    for heading in ("收集哪些信息", "为什么收集", "谁能看到", "保存多久", "如何撤回"):
        assert heading in page.text
    assert 'href="tel:12356"' in page.text, "the hotline is there even before consent"
    # Posting answers without it is refused, and nothing is kept.
    token = csrf_token(page.text)
    posted = await signed_in.post(f"{BASE}/screening/phq9", data={
        **{f"item{n}": "0" for n in range(1, 10)}, "idempotency_key": "no-consent-key-1", "_csrf_token": token})
    assert posted.status_code == 403
    assert await district.count(Screening) == 0
    # Consent given, the questionnaire the resident wanted follows.
    given = await signed_in.post(f"{BASE}/consent", data={"agree": "1", "next": "phq9", "_csrf_token": token})
    assert given.status_code == 303 and given.headers["location"].endswith("/screening/phq9")


async def test_withdrawing_is_a_post_and_stops_the_questionnaire(signed_in, district):
    await give_consent(signed_in)
    page = await signed_in.get(f"{BASE}/consent")
    assert 'id="consent-given"' in page.text
    withdrawn = await signed_in.post(f"{BASE}/consent/withdraw", data={"_csrf_token": csrf_token(page.text)})
    assert withdrawn.status_code == 303
    assert (await signed_in.get(f"{BASE}/screening/gad7")).status_code == 303
    [row] = await district.select(Consent)
    assert row["withdrawn_at"] is not None


async def test_under_14_without_a_guardian_is_refused_next_to_the_field_keeping_what_was_typed(signed_in, district):
    refused = await give_consent(signed_in, {"under_14": "1", "guardian_name": "李华"})
    assert refused.status_code == 422
    assert re.search(r'id="e-guardian_relation" role="alert">[^<]*必填', refused.text)
    assert re.search(r'id="e-guardian_agrees" role="alert">[^<]*监护人', refused.text)
    assert 'value="李华"' in refused.text and 'name="under_14" value="1" checked' in refused.text
    assert await district.count(Consent) == 0
    given = await give_consent(signed_in, {"under_14": "1", "guardian_name": "李华", "guardian_relation": "母亲",
                                           "guardian_agrees": "1"})
    assert given.status_code == 303 and await district.count(Consent) == 1


async def test_one_page_holds_every_question_and_the_hotline(signed_in, district):
    await enablement.save_settings(district, "mental_health", {"local_hotline": "029-3321 1234"}, actor_id=0)
    await give_consent(signed_in)
    page = await signed_in.get(f"{BASE}/screening/phq9")
    assert page.status_code == 200
    assert page.text.index('href="tel:12356"') < page.text.index("<form method=\"post\" action=\"" + BASE), (
        "the hotline comes before the questions")
    assert 'href="tel:02933211234"' in page.text
    assert "在过去两周里" in page.text and "有不如死掉或用某种方式伤害自己的念头" in page.text
    assert all(f'name="item{n}" value="{v}"' in page.text for n in range(1, 10) for v in range(4))
    assert 'name="item10"' not in page.text
    assert re.fullmatch(r"[0-9a-f-]{36}", form_value(page.text, "idempotency_key"))
    english = await signed_in.get(f"{BASE}/screening/gad7", headers={"accept-language": "en"})
    assert "Feeling nervous, anxious, or on edge" in english.text and "Not at all" in english.text
    assert (await signed_in.get(f"{BASE}/screening/bdi")).status_code == 404


async def test_wrong_answers_are_refused_next_to_each_item_in_both_languages(signed_in, district):
    await give_consent(signed_in)
    answers = {f"item{n}": "1" for n in range(1, 10) if n != 3}
    answers["item7"] = "5"
    refused = await answer(signed_in, "phq9", answers)
    assert refused.status_code == 422
    assert re.search(r'id="e-item3" role="alert">请为这一题选择一个答案', refused.text)
    assert re.search(r'id="e-item7" role="alert">请从四个答案中选择一个', refused.text)
    assert 'name="item1" value="1" checked' in refused.text, "the chosen answers are kept"
    assert "e-item1" not in refused.text
    english = await answer(signed_in, "phq9", {"item1": "0"}, headers={"accept-language": "en"})
    assert english.status_code == 422
    assert re.search(r'id="e-item2" role="alert">Choose one answer for this question', english.text)
    assert 'href="tel:12356"' in english.text
    assert await district.count(Screening) == 0


async def test_a_form_sent_twice_is_one_screening(signed_in, district):
    await give_consent(signed_in)
    first = await answer(signed_in, "gad7", [1] * 7, key="same-form-key-123")
    again = await answer(signed_in, "gad7", [1] * 7, key="same-form-key-123")
    assert first.headers["location"] == again.headers["location"]
    assert await district.count(Screening) == 1


async def test_the_result_explains_the_band_calmly_and_shows_the_trend(signed_in, district):
    await give_consent(signed_in)
    await answer(signed_in, "phq9", [0, 0, 1, 1, 0, 0, 0, 0, 0])
    sent = await answer(signed_in, "phq9", [1, 1, 1, 1, 1, 1, 0, 0, 0])
    page = await signed_in.get(sent.headers["location"])
    assert page.status_code == 200
    _private(page)
    assert 'data-band="mild"' in page.text and "得分 6（满分 27）" in page.text and "不是诊断" in page.text
    assert re.findall(r"<li[^>]*>[^<]*: (\d+)</li>", page.text) == ["2", "6"], "earlier scores, oldest first"
    assert 'id="call-back"' not in page.text and 'href="tel:12356"' in page.text
    english = await signed_in.get(sent.headers["location"], headers={"accept-language": "en"})
    assert "Some signs" in english.text and "not a diagnosis" in english.text


async def test_a_crisis_shows_the_hotline_first_and_one_referral(signed_in, district):
    await give_consent(signed_in)
    sent = await answer(signed_in, "phq9", CRISIS, key="crisis-form-key-1")
    await answer(signed_in, "phq9", CRISIS, key="crisis-form-key-1")
    page = await signed_in.get(sent.headers["location"])
    assert page.text.index('href="tel:12356"') < page.text.index('id="call-back"') < page.text.index('id="result"')
    assert await district.count(Referral) == 1


@pytest.fixture
async def someone_elses_screening(signed_in, district):
    await give_consent(signed_in)
    sent = await answer(signed_in, "phq9", CRISIS)
    return int(sent.headers["location"].rsplit("/", 1)[1])


async def test_only_the_resident_reads_a_result(app, someone_elses_screening, district, make_person, sign_in):
    from tests.http import http_client

    for number, (name, phone, roles) in enumerate((
            ("张伟", "13800000021", ["staff"]), ("赵强", "13800000022", ["district_admin"]),
            ("王敏", "13800000023", ["mental_health.counsellor"]), ("刘洋", "13800000024", ["resident"]))):
        person = await make_person(name, phone)
        await accounts.add_membership(district, person.id, roles)
        async with http_client(app) as other:
            await sign_in(other, phone, login_path="/t/qindu/login")
            page = await other.get(f"{BASE}/screenings/{someone_elses_screening}")
            assert page.status_code == 404, f"{roles} read a resident's result"
            assert "得分" not in page.text
            _private(page)
        denied = await AuditEntry.select().where(AuditEntry.action == "sensitive.denied",
                                                 AuditEntry.actor_id == person.id)
        assert [row["target"] for row in denied] == [f"mental_health_screening:{someone_elses_screening}"]


async def test_the_console_lists_referrals_for_counsellors_without_results(app, someone_elses_screening, district,
                                                                          make_person, sign_in, signed_in):
    from tests.http import http_client

    assert (await signed_in.get(f"{BASE}/console/referrals/")).status_code == 403, "a resident has no console"
    counsellor = await make_person("王敏", "13800000023")
    await accounts.add_membership(district, counsellor.id, ["mental_health.counsellor"])
    [referral] = await district.select(Referral)
    async with http_client(app) as other:
        await sign_in(other, "13800000023", login_path="/t/qindu/login")
        listing = await other.get(f"{BASE}/console/referrals/")
        one = await other.get(f"{BASE}/console/referrals/{referral['id']}")
        assert f'id="referral-{referral["id"]}" data-state="sent"' in listing.text
        assert 'id="referral" data-state="sent" data-level="community_station"' in one.text
        for page in (listing, one):
            assert page.status_code == 200
            _private(page)
            assert "李静" in page.text and "紧急" in page.text
            assert "得分" not in page.text and "data-band" not in page.text
        assert (await other.get(f"{BASE}/console/referrals/{referral['id'] + 100}")).status_code == 404
        assert f'href="{BASE}/console/referrals/"' in (await other.get("/t/qindu/")).text, "in the navigation"


async def test_every_page_is_private(signed_in, district):
    await give_consent(signed_in)
    sent = await answer(signed_in, "phq9", [0] * 9)
    for path in ("/", "/consent", "/screening/phq9", "/screening/gad7", sent.headers["location"].split(BASE)[1]):
        page = await signed_in.get(f"{BASE}{path}")
        assert page.status_code == 200, path
        _private(page)
    _private(sent)


async def test_not_there_in_a_district_that_has_not_enabled_it(client, other_tenant, make_person, sign_in):
    person = await make_person("杨丽", "13800000041")
    await accounts.add_membership(TenantScope(other_tenant.id), person.id, ["resident"])
    await sign_in(client, "13800000041", login_path="/t/weicheng/login")
    for path in ("/", "/consent", "/screening/phq9", "/screenings/1", "/console/referrals/"):
        assert (await client.get(f"/t/weicheng/p/mental_health{path}")).status_code == 404, path
    home = await client.get("/t/weicheng/")
    assert "/p/mental_health/" not in home.text


async def test_the_resident_finds_it_in_the_navigation_and_on_the_home_page(signed_in):
    home = await signed_in.get("/t/qindu/")
    assert f'href="{BASE}/"' in home.text and "心理服务" in home.text
    assert "简短、私密的情绪与焦虑自评" in home.text, "the home tile"
    assert f"{BASE}/console/referrals/" not in home.text, "a resident has no console entry"


async def test_the_service_worker_never_caches_its_pages(client, district):
    worker = await client.get("/t/qindu/sw.js")
    never = re.search(r"var NEVER_CACHED = (\[.*?\]);", worker.text).group(1)
    assert '"/t/qindu/p/mental_health/"' in never


async def test_the_questionnaire_page_holds_the_hotline_and_its_stepping_script(signed_in, client, district):
    await give_consent(signed_in)
    page = await signed_in.get(f"{BASE}/screening/phq9", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert 'href="tel:12356"' in page.text and 'id="crisis-now" role="alert" hidden' in page.text
    assert 'data-crisis-item="9" data-severe-from="20"' in page.text
    assert page.text.count("data-item=") == 9 and 'id="screening-waiting"' in page.text
    assert '<script src="/static/p/mental_health/js/screening.js" defer></script>' in page.text
    gad7 = await signed_in.get(f"{BASE}/screening/gad7")
    assert 'data-crisis-item="0" data-severe-from="15"' in gad7.text
    script = await client.get("/static/p/mental_health/js/screening.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    # Health data stays in the page: the script keeps no answer on the device.
    for storage in ("localStorage", "sessionStorage", "indexedDB", "caches."):
        assert storage not in script.text
