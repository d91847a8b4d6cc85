"""Nothing of one district reaches another: generated from the route inventory.

Signed in as the admin of district B (weicheng), every route that takes a district and an
object is tried with district A's (qindu's) object under B's address: it answers 404 and
A's object is unchanged. Every route that takes a district and lists things is read under
B's address: none of A's rows appear. A route with no case, and no exemption in
tests/cross_tenant_exemptions.py, fails the test.
"""

from __future__ import annotations

import io
from datetime import timedelta
import re

import pytest
from PIL import Image

from core import clock
from core.accounts import credentials, invitations, services
from core.accounts.tables import ApiCredential, Invitation
from core.app import create_app
from core.audit import services as audit
from core.config import Settings
from core.i18n import Message
from core.feedback import categories as feedback_categories, photos as feedback_photos, services as feedback
from core.feedback.tables import CallIn, FeedbackItem, FeedbackPhoto
from core.notices import attachments, services as notices
from core.open311 import services as open311
from core.plugins import enablement
from core.plugins.host import host
from core.notices.tables import DisclosureCategory, Notice, NoticeQuestion, NoticeRead
from core.notifications import services as notifications
from core.notifications.audience import Audience
from core.notifications.tables import InboxEntry
from core.push import services as push
from core.push.tables import PushSubscription
from core.tenancy import TenantScope
from core.web.inventory import inventory, is_framework_route
from gongzhi_parking import services as parking
from gongzhi_parking.tables import Application as ParkingApplication, Space as ParkingSpace
from plugins.legal_aid import cases as legal_aid_cases, consultations as legal_aid, duty as legal_aid_duty
from plugins.legal_aid import people as legal_aid_people
from plugins.legal_aid.tables import (
    Adviser as LegalAidAdviser,
    Case as LegalAidCase,
    Consultation as LegalAidConsultation,
    Document as LegalAidDocument,
    Guide as LegalAidGuide,
    MediationSession as LegalAidSession,
)
from plugins.mental_health import care as mental_health_care, directory as mental_health_directory
from plugins.red_property import ballots as red_property_ballots, estates as red_property_estates
from plugins.red_property import firms as red_property_firms, repairs as red_property_repairs
from plugins.red_property.tables import Ballot as RedPropertyBallot, Compound as RedPropertyCompound
from plugins.red_property import fees as red_property_fees, payments as red_property_payments
from plugins.red_property import meetings as red_property_meetings, ratings as red_property_ratings
from plugins.red_property.tables import Appeal as RedPropertyAppeal, Meeting as RedPropertyMeeting
from plugins.red_property.tables import Rating as RedPropertyRating
from plugins.red_property.tables import Bill as RedPropertyBill, FeeSchedule as RedPropertyFeeSchedule
from plugins.red_property.tables import Payment as RedPropertyPayment, Transfer as RedPropertyTransfer
from plugins.red_property.tables import Unit as RedPropertyUnit
from plugins.volunteer_exchange import activities as volunteer_activities, points as volunteer_points
from plugins.volunteer_exchange import rewards as volunteer_rewards
from plugins.volunteer_exchange.tables import Activity as VolunteerActivity, Attendance as VolunteerAttendance
from plugins.volunteer_exchange.tables import Redemption as VolunteerRedemption, Reward as VolunteerReward
from plugins.mental_health import helpers as mental_health_helpers
from plugins.mental_health import services as mental_health
from plugins.mental_health.instruments import PHQ9
from plugins.mental_health.tables import (
    Assignment as MentalHealthAssignment,
    BreakGlass as MentalHealthBreakGlass,
    Note as MentalHealthNote,
    Referral as MentalHealthReferral,
    Screening as MentalHealthScreening,
)
from tenants import logo
from tenants.resolution import resolve
from tenants.tables import Community, Department, Grid, Street, Tenant
from tests.cross_tenant_exemptions import EXEMPTIONS
from tests.http import csrf_token

MARK = "甲区"  # every name of district A carries it; it must never show up in B
ROUTES = [r for r in inventory(create_app(Settings.from_env())) if not is_framework_route(r) and r.takes_tenant]
OBJECT_ROUTES = [r for r in ROUTES if r.takes_object_id]
LIST_ROUTES = [r for r in ROUTES if not r.takes_object_id and r.method == "GET"]
SUMMARY = {"routes": 0, "cases": 0, "exemptions": len(EXEMPTIONS)}


@pytest.fixture(params=["both walls", pytest.param("rls alone", marks=pytest.mark.postgres)])
def walls(request):
    """Each test runs with both walls, and on PostgreSQL again with the application's own
    filter switched off: Row Level Security alone must hold."""
    if request.param == "rls alone":
        from core.tenancy import without_application_filter

        with without_application_filter():
            yield request.param
    else:
        yield request.param


