"""A private category's notes are sealed at rest like its description: every timeline note,
a department's report and the resident's rating comment. The rows hold no readable text; the
submitter and the party handling the item read them (each read audited); anyone else sees
that they are sealed."""

import pytest

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.config import Settings
from core.errors import PermissionDenied
from core.feedback import call_ins, reading, workflow
from core.feedback.tables import CallIn, FeedbackItem, TimelineEntry
from core.i18n import Message
from core.protection.tables import PersonKey
from tenants.tables import Department

SETTINGS = Settings.from_env()
PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
NOTES = {
    "assign": "老人独居，请街道统筹。",
    "call_in": "请民政上门看看。",
    "report": "上门走访，老人身体尚可。",
    "resolve": "已安排护工每周上门。",
    "rate": "感谢关心老人",
}


@pytest.fixture
async def private_item(place, submit, make_person):
    """A private item (family) that went the whole way: accepted by the community, passed to
    the street, a department called in and reporting, resolved and rated with a comment."""
    scope = place["scope"]
    department = await scope.create(Department, name="民政局")
    department_staff = await make_person("陈静", "13900000041")
    await accounts.add_membership(scope, department_staff.id, ["department_staff"], "department", department.id)
    item, _ = await submit(key="key-private1", category=str(place["categories"]["family"].id),
                           description="家中老人需要照护。")
    community, street = place["community_staff"], place["street_staff"]
    await workflow.accept(scope, "qindu", item.id, actor_id=community.id, revision=1)
    await workflow.assign(scope, "qindu", item.id, actor_id=community.id, revision=2, party_type="street",
                          party_id=place["street"].id, note=NOTES["assign"], settings=SETTINGS)
    street_places = await accounts.places_of(scope, street.id)
    call = await call_ins.clean(scope, {"note": NOTES["call_in"]}, [str(department.id)])
    [called] = await call_ins.call_in(SETTINGS, scope, "qindu", item.id, actor_id=street.id, places=street_places,
                                      revision=3, call=call)
    department_places = await accounts.places_of(scope, department_staff.id)
    await call_ins.acknowledge(scope, "qindu", item.id, called.id, actor_id=department_staff.id,
                               places=department_places, revision=4)
    await call_ins.report(SETTINGS, scope, "qindu", item.id, called.id, actor_id=department_staff.id,
                          places=department_places, revision=5, text=NOTES["report"])
    await workflow.resolve(scope, "qindu", item.id, actor_id=street.id, revision=6, what_was_done=NOTES["resolve"],
                           settings=SETTINGS)
    await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating="4", comment=NOTES["rate"],
                        settings=SETTINGS)
    return {"item": await scope.get(FeedbackItem, item.id), "call_in": called, "department": department}


async def test_the_rows_hold_no_private_text(place, private_item):
    scope = place["scope"]
    dump = []
    for table, sql in ((TimelineEntry, "SELECT * FROM feedback_timeline WHERE tenant_id = {tenant}"),
                       (CallIn, "SELECT * FROM feedback_call_in WHERE tenant_id = {tenant}"),
                       (FeedbackItem, "SELECT * FROM feedback_item WHERE tenant_id = {tenant}")):
        dump += [str(value) for row in await scope.raw(table, sql) for value in row.values()]
    for plain in (*NOTES.values(), "家中老人需要照护。"):
        assert not any(plain in value for value in dump), plain
    entries = await scope.objects(TimelineEntry).where(TimelineEntry.item == private_item["item"].id)
    noted = {e.action: e for e in entries if e.note}
    assert set(noted) == set(NOTES)
    assert all(e.sealed and e.note.startswith("v1:") for e in noted.values())
    assert not any(e.sealed for e in entries if not e.note)
    assert (await scope.get(CallIn, private_item["call_in"].id)).report.startswith("v1:")
    assert private_item["item"].rating_comment.startswith("v1:") and private_item["item"].rating == 4


