"""The inbox, the unread badge, notification preferences, the district's channels and the
test clock, through HTTP."""

import re
from datetime import datetime, timedelta

import pytest

from core import clock
from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.i18n import Message
from core.notifications import services
from core.notifications.audience import Audience
from core.notifications.tables import InboxEntry, Notification
from core.tenancy import TenantScope
from tenants.tables import Tenant
from tests.http import csrf_token, http_client, post_form

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
ENGLISH_PAGE = {"Accept": "text/html", "Accept-Language": "en"}


def badge(html: str) -> int | None:
    """The unread count in the page header's Messages link (None when there is no badge)."""
    link = re.search(r'<a class="inbox-link"[^>]*>(.*?)</a>', html, re.S)
    assert link, "the page header has no Messages link"
    count = re.search(r'<span class="badge"[^>]*>(\d+)</span>', link.group(1))
    return int(count.group(1)) if count else None


def entry_ids(html: str) -> list[int]:
    """The inbox entries on a page, in the order shown."""
    return [int(n) for n in re.findall(r'action="/t/[a-z]+/inbox/(\d+)/open"', html)]


async def _notify(tenant, person, title: str, link: str = "/t/qindu/"):
    return await services.notify(TenantScope(tenant.id), Audience.of(person.id), kind="test",
                                 title=Message(title), link=link)


async def _entry(tenant, person, title: str) -> InboxEntry:
    scope = TenantScope(tenant.id)
    items, _more = await services.inbox(scope, person.id)
    item = next(item for item in items if item.title == title)
    return await scope.get(InboxEntry, item.id)


# The inbox ------------------------------------------------------------------------------