@pytest.fixture
async def world(tenant, other_tenant, make_person, jobs):
    a, b = TenantScope(tenant.id), TenantScope(other_tenant.id)
    street = await a.create(Street, name=f"{MARK}人民街道")
    community = await a.create(Community, street=street.id, name=f"{MARK}北大街社区")
    grid = await a.create(Grid, community=community.id, name=f"{MARK}第1网格")
    department = await a.create(Department, name=f"{MARK}城市管理局")
    a_admin = await make_person(f"{MARK}管理员", "13900000001")
    await services.add_membership(a, a_admin.id, ["district_admin"])
    key = await credentials.issue("client", f"{MARK}热线", ["organisation:read"], tenant_id=tenant.id,
                                  person_id=a_admin.id)
    invitation, code = await invitations.invite(
        Settings.from_env(), a, "qindu",
        {"display_name": f"{MARK}受邀人", "identifier": services.Identifier("phone", "13900000055"),
         "roles": ["staff"], "unit_kind": "", "unit_id": None},
        actor_id=a_admin.id)
    await audit.record("organisation.added", actor_id=a_admin.id, tenant_id=tenant.id, target=f"{MARK}street")
    await notifications.notify(a, Audience.of(a_admin.id), kind="test", link="/t/qindu/",
                               title=Message("Welcome to %(district)s on Gongzhi", {"district": f"{MARK}通知"}))
    await jobs.run_due()
    inbox_entry = await a.objects(InboxEntry).first()
    push_device = await push.subscribe(a, a_admin.id, push.clean(Settings.from_env(), {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{MARK}-device", "auth": "A" * 22,
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"}), "")
    a_author = await make_person(f"{MARK}起草人", "13900000003")
    await services.add_membership(a, a_author.id, ["staff"])
    draft = await notices.clean(a, {"title": f"{MARK}财务公开", "body": f"{MARK}正文", "audience": "district"})
    notice = await notices.create(a, draft, author_id=a_author.id)
    await notices.submit(a, notice.id, actor_id=a_author.id, revision=notice.revision)
    await notices.approve(a, notice.id, actor_id=a_admin.id, revision=notice.revision + 1)
    notice = await a.get(Notice, notice.id)
    async with a.transaction(write=True):
        await attachments.attach(Settings.from_env(), a, notice.id, attachments.check(
            [attachments.Upload(f"{MARK}.png", b"\x89PNG\r\n\x1a\n" + MARK.encode() * 8)], already=0))
    attachment = (await attachments.listing(a, notice.id))[0]
    category = await a.objects(DisclosureCategory).first()
    await feedback_categories.ensure_registered(a)
    resident = await make_person(f"{MARK}居民", "13900000004")
    await services.add_membership(a, resident.id, ["resident"], "community", community.id)
    submission = await feedback.clean(a, {"category": str((await feedback_categories.enabled(a))[0].id),
                                          "description": f"{MARK}诉求", "public": "1"}, person_id=resident.id)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(picture, "PNG")
    feedback_item, _new = await feedback.submit(Settings.from_env(), a, "qindu", resident.id, submission,
                                                idempotency_key="cross-tenant-1", photos=await feedback_photos.prepare(
                                                    [(f"{MARK}.png", picture.getvalue())]))
    feedback_photo = await a.objects(FeedbackPhoto).first()
    call_in = await a.create(CallIn, item=feedback_item.id, department_id=department.id, called_by=a_admin.id,
                             called_at=feedback_item.created_at, acknowledge_due=feedback_item.accept_due)
    # An Open311 client of A posts a request (it has a number and a token), in a category of A's own.
    own_category = await feedback_categories.add(a, {"name": f"{MARK}井盖", "accept_hours": "2", "resolve_hours": "24",
                                                     "default_party": "street"}, actor_id=a_admin.id)
    open311_key = await credentials.issue("client", f"{MARK}Open311", ["open311:write"], tenant_id=tenant.id,
                                          person_id=a_admin.id)
    open311_item, _new = await open311.submit(Settings.from_env(), a, "qindu", open311_key.credential, {
        "service_code": [own_category.key], "address_string": [f"{MARK}北大街12号"], "description": [f"{MARK}井盖丢了"]})
    # A uses the example plugin (社区停车管理), with settings of its own; B has it installed too.
    assert "parking" in host().plugins, "the example plugin is installed (make test installs it)"
    await enablement.set_enabled(a, "parking", True, actor_id=a_admin.id)
    await enablement.save_settings(a, "parking", {"rules": f"{MARK}停车须知", "max_applications_per_person": "2",
                                                  "allocation_day": "3"}, actor_id=a_admin.id)
    parking_space = await parking.add_space(a, {"community": str(community.id), "label": "A-001"}, None)
    parking_application = await parking.apply(a, resident.id, {"community": str(community.id), "plate": "陕D12345",
                                                               "idempotency_key": "cross-tenant-parking-1"})
    # A's resident consented to the mental-health service and screened with a crisis answer:
    # a sealed screening and an urgent referral of A's.
    await enablement.set_enabled(a, "mental_health", True, actor_id=a_admin.id)
    await mental_health.give_consent(a, resident.id, {"agree": "1"})
    mental_health_screening, _new = await mental_health.screen(a, resident.id, PHQ9, {
        **{f"item{n}": "1" for n in range(1, 10)}, "idempotency_key": "cross-tenant-screening-1"})
    mental_health_referral = await a.objects(MentalHealthReferral).first()
    # A's counsellor (a supervisor too) takes the resident, writes a note, opens emergency
    # access to another resident, and offers a session the resident books.
    a_counsellor = await make_person(f"{MARK}咨询员", "13900000005")
    await services.add_membership(a, a_counsellor.id, ["mental_health.counsellor", "mental_health.supervisor"])
    await mental_health_care.assign(a, a_admin.id, {"district_admin"}, resident.id, a_counsellor.id)
    await mental_health_care.write_note(a, a_counsellor.id, resident.id, {"text": f"{MARK}会谈记录"})
    await mental_health_care.break_glass(a, a_counsellor.id, {"mental_health.supervisor"}, a_author.id,
                                         {"reason": f"{MARK}紧急情况需要查看记录"})
    tomorrow = (clock.now() + timedelta(days=1)).astimezone(clock.CHINA).date().isoformat()
    mental_health_slot = await mental_health_care.publish_slot(a, a_counsellor.id, {
        "day": tomorrow, "start": "10:00", "minutes": "50", "place": f"{MARK}服务站"})
    mental_health_booking = await mental_health_care.book(a, resident.id, mental_health_slot)
    mental_health_point = await mental_health_directory.add(a, a_admin.id, {
        "level": "community_station", "name": f"{MARK}心理服务站", "phone": "029-33210000"})
    mental_health_helper = await mental_health_helpers.register(a, a_admin.id, {
        "phone": resident.phone, "kind": "grid_worker", "organization": f"{MARK}网格"})
    # A's resident asks A's rights adviser for help through the green channel, with a
    # document; it became a mediation; A's lawyer keeps duty hours the resident booked.
    await enablement.set_enabled(a, "legal_aid", True, actor_id=a_admin.id)
    legal_aid_office = await legal_aid_people.add_office(a, a_admin.id, {"name": f"{MARK}法律服务所",
                                                                         "kind": "legal_service"})
    a_adviser = await make_person(f"{MARK}维权顾问", "13900000006")
    a_lawyer = await make_person(f"{MARK}律师", "13900000007")
    for person, role, kind in ((a_adviser, "legal_aid.adviser", "adviser"), (a_lawyer, "legal_aid.lawyer", "lawyer")):
        await services.add_membership(a, person.id, [role])
        await legal_aid_people.add_adviser(a, a_admin.id, {"phone": person.phone, "kind": kind, "area_wages": "1",
                                                           "office": str(legal_aid_office.id),
                                                           "licence_number": "16101201810001234"})
    legal_aid_consultation, _new = await legal_aid.ask(a, "qindu", resident.id, {
        "matter": "wages", "description": f"{MARK}工地老板拖欠三个月工资", "green": "migrant_wages",
        "green_reason": f"{MARK}农民工", "idempotency_key": "cross-tenant-legal-aid-1"},
        [(f"{MARK}.pdf", "application/pdf", b"%PDF-1.4 " + MARK.encode())])
    legal_aid_case = await legal_aid_cases.open_case(a, "qindu", a_adviser.id, legal_aid_consultation.id,
                                                     {"kind": "mediation", "parties": f"{MARK}包工头"})
    legal_aid_document = await a.objects(LegalAidDocument).first()
    legal_aid_adviser = await a.objects(LegalAidAdviser).where(LegalAidAdviser.person_id == a_adviser.id).first()
    await legal_aid_duty.schedule(a, a_admin.id, {"district_admin"}, {
        "lawyer": str(a_lawyer.id), "mode": "online", "day1": "1", "day2": "1", "day3": "1", "day4": "1",
        "day5": "1", "day6": "1", "day7": "1", "start": "09:00", "end": "10:00", "minutes": "60",
        "first_day": tomorrow, "last_day": tomorrow, "place": f"{MARK}线上"})
    [legal_aid_slot] = await legal_aid_duty.free(a)
    legal_aid_booking = await legal_aid_duty.book(a, resident.id, legal_aid_slot["id"])
    # A keeps a compound whose owners (A's resident among them) vote on a matter; a firm serves it.
    await enablement.set_enabled(a, "red_property", True, actor_id=a_admin.id)
    red_property_compound = await red_property_estates.add_compound(a, a_admin.id, {
        "name": f"{MARK}小区", "community": str(community.id)})
    await red_property_estates.import_csv(a, a_admin.id, red_property_compound.id, (
        "building,unit,area,owner,phone\n"
        f"{MARK}1号楼,101,89.57,{MARK}业主,{resident.phone}\n").encode())
    red_property_firm = await red_property_firms.add(a, a_admin.id, {"firm_name": f"{MARK}物业",
                                                                     "credit_code": "91610402MA6TG1234T"})
    await red_property_firms.serve(a, a_admin.id, red_property_compound.id, red_property_firm.id)
    [red_property_home] = await red_property_estates.homes_of(a, resident.id)
    red_property_repair = await red_property_repairs.report(a, "qindu", resident.id, {
        "kind": "red_property_repair", "unit": str(red_property_home["unit"]), "description": f"{MARK}水管漏水"})
    local = clock.now().astimezone(clock.CHINA)
    red_property_vote = await red_property_ballots.open_vote(a, a_admin.id, red_property_compound.id, {
        "matter": f"{MARK}更换电梯", "kind": "use_funds", "opens_at": (local - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (local + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")})
    # A bills its compound's owners; one bill is partly paid, and the resident began paying online.
    await enablement.save_settings(a, "red_property", {"payment_provider": "dev"}, actor_id=a_admin.id)
    await red_property_fees.set_schedule(a, a_admin.id, red_property_compound.id, {"rate": "1.80", "due_days": "30"})
    await red_property_fees.issue_bills(a, "2026-12")
    [red_property_bill] = await red_property_fees.bills_of_compound(a, red_property_compound.id)
    red_property_payment = await red_property_fees.record_payment(a, a_admin.id, red_property_bill["id"], {
        "amount": "1", "method": "cash"})
    red_property_order = (await red_property_payments.start(a, resident.id, red_property_bill["id"],
                                                            base_url="/t/qindu/p/red_property")).rsplit("/", 1)[1]
    # A's firm is rated for the month and appeals.
    await red_property_ratings.rate(a, "2026-12")
    [red_property_rating] = (await red_property_ratings.latest(a))[1]
    await red_property_ratings.appeal(a, red_property_firm.id, a_admin.id, red_property_rating["id"],
                                      {"note": f"{MARK}申诉"})
    red_property_appeal = (await red_property_ratings.rating(a, red_property_rating["id"]))["appeals"][0]["id"]
    # A's compound holds a joint meeting with a decision.
    red_property_meeting = await red_property_meetings.schedule(a, a_admin.id, red_property_compound.id, {
        "held_at": (local + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")})
    await red_property_meetings.add_agenda(a, a_admin.id, red_property_meeting.id, {"title": f"{MARK}议题"})
    red_property_decision = await red_property_meetings.decide(a, "qindu", a_admin.id, red_property_meeting.id, {
        "agenda_item": str((await red_property_meetings.record(a, red_property_meeting.id))["agenda"][0]["id"]),
        "text": f"{MARK}决定", "owner": "community", "action": f"{MARK}办理",
        "due": (local + timedelta(days=10)).strftime("%Y-%m-%d")})
    # A's organiser posts an activity the resident signed up for and attended; A offers a reward
    # the resident redeemed with the points.
    await enablement.set_enabled(a, "volunteer_exchange", True, actor_id=a_admin.id)
    start = (local + timedelta(days=2)).replace(minute=0)
    volunteer_activity = await volunteer_activities.post(a, a_admin.id, {
        "title": f"{MARK}清扫", "place": f"{MARK}广场", "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"), "capacity": "3", "points_per_hour": "10"})
    await volunteer_activities.sign_up(a, resident.id, volunteer_activity.id)
    volunteer_attendance = await a.create(VolunteerAttendance, activity=volunteer_activity.id, person_id=resident.id,
                                          checked_in_at=start, checked_out_at=start + timedelta(hours=2),
                                          minutes=120)
    await volunteer_points.award(tenant.province, tenant.id, resident.id, 40, key="cross-tenant-award",
                                 memo=f"{MARK}服务", minutes=240)
    volunteer_reward = await volunteer_rewards.add(a, a_admin.id, {
        "title": f"{MARK}礼遇", "provider": f"{MARK}商家", "price": "10", "stock": "5",
        "valid_until": (local + timedelta(days=60)).strftime("%Y-%m-%d"), "merchant": a_admin.phone})
    volunteer_redemption = await volunteer_rewards.redeem(a, resident.id, volunteer_reward.id, "cross-tenant-redeem")
    # A has a logo of its own (its app's icons are made from it).
    logo_picture = io.BytesIO()
    Image.new("RGB", (256, 256), (20, 120, 40)).save(logo_picture, "PNG")
    a_logo = await logo.save(Settings.from_env(), await resolve("qindu"), f"{MARK}.png", logo_picture.getvalue())
    # District B: its own admin (who tries everything) and a little data of its own.
    b_admin = await make_person("杨丽", "13900000002")
    await services.add_membership(b, b_admin.id, ["district_admin"])
    b_street = await b.create(Street, name="中山街道")
    await b.create(Community, street=b_street.id, name="中山社区")
    await enablement.set_enabled(b, "parking", True, actor_id=b_admin.id)
    await enablement.set_enabled(b, "red_property", True, actor_id=b_admin.id)
    # B's admin works for a property firm of B's too, so that B's firm pages open for them.
    b_firm = await red_property_firms.add(b, b_admin.id, {"firm_name": "乙区物业", "credit_code": "91610404MA6XY56780"})
    await services.add_membership(b, b_admin.id, [red_property_firms.FIRM_STAFF], "red_property_firm", b_firm.id)
    # B has volunteer points too (B's admin organises, checks codes and keeps the console).
    await enablement.set_enabled(b, "volunteer_exchange", True, actor_id=b_admin.id)
    # B's admin is one of B's rights advisers and lawyers too, so that B's legal-aid pages open.
    await enablement.set_enabled(b, "legal_aid", True, actor_id=b_admin.id)
    await services.add_membership(b, b_admin.id, ["legal_aid.adviser", "legal_aid.lawyer"])
    # B's admin is one of B's counsellors too, so that B's referral console opens for them.
    await enablement.set_enabled(b, "mental_health", True, actor_id=b_admin.id)
    await services.add_membership(b, b_admin.id, ["mental_health.counsellor", "mental_health.supervisor"])
    b_token = await credentials.issue("person", "B", list(credentials.SCOPES), tenant_id=other_tenant.id,
                                      person_id=b_admin.id)
    return {"a": a, "b": b, "street": street, "community": community, "grid": grid, "department": department,
            "key": key.credential, "invitation": invitation, "code": code, "b_token": b_token.token,
            "inbox_entry": inbox_entry, "push_device": push_device, "notice": notice, "attachment": attachment,
            "category": category, "feedback_item": feedback_item, "open311_item": open311_item,
            "open311_key": open311_key.token, "own_category": own_category, "call_in": call_in,
            "feedback_photo": feedback_photo, "parking_space": parking_space,
            "parking_application": parking_application, "logo_key": a_logo,
            "mental_health_screening": mental_health_screening, "mental_health_referral": mental_health_referral,
            "mental_health_resident": resident.id, "mental_health_slot": mental_health_slot,
            "mental_health_booking": mental_health_booking, "mental_health_point": mental_health_point.id,
            "mental_health_helper": mental_health_helper.id, "legal_aid_consultation": legal_aid_consultation.id,
            "legal_aid_case": legal_aid_case.id, "legal_aid_document": legal_aid_document.id,
            "legal_aid_adviser": legal_aid_adviser.id, "legal_aid_slot": legal_aid_slot["id"],
            "legal_aid_booking": legal_aid_booking, "legal_aid_adviser_person": a_adviser.id,
            "red_property_compound": red_property_compound.id, "red_property_vote": red_property_vote.id,
            "red_property_firm": red_property_firm.id, "red_property_repair": red_property_repair,
            "red_property_bill": red_property_bill["id"], "red_property_payment": red_property_payment.payment_id,
            "red_property_order": red_property_order, "red_property_rating": red_property_rating["id"],
            "red_property_appeal": red_property_appeal, "red_property_meeting": red_property_meeting.id,
            "red_property_decision": red_property_decision.id, "volunteer_activity": volunteer_activity.id,
            "volunteer_attendance": volunteer_attendance.id, "volunteer_reward": volunteer_reward.id,
            "volunteer_redemption": volunteer_redemption.id}


def _object_cases(world) -> dict[tuple[str, str], list[tuple]]:
    """For each object route: (path under B's address, what of A's it names[, form fields,
    accepted answers]). A's object may be in the path or in the form."""
    units = [("street", world["street"].id), ("community", world["community"].id), ("grid", world["grid"].id),
             ("department", world["department"].id)]
    base = "/t/weicheng"
    return {
        ("POST", "/t/{slug:str}/console/organisation/{kind:str}/add"): [
            (f"{base}/console/organisation/community/add", f"street {world['street'].id} as parent",
             {"parent": str(world["street"].id)}, {422}),
            (f"{base}/console/organisation/grid/add", f"community {world['community'].id} as parent",
             {"parent": str(world["community"].id)}, {422}),
        ],
        ("POST", "/t/{slug:str}/console/organisation/{kind:str}/{unit_id:int}/rename"): [
            (f"{base}/console/organisation/{kind}/{unit_id}/rename", f"{kind} {unit_id}") for kind, unit_id in units],
        ("POST", "/t/{slug:str}/console/organisation/{kind:str}/{unit_id:int}/remove"): [
            (f"{base}/console/organisation/{kind}/{unit_id}/remove", f"{kind} {unit_id}") for kind, unit_id in units],
        ("POST", "/t/{slug:str}/console/keys/{credential_id:int}/revoke"): [
            (f"{base}/console/keys/{world['key'].id}/revoke", f"client key {world['key'].id}")],
        ("POST", "/t/{slug:str}/console/invitations/{invitation_id:int}/revoke"): [
            (f"{base}/console/invitations/{world['invitation'].id}/revoke", f"invitation {world['invitation'].id}")],
        ("POST", "/t/{slug:str}/inbox/{entry_id:int}/open"): [
            (f"{base}/inbox/{world['inbox_entry'].id}/open", f"inbox entry {world['inbox_entry'].id}")],
        ("POST", "/t/{slug:str}/inbox/devices/{device_id:int}/remove"): [
            (f"{base}/inbox/devices/{world['push_device']}/remove", f"push device {world['push_device']}")],
        ("GET", "/t/{slug:str}/notices/{root:int}"): [
            (f"{base}/notices/{world['notice'].root}", f"notice {world['notice'].root}")],
        ("GET", "/t/{slug:str}/console/notices/{notice_id:int}"): [
            (f"{base}/console/notices/{world['notice'].id}", f"notice {world['notice'].id}")],
        ("GET", "/t/{slug:str}/console/notices/{notice_id:int}/edit"): [
            (f"{base}/console/notices/{world['notice'].id}/edit", f"notice {world['notice'].id}")],
        ("POST", "/t/{slug:str}/console/notices/{notice_id:int}/edit"): [
            (f"{base}/console/notices/{world['notice'].id}/edit", f"notice {world['notice'].id}",
             {"title": "改名", "audience": "district", "revision": str(world["notice"].revision)}, {404})],
        ("POST", "/t/{slug:str}/console/notices/{notice_id:int}/{action:str}"): [
            (f"{base}/console/notices/{world['notice'].id}/{action}", f"notice {world['notice'].id} {action}",
             {"revision": str(world["notice"].revision), "reason": "撤回", "comment": "退回"}, {404})
            for action in ("submit", "return", "approve", "withdraw", "correct")],
        ("POST", "/t/{slug:str}/notices/{root:int}/questions"): [
            (f"{base}/notices/{world['notice'].root}/questions", f"notice {world['notice'].root}",
             {"question": "问", "submission": "cross-tenant"}, {404})],
        ("GET", "/t/{slug:str}/notices/{root:int}/attachments/{attachment_id:int}"): [
            (f"{base}/notices/{world['notice'].root}/attachments/{world['attachment'].id}",
             f"attachment {world['attachment'].id}")],
        ("GET", "/t/{slug:str}/console/notices/{notice_id:int}/attachments/{attachment_id:int}"): [
            (f"{base}/console/notices/{world['notice'].id}/attachments/{world['attachment'].id}",
             f"attachment {world['attachment'].id}")],
        ("POST", "/t/{slug:str}/console/disclosure/categories/{category_id:int}"): [
            (f"{base}/console/disclosure/categories/{world['category'].id}", f"category {world['category'].id}",
             {"frequency": "monthly", "responsible_role": "staff"}, {404})],
        ("GET", "/t/{slug:str}/feedback/{item_id:int}"): [
            (f"{base}/feedback/{world['feedback_item'].id}", f"feedback item {world['feedback_item'].id}")],
        ("POST", "/t/{slug:str}/feedback/{item_id:int}/{action:str}"): [
            (f"{base}/feedback/{world['feedback_item'].id}/{action}", f"feedback item {world['feedback_item'].id}",
             {"rating": "5", "reason": "重开"}, {404}) for action in ("rate", "reopen")],
        ("GET", "/t/{slug:str}/console/feedback/{item_id:int}"): [
            (f"{base}/console/feedback/{world['feedback_item'].id}", f"feedback item {world['feedback_item'].id}")],
        ("GET", "/t/{slug:str}/feedback/{item_id:int}/photos/{photo_id:int}"): [
            (f"{base}/feedback/{world['feedback_item'].id}/photos/{world['feedback_photo'].id}",
             f"feedback photo {world['feedback_photo'].id}")],
        ("GET", "/t/{slug:str}/console/feedback/{item_id:int}/photos/{photo_id:int}"): [
            (f"{base}/console/feedback/{world['feedback_item'].id}/photos/{world['feedback_photo'].id}",
             f"feedback photo {world['feedback_photo'].id}")],
        ("POST", "/t/{slug:str}/console/feedback/{item_id:int}/{action:str}"): [
            (f"{base}/console/feedback/{world['feedback_item'].id}/{action}",
             f"feedback item {world['feedback_item'].id} {action}", {"revision": "1", "note": "办结"}, {404})
            for action in ("accept", "reject", "start", "resolve", "assign")],
        ("POST", "/t/{slug:str}/console/feedback/{item_id:int}/call-in"): [
            (f"{base}/console/feedback/{world['feedback_item'].id}/call-in",
             f"feedback item {world['feedback_item'].id} call-in",
             {"revision": "1", "departments": str(world["department"].id), "note": "吹哨"}, {404})],
        ("POST", "/t/{slug:str}/console/feedback/{item_id:int}/call-ins/{call_in_id:int}/{step:str}"): [
            (f"{base}/console/feedback/{world['feedback_item'].id}/call-ins/{world['call_in'].id}/{step}",
             f"call-in {world['call_in'].id} {step}", {"revision": "1", "report": "已处理"}, {404})
            for step in ("acknowledge", "report")],
        ("POST", "/t/{slug:str}/console/feedback/categories/{category_id:int}"): [
            (f"{base}/console/feedback/categories/{world['feedback_item'].category}",
             f"feedback category {world['feedback_item'].category}",
             {"accept_hours": "1", "resolve_hours": "2", "default_party": "grid", "enabled": ""}, {404})],
        ("GET", "/t/{slug:str}/feedback/public/{item_id:int}"): [
            (f"{base}/feedback/public/{world['feedback_item'].id}", f"feedback item {world['feedback_item'].id}")],
        ("GET", "/t/{slug:str}/notices/{root:int}/print"): [
            (f"{base}/notices/{world['notice'].root}/print", f"notice {world['notice'].root}")],
        ("GET", "/t/{slug:str}/open311/v2/requests/{service_request_id:str}"): [
            (f"{base}/open311/v2/requests/{world['open311_item'].tracking_number}.{fmt}",
             f"Open311 request {world['open311_item'].tracking_number}") for fmt in ("json", "xml")],
        ("GET", "/t/{slug:str}/open311/v2/services/{service_code:str}"): [
            (f"{base}/open311/v2/services/{world['own_category'].key}.{fmt}",
             f"Open311 service {world['own_category'].key}") for fmt in ("json", "xml")],
        ("GET", "/t/{slug:str}/open311/v2/tokens/{token:str}"): [
            (f"{base}/open311/v2/tokens/{world['open311_item'].idempotency_key}.{fmt}", "Open311 token")
            for fmt in ("json", "xml")],
        ("GET", "/api/v1/t/{slug:str}/notices/{root:int}"): [
            (f"/api/v1{base}/notices/{world['notice'].root}", f"notice {world['notice'].root}")],
        ("POST", "/api/v1/t/{slug:str}/notices/{root:int}/read"): [
            (f"/api/v1{base}/notices/{world['notice'].root}/read", f"notice {world['notice'].root}")],
        ("GET", "/api/v1/t/{slug:str}/feedback/{item_id:int}"): [
            (f"/api/v1{base}/feedback/{world['feedback_item'].id}", f"feedback item {world['feedback_item'].id}")],
        ("POST", "/api/v1/t/{slug:str}/feedback/{item_id:int}/rate"): [
            (f"/api/v1{base}/feedback/{world['feedback_item'].id}/rate", f"feedback item {world['feedback_item'].id}",
             {"rating": "5"}, {404})],
        ("POST", "/api/v1/t/{slug:str}/feedback/{item_id:int}/reopen"): [
            (f"/api/v1{base}/feedback/{world['feedback_item'].id}/reopen",
             f"feedback item {world['feedback_item'].id}", {"reason": "重开"}, {404})],
        ("POST", "/api/v1/t/{slug:str}/feedback/{item_id:int}/{action:str}"): [
            (f"/api/v1{base}/feedback/{world['feedback_item'].id}/{action}",
             f"feedback item {world['feedback_item'].id} {action}", {"revision": "1", "note": "办结"}, {404})
            for action in ("accept", "reject", "assign", "start", "resolve")],
        ("GET", "/t/{slug:str}/console/plugins/{name:str}"): [
            (f"{base}/console/plugins/parking", "district A's parking settings", {}, {200})],
        ("POST", "/t/{slug:str}/console/plugins/{name:str}"): [
            (f"{base}/console/plugins/parking", "district A's parking settings",
             {"rules": "乙区", "max_applications_per_person": "1", "allocation_day": "1"}, {303})],
        ("POST", "/t/{slug:str}/console/plugins/{name:str}/{action:str}"): [
            (f"{base}/console/plugins/parking/{action}", f"district A's parking plugin ({action})", {"accept": "1"},
             {303})
            for action in ("enable", "disable")],
        ("POST", "/t/{slug:str}/p/parking/applications/{application_id:int}/withdraw"): [
            (f"{base}/p/parking/applications/{world['parking_application'].id}/withdraw",
             f"parking application {world['parking_application'].id}")],
        ("POST", "/t/{slug:str}/p/parking/console/spaces/{space_id:int}/switch"): [
            (f"{base}/p/parking/console/spaces/{world['parking_space'].id}/switch",
             f"parking space {world['parking_space'].id}")],
        # Asking B's questionnaire names nothing of A's: B's admin has not consented in B.
        ("GET", "/t/{slug:str}/p/mental_health/screening/{instrument:str}"): [
            (f"{base}/p/mental_health/screening/phq9", "the questionnaire (no consent in B)", {}, {303})],
        ("POST", "/t/{slug:str}/p/mental_health/screening/{instrument:str}"): [
            (f"{base}/p/mental_health/screening/phq9", "the questionnaire (no consent in B)",
             {"idempotency_key": "cross-tenant-screening-1", **{f"item{n}": "0" for n in range(1, 10)}}, {403})],
        ("GET", "/t/{slug:str}/p/mental_health/screenings/{screening_id:int}"): [
            (f"{base}/p/mental_health/screenings/{world['mental_health_screening'].id}",
             f"mental-health screening {world['mental_health_screening'].id}")],
        ("GET", "/t/{slug:str}/p/mental_health/console/referrals/{referral_id:int}"): [
            (f"{base}/p/mental_health/console/referrals/{world['mental_health_referral'].id}",
             f"mental-health referral {world['mental_health_referral'].id}")],
        ("POST", "/t/{slug:str}/p/mental_health/console/referrals/{referral_id:int}/{action:str}"): [
            (f"{base}/p/mental_health/console/referrals/{world['mental_health_referral'].id}/{action}",
             f"mental-health referral {world['mental_health_referral'].id} {action}", fields, {404})
            for action, fields in (("accept", {}), ("seen", {}), ("close", {"outcome": "跨区结案"}),
                                   ("move", {"to_level": "health_centre", "summary": "跨区", "resident_agreed": "1"}))],
        # The articles are the same text in every district: B's own page, with nothing of A's.
        ("GET", "/t/{slug:str}/p/mental_health/articles/{band:str}"): [
            (f"{base}/p/mental_health/articles/mild", "the self-help article (not a district's object)", {}, {200})],
        ("GET", "/t/{slug:str}/p/mental_health/console/directory/{point_id:int}"): [
            (f"{base}/p/mental_health/console/directory/{world['mental_health_point']}",
             f"service point {world['mental_health_point']}")],
        ("POST", "/t/{slug:str}/p/mental_health/console/directory/{point_id:int}"): [
            (f"{base}/p/mental_health/console/directory/{world['mental_health_point']}",
             f"service point {world['mental_health_point']}", {"level": "community_station", "name": "改名"}, {404})],
        ("POST", "/t/{slug:str}/p/mental_health/console/directory/{point_id:int}/{switch:str}"): [
            (f"{base}/p/mental_health/console/directory/{world['mental_health_point']}/deactivate",
             f"service point {world['mental_health_point']}")],
        ("GET", "/t/{slug:str}/p/mental_health/console/helpers/{helper_id:int}"): [
            (f"{base}/p/mental_health/console/helpers/{world['mental_health_helper']}",
             f"helper {world['mental_health_helper']}")],
        ("POST", "/t/{slug:str}/p/mental_health/console/helpers/{helper_id:int}/training"): [
            (f"{base}/p/mental_health/console/helpers/{world['mental_health_helper']}/training",
             f"helper {world['mental_health_helper']} training",
             {"course": "跨区", "completed_on": "2026-01-05", "hours": "8"}, {404})],
        ("POST", "/t/{slug:str}/p/mental_health/console/helpers/{helper_id:int}/deactivate"): [
            (f"{base}/p/mental_health/console/helpers/{world['mental_health_helper']}/deactivate",
             f"helper {world['mental_health_helper']}")],
        ("POST", "/t/{slug:str}/p/mental_health/appointments/{slot_id:int}/book"): [
            (f"{base}/p/mental_health/appointments/{world['mental_health_slot']}/book",
             f"counselling session {world['mental_health_slot']}")],
        ("POST", "/t/{slug:str}/p/mental_health/appointments/bookings/{booking_id:int}/cancel"): [
            (f"{base}/p/mental_health/appointments/bookings/{world['mental_health_booking']}/cancel",
             f"counselling booking {world['mental_health_booking']}")],
        **{(method, f"/t/{{slug:str}}/p/mental_health/console/residents/{{person_id:int}}{tail}"): [
            (f"{base}/p/mental_health/console/residents/{world['mental_health_resident']}{tail}",
             f"resident {world['mental_health_resident']}{tail}", fields, {404})]
           for method, tail, fields in (
               ("GET", "", {}), ("GET", "/break-glass", {}),
               ("POST", "/assign", {"counsellor_id": "1"}), ("POST", "/end", {}),
               ("POST", "/book", {"slot_id": str(world["mental_health_slot"])}),
               ("POST", "/break-glass", {"reason": "跨区查看的理由写得足够长"}),
               ("POST", "/notes", {"text": "跨区笔记"}))},
        **{(method, f"/t/{{slug:str}}/p/legal_aid{route}"): [
            (f"{base}/p/legal_aid{path}", f"legal aid {what}", fields, {404})]
           for method, route, path, what, fields in (
               ("GET", "/consultations/{consultation_id:int}", f"/consultations/{world['legal_aid_consultation']}",
                "request", {}),
               ("POST", "/consultations/{consultation_id:int}/materials",
                f"/consultations/{world['legal_aid_consultation']}/materials", "request's materials",
                {"material_0": "1"}),
               ("POST", "/consultations/{consultation_id:int}/documents",
                f"/consultations/{world['legal_aid_consultation']}/documents", "request's documents", {}),
               ("GET", "/consultations/{consultation_id:int}/documents/{document_id:int}",
                f"/consultations/{world['legal_aid_consultation']}/documents/{world['legal_aid_document']}",
                "document", {}),
               ("GET", "/cases/{case_id:int}", f"/cases/{world['legal_aid_case']}", "case", {}),
               ("POST", "/duty/{slot_id:int}/book", f"/duty/{world['legal_aid_slot']}/book", "duty hour", {}),
               ("POST", "/duty/bookings/{booking_id:int}/cancel",
                f"/duty/bookings/{world['legal_aid_booking']}/cancel", "booking", {}),
               ("POST", "/console/duty/{slot_id:int}/cancel", f"/console/duty/{world['legal_aid_slot']}/cancel",
                "duty hour", {"reason": "跨区取消"}),
               ("POST", "/console/advisers/{adviser_id:int}/remove",
                f"/console/advisers/{world['legal_aid_adviser']}/remove", "adviser", {}),
               *[("POST", f"/console/consultations/{{consultation_id:int}}/{action}",
                  f"/console/consultations/{world['legal_aid_consultation']}/{action}", f"request {action}", fields)
                 for action, fields in (("take", {}), ("answer", {"note": "跨区答复"}),
                                        ("resolve", {"note": "跨区办结"}),
                                        ("green", {"green": "elderly", "green_reason": "跨区"}),
                                        ("cases", {"kind": "referral", "department": "跨区部门"}))],
               *[("POST", f"/console/cases/{{case_id:int}}/{action}",
                  f"/console/cases/{world['legal_aid_case']}/{action}", f"case {action}", fields)
                 for action, fields in (("sessions", {"date": "2026-12-01", "time": "09:00", "note": "跨区"}),
                                        ("outcome", {"outcome": "no_agreement"}), ("answer", {"answer": "跨区"}))])},
        **{(method, f"/t/{{slug:str}}/p/red_property{route}"): [
            (f"{base}/p/red_property{path}", f"red property {what}", fields, {404})]
           for method, route, path, what, fields in (
               ("GET", "/votes/{vote_id:int}", f"/votes/{world['red_property_vote']}", "vote", {}),
               ("POST", "/votes/{vote_id:int}/ballot", f"/votes/{world['red_property_vote']}/ballot", "ballot",
                {"choice": "agree"}),
               ("GET", "/firm/items/{item_id:int}", f"/firm/items/{world['red_property_repair']}", "repair", {}),
               ("GET", "/console/votes/{vote_id:int}", f"/console/votes/{world['red_property_vote']}", "vote", {}),
               ("POST", "/console/votes/{vote_id:int}/paper", f"/console/votes/{world['red_property_vote']}/paper",
                "paper ballot", {"owner_key": "developer", "choice": "agree", "note": "跨区"}),
               ("GET", "/console/compounds/{compound_id:int}", f"/console/compounds/{world['red_property_compound']}",
                "compound", {}),
               ("POST", "/console/compounds/{compound_id:int}/import",
                f"/console/compounds/{world['red_property_compound']}/import", "compound import", {}),
               ("POST", "/console/compounds/{compound_id:int}/firm",
                f"/console/compounds/{world['red_property_compound']}/firm", "compound's firm",
                {"firm": str(world["red_property_firm"])}),
               ("POST", "/console/compounds/{compound_id:int}/votes",
                f"/console/compounds/{world['red_property_compound']}/votes", "compound's votes",
                {"matter": "跨区", "kind": "other", "opens_at": "2026-12-01 09:00", "closes_at": "2027-01-01 09:00"}),
               ("GET", "/console/compounds/{compound_id:int}/fees",
                f"/console/compounds/{world['red_property_compound']}/fees", "compound's fees", {}),
               ("POST", "/console/compounds/{compound_id:int}/fees",
                f"/console/compounds/{world['red_property_compound']}/fees", "compound's fees",
                {"rate": "0", "due_days": "1"}),
               ("POST", "/console/compounds/{compound_id:int}/bills",
                f"/console/compounds/{world['red_property_compound']}/bills", "compound's bills", {}),
               ("GET", "/console/bills/{bill_id:int}", f"/console/bills/{world['red_property_bill']}", "bill", {}),
               ("POST", "/console/bills/{bill_id:int}/payments", f"/console/bills/{world['red_property_bill']}/payments",
                "payment", {"amount": "1", "method": "cash"}),
               ("POST", "/console/bills/{bill_id:int}/reductions",
                f"/console/bills/{world['red_property_bill']}/reductions", "reduction", {"reduction": "1", "reason": "跨区"}),
               ("GET", "/console/receipts/{payment_id:int}", f"/console/receipts/{world['red_property_payment']}",
                "receipt", {}),
               ("GET", "/bills/{bill_id:int}", f"/bills/{world['red_property_bill']}", "bill", {}),
               ("POST", "/bills/{bill_id:int}/pay", f"/bills/{world['red_property_bill']}/pay", "bill payment", {}),
               ("GET", "/receipts/{payment_id:int}", f"/receipts/{world['red_property_payment']}", "receipt", {}),
               ("GET", "/pay/dev-gateway/{order_no:str}", f"/pay/dev-gateway/{world['red_property_order']}",
                "online order", {}),
               ("POST", "/pay/dev-gateway/{order_no:str}", f"/pay/dev-gateway/{world['red_property_order']}",
                "online order", {}),
               ("GET", "/ratings/{rating_id:int}", f"/ratings/{world['red_property_rating']}", "rating", {}),
               ("POST", "/ratings/{rating_id:int}/appeals", f"/ratings/{world['red_property_rating']}/appeals",
                "appeal", {"note": "跨区申诉"}),
               ("POST", "/ratings/appeals/{appeal_id:int}/answer",
                f"/ratings/appeals/{world['red_property_appeal']}/answer", "appeal's answer", {"answer": "跨区答复"}),
               ("GET", "/console/compounds/{compound_id:int}/meetings",
                f"/console/compounds/{world['red_property_compound']}/meetings", "compound's meetings", {}),
               ("POST", "/console/compounds/{compound_id:int}/meetings",
                f"/console/compounds/{world['red_property_compound']}/meetings", "compound's meetings",
                {"held_at": "2027-01-05 15:00"}),
               ("GET", "/console/meetings/{meeting_id:int}", f"/console/meetings/{world['red_property_meeting']}",
                "meeting", {}),
               ("GET", "/meetings/{meeting_id:int}", f"/meetings/{world['red_property_meeting']}", "meeting", {}),
               ("POST", "/meetings/decisions/{decision_id:int}/evaluation",
                f"/meetings/decisions/{world['red_property_decision']}/evaluation", "evaluation", {"score": "1"}))},
        **{(method, f"/t/{{slug:str}}/p/volunteer_exchange{route}"): [
            (f"{base}/p/volunteer_exchange{path}", f"volunteer points {what}", fields, {404})]
           for method, route, path, what, fields in (
               ("GET", "/activities/{activity_id:int}", f"/activities/{world['volunteer_activity']}", "activity", {}),
               *[("POST", f"/activities/{{activity_id:int}}/{action}",
                  f"/activities/{world['volunteer_activity']}/{action}", f"activity {action}", {"code": "123456"})
                 for action in ("sign-up", "cancel", "check")],
               ("GET", "/activities/{activity_id:int}/check/{code:str}",
                f"/activities/{world['volunteer_activity']}/check/in-1-abc", "check-in link", {}),
               ("POST", "/rewards/{reward_id:int}/redeem", f"/rewards/{world['volunteer_reward']}/redeem",
                "reward", {"key": "cross-tenant-redeem"}),
               ("GET", "/manage/activities/{activity_id:int}", f"/manage/activities/{world['volunteer_activity']}",
                "roster", {}),
               ("GET", "/manage/activities/{activity_id:int}/code",
                f"/manage/activities/{world['volunteer_activity']}/code", "check-in code", {}),
               ("POST", "/manage/attendances/{attendance_id:int}/confirm",
                f"/manage/attendances/{world['volunteer_attendance']}/confirm", "attendance", {}),
               ("POST", "/manage/attendances/{attendance_id:int}/adjust",
                f"/manage/attendances/{world['volunteer_attendance']}/adjust", "attendance's correction",
                {"minutes": "30", "reason": "跨区"}))},
        ("POST", "/t/{slug:str}/p/red_property/console/meetings/{meeting_id:int}/{part:str}"): [
            (f"{base}/p/red_property/console/meetings/{world['red_property_meeting']}/{part}", f"meeting {part}",
             fields, {404}) for part, fields in (("agenda", {"title": "跨区"}), ("notes", {"notes": "跨区"}),
                                                 ("decisions", {"text": "跨区", "owner": "community",
                                                                "action": "跨区", "due": "2027-01-05"}))],
        # A provider's notification of A's order, sent to B's address: B has no such order.
        ("POST", "/t/{slug:str}/p/red_property/pay/{provider:str}/notify"): [
            (f"{base}/p/red_property/pay/dev/notify", "a provider's notification",
             {"order_no": world["red_property_order"], "amount_fen": "100", "status": "paid"}, {400})],
        ("POST", "/t/{slug:str}/p/red_property/firm/items/{item_id:int}/{action:str}"): [
            (f"{base}/p/red_property/firm/items/{world['red_property_repair']}/{action}",
             f"red property repair {action}", {"note": "跨区"}, {404}) for action in ("accept", "start", "resolve")],
        # A guide is per district: under B's address, B's own (the built-in one), which B may edit.
        ("GET", "/t/{slug:str}/p/legal_aid/guides/{matter:str}"): [
            (f"{base}/p/legal_aid/guides/wages", "the guide (B's own)", {}, {200})],
        ("GET", "/t/{slug:str}/p/legal_aid/console/guides/{matter:str}"): [
            (f"{base}/p/legal_aid/console/guides/wages", "the guide (B's own)", {}, {200})],
        ("POST", "/t/{slug:str}/p/legal_aid/console/guides/{matter:str}"): [
            (f"{base}/p/legal_aid/console/guides/neighbours", "the guide (B's own)",
             {"title": "乙区指引", "steps": "一", "materials": "身份证"}, {303})],
        # The app's icons are public; under B's address they are B's own, whatever A's logo.
        ("GET", "/t/{slug:str}/icons/{name:str}"): [
            (f"{base}/icons/{name}", f"icon {name} (district A has a logo of its own)", {}, {200})
            for name in logo.icon_names()],
        ("GET", "/t/{slug:str}/invitations/{code:str}"): [
            (f"{base}/invitations/{world['code']}", "invitation code")],
        ("POST", "/t/{slug:str}/invitations/{code:str}/accept"): [
            (f"{base}/invitations/{world['code']}/accept", "invitation code")],
    }


async def _a_is_untouched(world) -> None:
    a = world["a"]
    assert (await a.get(Street, world["street"].id)).name == f"{MARK}人民街道"
    assert await a.count(Community) == 1 and await a.count(Grid) == 1 and await a.count(Department) == 1
    assert (await ApiCredential.objects().where(ApiCredential.id == world["key"].id).first()).revoked_at is None
    invitation = await a.get(Invitation, world["invitation"].id)
    assert invitation.revoked_at is None and invitation.accepted_at is None
    assert (await a.get(InboxEntry, world["inbox_entry"].id)).read_at is None
    assert (await a.get(PushSubscription, world["push_device"])).endpoint.endswith(f"{MARK}-device")
    notice = await a.get(Notice, world["notice"].id)
    assert notice.status == "published" and notice.revision == world["notice"].revision
    assert await a.count(Notice) == 1 and await a.count(NoticeRead) == 0 and await a.count(NoticeQuestion) == 0
    assert (await a.get(DisclosureCategory, world["category"].id)).name == world["category"].name
    item = await a.get(FeedbackItem, world["feedback_item"].id)
    assert (item.state, item.revision, item.rating) == ("submitted", 1, None)
    call_in = await a.get(CallIn, world["call_in"].id)
    assert (call_in.acknowledged_at, call_in.reported_at) == (None, None) and await a.count(CallIn) == 1
    assert "parking" in await enablement.enabled_in(a.tenant_id)
    assert (await enablement.settings_of(a, "parking"))["rules"] == f"{MARK}停车须知"
    assert (await a.get(ParkingApplication, world["parking_application"].id)).state == "waiting"
    assert (await a.get(ParkingSpace, world["parking_space"].id)).active is True
    assert await a.count(MentalHealthScreening) == 1 and await a.count(MentalHealthReferral) == 1
    assert (await a.get(MentalHealthReferral, world["mental_health_referral"].id)).state == "sent"
    assert await world["b"].count(MentalHealthScreening) == 0 and await world["b"].count(MentalHealthReferral) == 0
    assert [(row["person_id"], row["ended_at"]) for row in await a.select(MentalHealthAssignment)] == [
        (world["mental_health_resident"], None)]
    assert await a.count(MentalHealthNote) == 1 and await a.count(MentalHealthBreakGlass) == 1
    for table in (MentalHealthAssignment, MentalHealthNote, MentalHealthBreakGlass):
        assert await world["b"].count(table) == 0, table
    assert [row["booking"] for row in await mental_health_care.bookings(a, world["mental_health_resident"])] == [
        world["mental_health_booking"]]
    point = await mental_health_directory.point(a, world["mental_health_point"])
    assert (point["name"], point["active"]) == (f"{MARK}心理服务站", True)
    assert (await Tenant.select(Tenant.logo_key).where(Tenant.slug == "qindu").first())["logo_key"] == world["logo_key"]
    consultation = await a.get(LegalAidConsultation, world["legal_aid_consultation"])
    assert (consultation.adviser_id, consultation.gathered) == (world["legal_aid_adviser_person"], "[]")
    assert (await a.get(FeedbackItem, consultation.item_id)).state == "accepted"
    assert (await a.get(LegalAidCase, world["legal_aid_case"])).state == "open" and await a.count(LegalAidCase) == 1
    assert await a.count(LegalAidSession) == 0 and await a.count(LegalAidDocument) == 1
    assert (await a.get(LegalAidAdviser, world["legal_aid_adviser"])).active is True
    assert await a.count(LegalAidGuide) == 0
    assert (await legal_aid_duty.roster(a))[0]["cancelled_at"] is None
    assert [row["booking"] for row in await legal_aid_duty.bookings(a, consultation.person_id)] == [
        world["legal_aid_booking"]]
    for table in (LegalAidConsultation, LegalAidCase, LegalAidSession, LegalAidDocument, LegalAidAdviser):
        assert await world["b"].count(table) == 0, table
    compound = await a.get(RedPropertyCompound, world["red_property_compound"])
    assert (compound.name, compound.firm) == (f"{MARK}小区", world["red_property_firm"])
    assert await a.count(RedPropertyUnit) == 1 and await a.count(RedPropertyBallot) == 0
    repair = await a.get(FeedbackItem, world["red_property_repair"])
    assert (repair.state, repair.party_type, repair.party_id) == ("submitted", "red_property_firm",
                                                                  world["red_property_firm"])
    for table in (RedPropertyCompound, RedPropertyUnit, RedPropertyBallot, RedPropertyBill, RedPropertyPayment,
                  RedPropertyTransfer, RedPropertyFeeSchedule):
        assert await world["b"].count(table) == 0, table
    assert await a.count(RedPropertyBill) == 1 and await a.count(RedPropertyPayment) == 1
    bill = await red_property_fees.bill(a, world["red_property_bill"])
    assert bill["owed_fen"] == bill["amount_fen"] - 100
    assert (await red_property_fees.schedule_of(a, world["red_property_compound"]))["rate_fen"] == 180
    assert (await red_property_payments.order(a, world["red_property_order"]))["paid_at"] is None
    assert await red_property_fees.check(a) == []
    rating = await red_property_ratings.rating(a, world["red_property_rating"])
    assert [(x["note"], x["answer"]) for x in rating["appeals"]] == [(f"{MARK}申诉", "")]
    assert await world["b"].count(RedPropertyRating) == 0 and await world["b"].count(RedPropertyAppeal) == 0
    record = await red_property_meetings.record(a, world["red_property_meeting"])
    assert record["meeting"].notes == "" and [x["title"] for x in record["agenda"]] == [f"{MARK}议题"]
    assert [(d["text"], d["evaluations"]) for d in record["decisions"]] == [(f"{MARK}决定", 0)]
    assert await world["b"].count(RedPropertyMeeting) == 0
    activity = await volunteer_activities.get(a, world["volunteer_activity"])
    assert (await a.get(VolunteerAttendance, world["volunteer_attendance"])).confirmed_at is None
    assert [row["name"] for row in await volunteer_activities.roster(a, activity.organiser, set(), activity.id)] == [
        f"{MARK}居民"]
    assert (await a.get(VolunteerReward, world["volunteer_reward"])).stock == 4
    assert (await a.get(VolunteerRedemption, world["volunteer_redemption"])).verified_at is None
    for table in (VolunteerActivity, VolunteerAttendance, VolunteerReward, VolunteerRedemption):
        assert await world["b"].count(table) == 0, table


async def test_no_route_reaches_another_districts_objects(client, world, sign_in, walls):
    await sign_in(client, "13900000002", login_path="/t/weicheng/login")
    token = csrf_token((await client.get("/t/weicheng/console/")).text)
    cases = _object_cases(world)
    missing = [f"{r.method} {r.path}" for r in OBJECT_ROUTES
               if (r.method, r.path) not in cases and (r.method, r.path) not in EXEMPTIONS]
    assert not missing, f"routes with no cross-tenant case and no exemption: {missing}"
    for route in OBJECT_ROUTES:
        for case in cases.get((route.method, route.path), []):
            path, names, extra, accepted = (*case, {}, {404})[:4] if len(case) == 2 else case
            data = {"_csrf_token": token, "name": "改名", "display_name": "冒充", "password": "Cross-Tenant-2026",
                    **extra}
            headers = {"Authorization": f"Bearer {world['b_token']}"} if route.auth == "token" else {}
            response = await client.request(route.method, path, data=data if route.method != "GET" else None,
                                            headers=headers)
            assert response.status_code in accepted, (
                f"{route.method} {path} ({names}) answered {response.status_code}")
            assert MARK not in response.text, f"{route.method} {path} ({names}) shows district A's data"
            SUMMARY["cases"] += 1
        SUMMARY["routes"] += 1
    await _a_is_untouched(world)
    assert await world["b"].count(Community) == 1 and await world["b"].count(Grid) == 0


async def test_no_list_shows_another_districts_rows(client, world, sign_in, walls):
    await sign_in(client, "13900000002", login_path="/t/weicheng/login")
    for route in LIST_ROUTES:
        path = route.example_path(slug="weicheng")
        headers = {"Authorization": f"Bearer {world['b_token']}"} if route.auth == "token" else {}
        response = await client.get(path, headers=headers)
        assert response.status_code < 500, f"GET {path} answered {response.status_code}"
        assert MARK not in response.text, f"GET {path} shows district A's rows"
        SUMMARY["routes"] += 1
        SUMMARY["cases"] += 1


def test_b_sees_its_own_rows_so_the_lists_are_not_empty_by_accident():
    assert any(r.path == "/t/{slug:str}/console/organisation" for r in LIST_ROUTES)
    assert any(r.path.startswith("/api/v1/t/") for r in LIST_ROUTES)


async def test_the_lists_do_show_bs_own_rows(client, world, sign_in):
    await sign_in(client, "13900000002", login_path="/t/weicheng/login")
    assert "中山街道" in (await client.get("/t/weicheng/console/organisation")).text
    api = await client.get("/api/v1/t/weicheng/organisation", headers={"Authorization": f"Bearer {world['b_token']}"})
    assert [s["name"] for s in api.json()["streets"]] == ["中山街道"]
    assert re.search(MARK, api.text) is None


async def test_one_districts_api_key_neither_posts_to_nor_reads_another(client, world, walls):
    """Open311 takes its key as a parameter, not a header: A's client key is refused at B's
    address, for posting and for reading, and nothing of A's shows there."""
    await feedback_categories.ensure_registered(world["b"])
    key, number = world["open311_key"], world["open311_item"].tracking_number
    for fmt in ("json", "xml"):
        base = "/t/weicheng/open311/v2"
        posted = await client.post(f"{base}/requests.{fmt}", data={
            "api_key": key, "service_code": "sanitation", "address_string": "中山路", "description": "路灯不亮"})
        assert posted.status_code == 403 and MARK not in posted.text
        for path in (f"requests.{fmt}", f"requests/{number}.{fmt}", f"services.{fmt}",
                     f"services/{world['own_category'].key}.{fmt}"):
            read = await client.get(f"{base}/{path}", params={"api_key": key})
            assert read.status_code == 403, f"{path} answered {read.status_code}"
            assert MARK not in read.text
    assert await world["b"].count(FeedbackItem) == 0
    # At its own district the key works, and the request is there.
    own = await client.get("/t/qindu/open311/v2/requests.json", params={"api_key": key})
    assert own.status_code == 200 and number in [r["service_request_id"] for r in own.json()]


async def test_bulk_assign_with_another_districts_ids_touches_nothing(client, world, sign_in):
    """A bulk form carries ids in its body, not its path: B's admin naming A's item assigns nothing."""
    await sign_in(client, "13900000002", login_path="/t/weicheng/login")
    page = await client.get("/t/weicheng/console/feedback")
    b_street = await world["b"].objects(Street).first()
    moved = await client.post("/t/weicheng/console/feedback/assign", data={
        "_csrf_token": csrf_token(page.text), "items": [str(world["feedback_item"].id)],
        "party": f"street:{b_street.id}"})
    assert moved.status_code == 303 and "assigned=0" in moved.headers["location"]
    assert MARK not in (await client.get(moved.headers["location"])).text
    await _a_is_untouched(world)
