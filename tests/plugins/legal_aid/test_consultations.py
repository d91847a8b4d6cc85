"""Asking for help, from the resident's form to the adviser's answer, through the feedback
loop; the green channel; materials and documents; bad input."""

from __future__ import annotations

import pytest

from core.audit.tables import AuditEntry
from core.feedback.tables import FeedbackItem
from core.sdk import ValidationFailed
from plugins.legal_aid import consultations
from plugins.legal_aid.tables import Consultation, Document
from tests.plugins.legal_aid.conftest import BASE, ask, post

EN = {"accept-language": "en"}
WAGES = {"matter": "wages", "description": "工地老板拖欠三个月工资共一万二千元，一直不给。"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_a_request_enters_the_feedback_loop_private_and_goes_to_the_law_office(
        district, signed_in, resident, adviser, office):
    answer = await ask(signed_in, WAGES, files={"documents": ("合同.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303, answer.text
    [consultation] = await district.objects(Consultation)
    item = await district.get(FeedbackItem, consultation.item_id)
    assert (item.party_type, item.party_id) == ("legal_aid_office", office.id)
    assert item.description == "" and item.sealed_description, "a private category's text is sealed by core"
    assert consultation.adviser_id is None, "an ordinary request waits for an adviser to pick it up"
    assert await district.count(Document) == 1
    page = await signed_in.get(answer.headers["location"])
    assert page.status_code == 200 and "拖欠三个月工资" in page.text
    assert page.headers["cache-control"] == "no-store"
    # The guide's steps and its materials to tick.
    assert "劳动人事争议仲裁委员会" in page.text and 'name="material_0"' in page.text
    document = await signed_in.get(f"{BASE}/consultations/{consultation.id}/documents/"
                                   f"{(await district.objects(Document).first()).id}")
    assert document.status_code == 200 and document.content == PDF


async def test_the_same_form_sent_twice_is_one_request(district, signed_in, adviser):
    page = await signed_in.get(f"{BASE}/ask")
    from tests.http import csrf_token
    from tests.plugins.legal_aid.conftest import form_value

    data = {**WAGES, "idempotency_key": form_value(page.text, "idempotency_key"), "_csrf_token": csrf_token(page.text)}
    first = await signed_in.post(f"{BASE}/ask", data=data)
    second = await signed_in.post(f"{BASE}/ask", data=data)
    assert first.headers["location"] == second.headers["location"]
    assert await district.count(Consultation) == 1 and await district.count(FeedbackItem) == 1


async def test_an_adviser_picks_a_request_up_answers_and_settles_it(district, signed_in, resident, adviser, client,
                                                                   sign_in, app):
    await ask(signed_in, WAGES)
    [consultation] = await district.objects(Consultation)
    from tests.http import http_client

    async with http_client(app) as staff:
        await sign_in(staff, adviser.phone, login_path="/t/qindu/login")
        queue = await staff.get(f"{BASE}/console/")
        assert queue.status_code == 200 and f"consultation-{consultation.id}" in queue.text
        assert "一万二千元" not in queue.text, "the queue lists requests without their text"
        taken = await post(staff, f"{BASE}/console/consultations/{consultation.id}/take", page=f"{BASE}/console/")
        assert taken.status_code == 303
        answered = await post(staff, f"{BASE}/console/consultations/{consultation.id}/answer",
                              {"note": "请先整理工资条和考勤记录，再向劳动保障监察投诉。"})
        assert answered.status_code == 303, answered.text
        item = await district.get(FeedbackItem, consultation.item_id)
        assert item.state == "in_progress" and item.accepted_at is not None
        settled = await post(staff, f"{BASE}/console/consultations/{consultation.id}/resolve",
                             {"note": "已协助投诉，老板已付清工资。"})
        assert settled.status_code == 303
    item = await district.get(FeedbackItem, consultation.item_id)
    assert item.state == "resolved"
    page = await signed_in.get(f"{BASE}/consultations/{consultation.id}")
    assert "请先整理工资条" in page.text and "老板已付清工资" in page.text


async def test_the_green_channel_goes_first_with_shorter_deadlines_and_is_assigned_at_once(
        district, signed_in, adviser):
    await ask(signed_in, WAGES)
    await ask(signed_in, {**WAGES, "description": "我是农民工，老板欠我八千元工资，快过年了。",
                          "green": "migrant_wages", "green_reason": "建筑工地农民工，欠薪两个月"})
    ordinary, green = await district.objects(Consultation).order_by(Consultation.id)
    assert green.green == "migrant_wages" and green.adviser_id == adviser.id
    assert ordinary.adviser_id is None
    green_item = await district.get(FeedbackItem, green.item_id)
    ordinary_item = await district.get(FeedbackItem, ordinary.item_id)
    assert green_item.state == "accepted", "assigned at once, and taken up"
    assert green_item.resolve_due - green_item.created_at <= (ordinary_item.resolve_due - ordinary_item.created_at) / 3
    queue = await consultations.queue(district, adviser.id)
    assert [entry["consultation"].id for entry in queue["mine"]] == [green.id]
    assert "建筑工地农民工" not in str(green.green_reason), "the reason is sealed"


async def test_bad_requests_are_refused_next_to_their_fields_and_nothing_is_written(district, signed_in, adviser):
    empty = await ask(signed_in, {"matter": "", "description": "短"}, headers=EN)
    assert empty.status_code == 422
    assert 'id="e-matter"' in empty.text and 'id="e-description"' in empty.text
    no_reason = await ask(signed_in, {**WAGES, "green": "elderly"}, headers=EN)
    assert no_reason.status_code == 422 and 'id="e-green_reason"' in no_reason.text
    assert "拖欠三个月工资" in no_reason.text, "what was typed is kept"
    wrong = await ask(signed_in, WAGES, files={"documents": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
                      headers=EN)
    assert wrong.status_code == 422 and "is not a PDF, JPEG or PNG file" in wrong.text
    large = await ask(signed_in, WAGES, files={"documents": ("big.pdf", PDF + b"0" * 750_000, "application/pdf")},
                      headers=EN)
    assert large.status_code in (413, 422)
    assert await district.count(Consultation) == 0 and await district.count(FeedbackItem) == 0


async def test_with_no_adviser_the_resident_is_given_the_hotline(district, signed_in):
    answer = await ask(signed_in, WAGES, headers=EN)
    assert answer.status_code == 409 and "12348" in answer.text
    assert await district.count(FeedbackItem) == 0


async def test_ticking_materials_shows_the_adviser_what_is_missing(district, signed_in, resident, adviser):
    await ask(signed_in, {**WAGES, "green": "migrant_wages", "green_reason": "农民工欠薪"})
    [consultation] = await district.objects(Consultation)
    done = await post(signed_in, f"{BASE}/consultations/{consultation.id}/materials",
                      {"material_0": "1", "material_2": "1"}, page=f"{BASE}/consultations/{consultation.id}")
    assert done.status_code == 303
    found = await consultations.read(district, adviser.id, consultation.id, "zh-Hans")
    assert found["gathered"] == ["身份证", "工资条或银行流水"]
    assert len(found["missing"]) == 2 and found["missing"][0].startswith("劳动合同")


@pytest.mark.parametrize("who", ["other adviser", "staff"])
async def test_a_look_by_someone_not_assigned_is_refused_and_audited(district, signed_in, adviser, make_person,
                                                                     who):
    from core.accounts import services as accounts

    await ask(signed_in, {**WAGES, "green": "migrant_wages", "green_reason": "农民工欠薪"})
    [consultation] = await district.objects(Consultation)
    other = await make_person("赵六", "13800000199")
    await accounts.add_membership(district, other.id, ["legal_aid.adviser"] if who == "other adviser" else ["staff"])
    with pytest.raises(consultations.Unreadable):
        await consultations.read(district, other.id, consultation.id, "zh-Hans")
    refused = await district.objects(AuditEntry).where(AuditEntry.action == "legal_aid.read_refused")
    assert [(row.actor_id, row.target) for row in refused] == [(other.id, f"legal_aid_consultation:{consultation.id}")]


async def test_a_request_sent_through_the_districts_feedback_form_is_taken_in(district, resident, adviser, jobs):
    from plugins.legal_aid.handle import plugin

    item_id, _number, _new = await plugin.submit_feedback(
        district, "qindu", resident.id, {"category": "legal_aid_consultation",
                                         "description": "物业公司乱收费，想咨询怎么维权。"},
        idempotency_key="core-form-key-0001")
    await jobs.run_due()
    [consultation] = await district.objects(Consultation)
    assert (consultation.item_id, consultation.matter, consultation.adviser_id) == (item_id, "other", None)
    await jobs.run_due()
    assert await district.count(Consultation) == 1, "taken in once"
    queue = await consultations.queue(district, adviser.id)
    assert [entry["consultation"].id for entry in queue["waiting"]] == [consultation.id]


async def test_the_plugins_own_requests_are_not_taken_in_twice(district, signed_in, adviser, jobs):
    await ask(signed_in, WAGES)
    await jobs.run_due()
    [consultation] = await district.objects(Consultation)
    assert consultation.matter == "wages"


async def test_of_two_advisers_picking_a_request_up_at_once_one_gets_it(district, signed_in, adviser, make_person):
    import asyncio

    from core.accounts import services as accounts
    from core.sdk import Conflict

    await ask(signed_in, WAGES)
    [consultation] = await district.objects(Consultation)
    other = await make_person("孙七", "13800000198")
    await accounts.add_membership(district, other.id, ["legal_aid.adviser"])
    results = await asyncio.gather(*(consultations.take(district, "qindu", person, consultation.id)
                                     for person in (adviser.id, other.id)), return_exceptions=True)
    assert sorted(type(result).__name__ for result in results) == ["Conflict", "NoneType"]
    assert isinstance([r for r in results if r is not None][0], Conflict)
    taken = await district.get(Consultation, consultation.id)
    winner = adviser.id if results[0] is None else other.id
    assert taken.adviser_id == winner
    item = await district.get(FeedbackItem, taken.item_id)
    assert item.state == "accepted"


async def test_the_same_form_sent_twice_at_once_is_one_request(district, resident, adviser):
    import asyncio

    data = {**WAGES, "idempotency_key": "twice-at-once-key-1"}
    results = await asyncio.gather(*(consultations.ask(district, "qindu", resident.id, data, []) for _ in range(2)))
    assert results[0][0].id == results[1][0].id and sorted(new for _c, new in results) == [False, True]
    assert await district.count(Consultation) == 1 and await district.count(FeedbackItem) == 1


async def test_an_empty_answer_is_refused_next_to_its_field(district, signed_in, adviser):
    await ask(signed_in, {**WAGES, "green": "migrant_wages", "green_reason": "农民工欠薪"})
    [consultation] = await district.objects(Consultation)
    with pytest.raises(ValidationFailed) as empty:
        await consultations.answer(district, adviser.id, consultation.id, {"note": "  "})
    assert set(empty.value.errors) == {"note"}
    assert (await district.get(FeedbackItem, consultation.item_id)).state == "accepted"