async def test_the_inbox_lists_entries_and_opening_one_marks_it_read(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await _notify(tenant, person, "停水通知：人民街道", link="/t/qindu/notices/7")
    await _notify(tenant, person, "社区议事会邀请", link="/t/qindu/")
    await jobs.run_due()
    assert not jobs.failures
    await sign_in(client, "13800000001", login_path="/t/qindu/login")

    page = await client.get("/t/qindu/inbox", headers=PAGE)
    assert page.status_code == 200
    assert badge(page.text) == 2
    assert "2 条未读消息。" in page.text
    # Newest first.
    assert page.text.index("社区议事会邀请") < page.text.index("停水通知：人民街道")
    assert page.text.count('class="inbox-entry unread"') == 2

    water = await _entry(tenant, person, "停水通知：人民街道")
    opened = await client.post(f"/t/qindu/inbox/{water.id}/open", data={"_csrf_token": csrf_token(page.text)})
    assert opened.status_code == 303
    assert opened.headers["location"] == "/t/qindu/notices/7"
    assert (await TenantScope(tenant.id).get(InboxEntry, water.id)).read_at is not None

    page = await client.get("/t/qindu/inbox", headers=PAGE)
    assert badge(page.text) == 1
    assert page.text.count('class="inbox-entry unread"') == 1
    # The badge is on the district's other pages too.
    assert badge((await client.get("/t/qindu/", headers=PAGE)).text) == 1


async def test_opening_an_entry_twice_keeps_the_first_reading(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await _notify(tenant, person, "停水通知：人民街道")
    await jobs.run_due()
    await sign_in(client, "13800000001")
    page = await client.get("/t/qindu/inbox", headers=PAGE)
    [entry_id] = entry_ids(page.text)
    token = csrf_token(page.text)
    await client.post(f"/t/qindu/inbox/{entry_id}/open", data={"_csrf_token": token})
    first = (await TenantScope(tenant.id).get(InboxEntry, entry_id)).read_at
    clock.advance(timedelta(hours=1))
    again = await client.post(f"/t/qindu/inbox/{entry_id}/open", data={"_csrf_token": token})
    assert again.status_code == 303 and again.headers["location"] == "/t/qindu/"
    assert (await TenantScope(tenant.id).get(InboxEntry, entry_id)).read_at == first


async def test_read_all_clears_the_count(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    for title in ("一", "二", "三"):
        await _notify(tenant, person, f"通知{title}")
    await jobs.run_due()
    await sign_in(client, "13800000001")
    page = await client.get("/t/qindu/inbox", headers=PAGE)
    assert badge(page.text) == 3 and "全部标为已读" in page.text

    done = await client.post("/t/qindu/inbox/read-all", data={"_csrf_token": csrf_token(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/t/qindu/inbox"
    page = await client.get("/t/qindu/inbox", headers=PAGE)
    assert badge(page.text) is None
    assert "全部标为已读" not in page.text and "unread" not in re.sub(r"<header.*?</header>", "", page.text, flags=re.S)
    assert len(entry_ids(page.text)) == 3  # read, not gone
    assert await services.unread_count(TenantScope(tenant.id), person.id) == 0


async def test_the_inbox_pages_by_twenty(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    for number in range(1, 26):
        await services.notify(TenantScope(tenant.id), Audience.of(person.id), kind="test",
                              title=Message("Notice no. %(number)02d", {"number": number}), link="/t/qindu/")
    await jobs.run_due()
    assert not jobs.failures
    await sign_in(client, "13800000001")

    first = await client.get("/t/qindu/inbox", headers=PAGE)
    numbers = [int(n) for n in re.findall(r"Notice no\. (\d+)", first.text)]
    assert numbers == list(range(25, 5, -1))
    assert badge(first.text) == 25
    older = re.search(r'href="(/t/qindu/inbox\?before=(\d+))"', first.text)
    assert older and "更早的消息" in first.text
    assert int(older.group(2)) == entry_ids(first.text)[-1]

    second = await client.get(older.group(1), headers=PAGE)
    assert [int(n) for n in re.findall(r"Notice no\. (\d+)", second.text)] == [5, 4, 3, 2, 1]
    assert "?before=" not in second.text  # the last page
    assert set(entry_ids(first.text)).isdisjoint(entry_ids(second.text))
    assert (await client.get("/t/qindu/inbox?before=abc", headers=PAGE)).status_code == 400


async def test_opening_never_leads_off_the_site(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await _notify(tenant, person, "没有链接的通知", link="")
    for elsewhere in ("//example.com/phish", "https://example.com/", "/\\example.com"):
        with pytest.raises(ValueError):
            await _notify(tenant, person, "外部链接", link=elsewhere)
    # A row that holds such a link all the same (written some other way) is not followed either.
    outside = await _notify(tenant, person, "外部链接", link="/t/qindu/")
    await TenantScope(tenant.id).update(Notification, {Notification.link: "//example.com/phish"}).where(
        Notification.id == outside.id)
    await jobs.run_due()
    await sign_in(client, "13800000001")
    page = await client.get("/t/qindu/inbox", headers=PAGE)
    for title in ("没有链接的通知", "外部链接"):
        entry = await _entry(tenant, person, title)
        opened = await client.post(f"/t/qindu/inbox/{entry.id}/open", data={"_csrf_token": csrf_token(page.text)})
        assert opened.status_code == 303 and opened.headers["location"] == "/t/qindu/inbox"
    assert await services.unread_count(TenantScope(tenant.id), person.id) == 0


async def test_titles_are_shown_in_the_readers_language(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await services.notify(TenantScope(tenant.id), Audience.of(person.id), kind="test", link="/t/qindu/",
                          title=Message("Welcome to %(district)s on Gongzhi", {"district": "秦都区"}))
    await jobs.run_due()
    await sign_in(client, "13800000001")
    chinese = await client.get("/t/qindu/inbox", headers=PAGE)
    assert "欢迎使用共治·秦都区" in chinese.text and ">消息 <span class=\"badge\"" in chinese.text
    english = await client.get("/t/qindu/inbox", headers=ENGLISH_PAGE)
    assert "Welcome to 秦都区 on Gongzhi" in english.text and "1 unread message." in english.text
    assert ">Messages <span class=\"badge\"" in english.text


async def test_an_empty_inbox_says_so(client, tenant, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    page = await client.get("/t/qindu/inbox", headers=PAGE)
    assert page.status_code == 200 and "暂无消息。" in page.text
    assert badge(page.text) is None


async def test_the_badge_is_only_computed_for_pages(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await _notify(tenant, person, "停水通知")
    await jobs.run_due()
    await sign_in(client, "13800000001")
    page = await client.get("/t/qindu/", headers={"Accept": "*/*", "Accept-Language": "zh-CN"})
    # Without text/html in Accept the count is not looked up; the link is still there.
    assert page.status_code == 200 and badge(page.text) is None


async def test_each_district_has_its_own_inbox(client, tenant, other_tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await accounts.add_membership(TenantScope(tenant.id), person.id, ["resident"])
    await accounts.add_membership(TenantScope(other_tenant.id), person.id, ["resident"])
    await _notify(tenant, person, "秦都区的通知")
    await _notify(other_tenant, person, "渭城区的通知", link="/t/weicheng/")
    await jobs.run_due()
    assert not jobs.failures
    await sign_in(client, "13800000001")

    qindu = await client.get("/t/qindu/inbox", headers=PAGE)
    assert "秦都区的通知" in qindu.text and "渭城区的通知" not in qindu.text
    assert badge(qindu.text) == 1
    weicheng = await client.get("/t/weicheng/inbox", headers=PAGE)
    assert "渭城区的通知" in weicheng.text and "秦都区的通知" not in weicheng.text
    assert badge(weicheng.text) == 1

    qindu_entry = await _entry(tenant, person, "秦都区的通知")
    assert qindu_entry.id not in entry_ids(weicheng.text)
    across = await client.post(f"/t/weicheng/inbox/{qindu_entry.id}/open",
                               data={"_csrf_token": csrf_token(weicheng.text)})
    assert across.status_code == 404
    assert (await TenantScope(tenant.id).get(InboxEntry, qindu_entry.id)).read_at is None
    assert badge((await client.get("/t/qindu/inbox", headers=PAGE)).text) == 1
    # Read-all in one district leaves the other's unread.
    await client.post("/t/weicheng/inbox/read-all", data={"_csrf_token": csrf_token(weicheng.text)})
    assert await services.unread_count(TenantScope(other_tenant.id), person.id) == 0
    assert await services.unread_count(TenantScope(tenant.id), person.id) == 1


async def test_a_person_cannot_open_anothers_entry(app, client, tenant, make_person, sign_in, jobs):
    owner = await make_person("王芳", "13800000001")
    await make_person("陈明", "13800000002")
    await _notify(tenant, owner, "王芳的通知")
    await jobs.run_due()
    entry = await _entry(tenant, owner, "王芳的通知")
    async with http_client(app) as other:
        await sign_in(other, "13800000002")
        page = await other.get("/t/qindu/inbox", headers=PAGE)
        assert "王芳的通知" not in page.text
        response = await other.post(f"/t/qindu/inbox/{entry.id}/open", data={"_csrf_token": csrf_token(page.text)})
        assert response.status_code == 404
        missing = await other.post("/t/qindu/inbox/999999/open", data={"_csrf_token": csrf_token(page.text)})
        assert missing.status_code == 404
        # Read-all marks only the caller's own entries.
        await other.post("/t/qindu/inbox/read-all", data={"_csrf_token": csrf_token(page.text)})
    assert (await TenantScope(tenant.id).get(InboxEntry, entry.id)).read_at is None


async def test_signed_out_the_inbox_leads_to_the_districts_log_in(client, tenant):
    response = await client.get("/t/qindu/inbox", headers=PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/t/qindu/login?next=/t/qindu/inbox"
    paged = await client.get("/t/qindu/inbox?before=40", headers=PAGE)
    assert paged.status_code == 303
    assert paged.headers["location"] == "/t/qindu/login?next=/t/qindu/inbox%3Fbefore%3D40"
    assert "inbox-link" not in (await client.get("/t/qindu/", headers=PAGE)).text


# Preferences ----------------------------------------------------------------------------


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" value="(\w+)" checked>', html)


def _input_value(html: str, name: str) -> str:
    match = re.search(rf'<input id="f-{name}" name="{name}" type="text" value="([^"]*)"', html)
    assert match, f"no input {name}"
    return match.group(1)


async def test_preferences_show_the_defaults(client, make_person, sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    page = await client.get("/account/notifications", headers=PAGE)
    assert page.status_code == 200
    assert _checked(page.text, "email") == ["all"]
    assert _checked(page.text, "sms") == ["urgent"]
    assert _checked(page.text, "push") == ["all"]
    assert (_input_value(page.text, "quiet_start"), _input_value(page.text, "quiet_end")) == ("22", "7")
    assert "已保存。" not in page.text


async def test_preferences_are_saved(client, make_person, sign_in):
    person = await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    response = await post_form(client, "/account/notifications",
                               {"email": "off", "sms": "all", "push": "urgent", "quiet_start": "21",
                                "quiet_end": " 6 "},
                               headers=PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/notifications?saved=1"
    page = await client.get(response.headers["location"], headers=PAGE)
    assert "已保存。" in page.text
    assert _checked(page.text, "email") == ["off"] and _checked(page.text, "sms") == ["all"]
    assert _checked(page.text, "push") == ["urgent"]
    assert (_input_value(page.text, "quiet_start"), _input_value(page.text, "quiet_end")) == ("21", "6")
    saved = await services.preference(person.id)
    assert (saved.email, saved.sms, saved.push, saved.quiet_start, saved.quiet_end) == ("off", "all", "urgent", 21, 6)


@pytest.mark.parametrize(("field", "typed", "language", "message"), [
    ("quiet_start", "25", "zh-CN", "请输入 0 到 23 之间的整点。"),
    ("quiet_start", "２２", "zh-CN", "请输入 0 到 23 之间的整点。"),
    ("quiet_end", "-1", "en", "Enter an hour from 0 to 23."),
    ("quiet_start", "25", "en", "Enter an hour from 0 to 23."),
    ("sms", "sometimes", "zh-CN", "请选择其中一项。"),
    ("email", "weekly", "en", "Choose one of the options."),
    ("push", "", "zh-CN", "请选择其中一项。"),
])
async def test_preferences_refuse_bad_input_and_keep_what_was_typed(client, make_person, sign_in,
                                                                    field, typed, language, message):
    person = await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    data = {"email": "off", "sms": "all", "push": "all", "quiet_start": "21", "quiet_end": "6", field: typed}
    headers = {"Accept": "text/html", "Accept-Language": language}
    response = await post_form(client, "/account/notifications", data, headers=headers)
    assert response.status_code == 422
    assert response.text.count(message) == 1
    if field.startswith("quiet_"):
        # The message is next to its field, and the field keeps what was typed.
        assert _input_value(response.text, field) == typed
        assert f'<p class="error" id="e-{field}" role="alert">{message}</p>' in response.text
        assert re.search(rf'<input id="f-{field}"[^>]*aria-invalid="true" aria-describedby="e-{field}"', response.text)
    else:
        fieldset = re.search(r'<fieldset class="field has-error">\s*<legend>[^<]*</legend>((?:(?!</fieldset>).)*)',
                             response.text, re.S)
        assert fieldset and f'name="{field}"' in fieldset.group(1) and message in fieldset.group(1)
        assert _checked(response.text, field) == []
    # The other fields keep what was typed too.
    for name, value in data.items():
        if name == field:
            continue
        if name.startswith("quiet_"):
            assert _input_value(response.text, name) == value
        else:
            assert _checked(response.text, name) == [value]
    assert (await services.preference(person.id)).sms == "urgent"  # nothing saved


async def test_preferences_need_a_signed_in_person(client, database):
    response = await client.get("/account/notifications", headers=PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account/notifications"


# The district's channels ------------------------------------------------------------------


async def test_a_district_admin_turns_sms_off(client, tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await accounts.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    console = await client.get("/t/qindu/console/", headers=PAGE)
    assert 'name="notify_by_sms" value="1" checked' in console.text
    response = await client.post("/t/qindu/console/notifications",
                                 data={"notify_by_email": "1", "_csrf_token": csrf_token(console.text)})
    assert response.status_code == 303 and response.headers["location"] == "/t/qindu/console/"
    row = await Tenant.select(Tenant.notify_by_email, Tenant.notify_by_sms).where(Tenant.id == tenant.id).first()
    assert row == {"notify_by_email": True, "notify_by_sms": False}
    console = await client.get("/t/qindu/console/", headers=PAGE)
    assert 'name="notify_by_sms" value="1">' in console.text
    assert 'name="notify_by_email" value="1" checked' in console.text
    entry = await AuditEntry.objects().where(AuditEntry.action == "district.notification_channels").first()
    assert entry.actor_id == admin.id and entry.tenant_id == tenant.id
    assert '"sms": false' in entry.details and '"email": true' in entry.details


async def test_a_resident_cannot_change_the_districts_channels(client, tenant, other_tenant, make_person, sign_in):
    person = await make_person("刘芳", "13800000021")
    await accounts.add_membership(TenantScope(tenant.id), person.id, ["resident"])
    # An admin of another district is no admin here.
    await accounts.add_membership(TenantScope(other_tenant.id), person.id, ["district_admin"])
    await sign_in(client, "13800000021", login_path="/t/qindu/login")
    page = await client.get("/t/qindu/", headers=PAGE)
    response = await client.post("/t/qindu/console/notifications", data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 403
    row = await Tenant.select(Tenant.notify_by_email, Tenant.notify_by_sms).where(Tenant.id == tenant.id).first()
    assert row == {"notify_by_email": True, "notify_by_sms": True}
    assert await AuditEntry.count().where(AuditEntry.action == "district.notification_channels") == 0


# The test clock ---------------------------------------------------------------------------


async def test_the_test_clock_moves_time_and_runs_due_jobs(client, tenant, make_person, sign_in, jobs):
    person = await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    await _notify(tenant, person, "停水通知：人民街道")
    assert "停水通知" not in (await client.get("/t/qindu/inbox", headers=PAGE)).text  # not yet fanned out

    started = datetime.now(clock.CHINA)
    moved = await client.post("/_test/clock", json={"advance_seconds": 3600})
    assert moved.status_code == 200, moved.text
    answer = moved.json()
    assert answer["ran"] >= 1 and answer["failures"] == []
    expected = started + timedelta(hours=1)
    assert abs(datetime.fromisoformat(answer["now"]) - expected) < timedelta(minutes=1)
    shown = datetime.fromisoformat((await client.get("/_test/clock")).json()["now"])
    assert abs(shown - expected) < timedelta(minutes=1)

    page = await client.get("/t/qindu/inbox", headers=PAGE)
    assert "停水通知：人民街道" in page.text and badge(page.text) == 1


async def test_the_test_clock_goes_to_a_given_time(client, database, jobs):
    target = datetime(2030, 12, 1, 9, 0, tzinfo=clock.CHINA)
    moved = await client.post("/_test/clock", json={"to": target.isoformat()})
    assert moved.status_code == 200, moved.text
    # The clock goes on ticking from the time it was set to.
    assert abs(datetime.fromisoformat(moved.json()["now"]) - target) < timedelta(minutes=1)
    assert abs(datetime.fromisoformat((await client.get("/_test/clock")).json()["now"]) - target) < timedelta(minutes=1)
    only_due = await client.post("/_test/clock", json={})
    assert only_due.status_code == 200 and only_due.json()["failures"] == []


@pytest.mark.parametrize("body", [
    b"not json",
    b'{"to": "yesterday"}',
    b'{"to": "2026-12-01T09:00:00"}',  # no offset
    b'{"advance_seconds": "an hour"}',
    b'{"advance_seconds": true}',
    b'[3600]',
])
async def test_the_test_clock_refuses_bad_input(client, database, jobs, body):
    before = clock.now()
    response = await client.post("/_test/clock", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert abs(clock.now() - before) < timedelta(minutes=1)