async def test_the_submitter_and_the_party_read_them_and_nobody_else(place, private_item):
    scope, item = place["scope"], private_item["item"]
    before = await AuditEntry.count().where(AuditEntry.action == "sensitive.read")
    mine = await reading.view(SETTINGS, scope, item, reader_id=place["resident"].id,
                              may_read_private=lambda reader: False)
    assert {e.action: e.note for e in mine.timeline if e.note} == NOTES
    assert mine.rating_comment == NOTES["rate"] and mine.description == "家中老人需要照护。"
    assert await AuditEntry.count().where(AuditEntry.action == "sensitive.read") == before + 7  # each read
    street = place["street_staff"].id
    shown = await call_ins.of_item(SETTINGS, scope, item, reader_id=street, may_read_private=lambda reader: True,
                                   places=await accounts.places_of(scope, street))
    assert [c.report for c in shown] == [NOTES["report"]]
    admin = place["admin"].id  # not this item's party
    with pytest.raises(PermissionDenied):  # the description is refused to them, so the whole item is
        await reading.view(SETTINGS, scope, item, reader_id=admin, may_read_private=lambda reader: reader == street)
    sealed = str(Message(reading.SEALED))
    entries = await scope.objects(TimelineEntry).where(TimelineEntry.item == item.id, TimelineEntry.note != "")
    for entry in entries:  # and each note, asked for alone, shows only that it is sealed
        shown = await reading.unseal(SETTINGS, scope, item, reader_id=admin, may_read_private=lambda r: r == street,
                                     table="feedback_timeline", row_id=entry.id, sealed=entry.note)
        assert str(shown) == sealed
    shown = await call_ins.of_item(SETTINGS, scope, item, reader_id=admin, may_read_private=lambda reader: False,
                                   places=await accounts.places_of(scope, admin))
    assert str(shown[0].report) == sealed


async def test_pages_show_them_to_the_resident_and_the_party(client, place, private_item, sign_in):
    item = private_item["item"]
    await sign_in(client, "13900000021", login_path="/t/qindu/login")  # the resident
    page = await client.get(f"/t/qindu/feedback/{item.id}", headers=PAGE)
    assert page.status_code == 200
    assert all(note in page.text for key, note in NOTES.items() if key != "rate")  # the timeline
    client.cookies.clear()
    await sign_in(client, "13900000031", login_path="/t/qindu/login")  # the street, its party now
    page = await client.get(f"/t/qindu/console/feedback/{item.id}", headers=PAGE)
    assert page.status_code == 200 and all(note in page.text for note in NOTES.values())
    client.cookies.clear()
    await sign_in(client, "13900000011", login_path="/t/qindu/login")  # the community passed it on
    assert (await client.get(f"/t/qindu/console/feedback/{item.id}", headers=PAGE)).status_code == 404


async def test_a_destroyed_key_leaves_the_notes_sealed_for_everyone(place, private_item):
    scope, item = place["scope"], private_item["item"]
    await scope.update(PersonKey, {PersonKey.wrapped_key: ""}).where(PersonKey.person_id == place["resident"].id)
    entries = await scope.objects(TimelineEntry).where(
        TimelineEntry.item == item.id, TimelineEntry.sealed == True)  # noqa: E712
    assert len(entries) == len(NOTES)
    for entry in entries:
        shown = await reading.unseal(SETTINGS, scope, item, reader_id=place["resident"].id,
                                     may_read_private=lambda reader: False, table="feedback_timeline",
                                     row_id=entry.id, sealed=entry.note)
        assert str(shown) == str(Message(reading.SEALED))


async def test_the_notes_of_an_item_that_is_not_private_stay_plain(place, submit):
    scope = place["scope"]
    item, _ = await submit()
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=2,
                           what_was_done="已清理。", settings=SETTINGS)
    await workflow.rate(scope, "qindu", item.id, person_id=place["resident"].id, rating="5", comment="满意",
                        settings=SETTINGS)
    resolved = await scope.objects(TimelineEntry).where(TimelineEntry.item == item.id,
                                                        TimelineEntry.action == "resolve").first()
    assert (resolved.note, resolved.sealed) == ("已清理。", False)
    assert (await scope.get(FeedbackItem, item.id)).rating_comment == "满意"
