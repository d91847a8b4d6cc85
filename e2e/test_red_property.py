"""Red property on a phone, in Chinese: an owner reports a leaking pipe and the firm serving
the compound takes it up and resolves it; the owners vote on replacing the lifts with the
maintenance funds, one of them owning two flats, and after the vote closes the result page
shows the quorum and both majorities with the rule applied; on the first of the month the
bill appears, the oversight officer records its payment and the owner sees the receipt, and
the firm's rating for the month before is on the red and black list.

The compound, its owners, the firm and its staff and the vote (by the server's clock) are
set up in the server's own database before the journeys, as the console would, and the
plugin is switched off after them."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, assert_no_horizontal_scroll, sign_in_to_qindu

CHINA = timezone(timedelta(hours=8))
BASE = "/t/qindu/p/red_property"
FIRM_STAFF = "13900000095"  # 马师傅, of the firm serving 阳光小区
MANAGER = "13900000096"  # 周主任, the district's property oversight officer
OWNERS = {"王芳": "13900000101", "张伟": "13900000102", "刘洋": "13900000103", "陈静": "13900000104"}
# 王芳 owns two flats: four owners of five units, 500 m².
CSV = f"""building,unit,area,owner,phone
1号楼,1-101,90,王芳,{OWNERS['王芳']}
1号楼,1-102,110,王芳,{OWNERS['王芳']}
1号楼,1-201,100,张伟,{OWNERS['张伟']}
2号楼,2-101,100,刘洋,{OWNERS['刘洋']}
2号楼,2-102,100,陈静,{OWNERS['陈静']}
"""

SETUP = """
import json, sys
from core.accounts import services as accounts
from core.cli import _run
from core.plugins import enablement
from core.tenancy import TenantScope
from tenants.resolution import resolve

async def person(scope, name, phone, roles, unit_kind=None, unit_id=None):
    identifier = accounts.Identifier("phone", phone)
    found = await accounts.find_person(identifier) or await accounts.create_person(name, identifier, "gongzhi2026")
    if unit_kind:
        await accounts.add_membership(scope, found.id, roles, unit_kind, unit_id)
    else:
        await accounts.add_membership(scope, found.id, roles)
    return found

async def main(enable, plan):
    scope = TenantScope((await resolve("qindu")).id)
    await enablement.set_enabled(scope, "red_property", enable, actor_id=None)
    if not enable:
        return
    from plugins.red_property import ballots, estates, firms
    from plugins.red_property.handle import plugin
    community = (await plugin.communities(scope))[0]["id"]
    for name, phone in plan["owners"].items():
        await person(scope, name, phone, ["resident"])
    compound = await estates.add_compound(scope, None, {"name": "阳光小区", "community": str(community)})
    await estates.import_csv(scope, None, compound.id, plan["csv"].encode())
    firm = await firms.add(scope, None, {"firm_name": "红星物业", "credit_code": "91610402MA6TG1234T",
                                        "party_organisation": "1"})
    await firms.serve(scope, None, compound.id, firm.id)
    await person(scope, "马师傅", plan["firm_staff"], [firms.FIRM_STAFF], "red_property_firm", firm.id)
    manager = await person(scope, "周主任", plan["manager"], ["red_property.manager"])
    from plugins.red_property import fees
    await fees.set_schedule(scope, manager.id, compound.id, {"rate": "1.80", "items": "", "due_days": "30"})
    vote = await ballots.open_vote(scope, manager.id, compound.id, {
        "matter": "使用维修资金更换1号楼、2号楼电梯", "kind": "use_funds", "opens_at": plan["opens_at"],
        "closes_at": plan["closes_at"]})
    print(vote.id)

_run(main(sys.argv[1] == "on", json.loads(sys.argv[2])))
"""


def _setup(server: LiveServer, enable: bool, plan: dict | None = None) -> str:
    done = subprocess.run([server.python, "-c", SETUP, "on" if enable else "off", json.dumps(plan or {})],
                          env=server.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture(scope="module")
def vote_id(live_server: LiveServer | None, base_url: str, playwright) -> Iterator[str]:
    if live_server is None:
        pytest.skip("the journeys set the plugin up in their own server's database (not --base-url)")
    request = playwright.request.new_context()
    server_now = datetime.fromisoformat(request.get(f"{base_url}/_test/clock").json()["now"]).astimezone(CHINA)
    request.dispose()
    vote = _setup(live_server, True, {
        "owners": OWNERS, "csv": CSV, "firm_staff": FIRM_STAFF, "manager": MANAGER,
        "opens_at": (server_now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (server_now + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")})
    yield vote
    _setup(live_server, False)


def test_an_owner_reports_a_leaking_pipe_and_the_firm_resolves_it(page: Page, base_url: str, vote_id: str):
    sign_in_to_qindu(page, base_url, OWNERS["张伟"])
    page.goto(f"{base_url}{BASE}/")
    page.locator("#report").click()
    page.locator("#f-unit").select_option(label="阳光小区 1号楼 1-201")
    page.locator("#f-kind").select_option("red_property_repair")
    page.locator("#f-description").fill("厨房水管漏水，楼下天花板在滴水")
    assert_no_horizontal_scroll(page)
    page.locator("#report-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/t/qindu/feedback/\d+$"))
    item = page.url

    sign_in_to_qindu(page, base_url, FIRM_STAFF)
    page.goto(f"{base_url}{BASE}/firm/")
    page.locator("#firm-items li a").first.click()
    expect(page.locator("#description")).to_contain_text("厨房水管漏水")
    page.locator("#accept-form button").click()
    expect(page.locator("#state")).to_have_attribute("data-state", "accepted")
    page.locator("#f-note").fill("已更换厨房水管接头，楼下天花板已擦干")
    page.locator("#resolve-form button[type=submit]").click()
    expect(page.locator("#state")).to_have_attribute("data-state", "resolved")
    assert_no_horizontal_scroll(page)

    sign_in_to_qindu(page, base_url, OWNERS["张伟"])
    page.goto(item)
    expect(page.get_by_text("已更换厨房水管接头").first).to_be_visible()


def test_the_owners_vote_and_the_result_shows_quorum_and_both_majorities(page: Page, base_url: str, vote_id: str,
                                                                         test_clock: str):
    for name, choice in (("王芳", "agree"), ("张伟", "agree"), ("刘洋", "disagree")):
        sign_in_to_qindu(page, base_url, OWNERS[name])
        page.goto(f"{base_url}{BASE}/votes/{vote_id}")
        page.locator(f"#ballot-form input[value={choice}]").check()
        page.locator("#ballot-form button[type=submit]").click()
        expect(page.locator("#my-ballot")).to_be_visible()
        assert_no_horizontal_scroll(page)
    # A second ballot is not offered; the result waits for the close.
    expect(page.locator("#ballot-form")).to_have_count(0)
    expect(page.locator("#tally")).to_have_count(0)
    assert page.request.post(test_clock, data={"advance_seconds": 2 * 3600}).ok
    page.goto(f"{base_url}{BASE}/votes/{vote_id}")
    # Three of four owners (王芳 once, with two flats) and 400 of 500 m² took part: quorum.
    expect(page.locator("#owners")).to_contain_text("3 / 4")
    expect(page.locator("#area")).to_contain_text("400.00 / 500.00")
    expect(page.locator("#quorum")).to_have_text("已达到")
    # Two of three owners and 300 of 400 m² agree: more than half of both.
    expect(page.locator("#agree-owners")).to_contain_text("2 / 3")
    expect(page.locator("#agree-area")).to_contain_text("300.00 / 400.00")
    expect(page.locator("#rule")).to_contain_text("过半数")
    expect(page.locator("#tally")).to_have_attribute("data-outcome", "passed")
    assert_no_horizontal_scroll(page)


def _first_of_next_month(test_clock: str, page: Page) -> str:
    now = datetime.fromisoformat(page.request.get(test_clock).json()["now"]).astimezone(CHINA)
    first = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=2, minute=30, second=0, microsecond=0)
    return first.isoformat()


def test_the_monthly_bill_is_paid_at_the_office_and_the_firm_is_rated(page: Page, base_url: str, vote_id: str,
                                                                       test_clock: str):
    # The first of the month, 02:30: the bills (at 00:05) and the ratings (at 02:00) are made.
    moved = page.request.post(test_clock, data={"to": _first_of_next_month(test_clock, page)})
    assert moved.ok and not moved.json()["failures"], moved.text()
    sign_in_to_qindu(page, base_url, OWNERS["张伟"])
    page.goto(f"{base_url}{BASE}/")
    bill = page.locator("#bill-list li").filter(has_text="1-201")
    expect(bill).to_contain_text("待缴 180.00 元")
    assert_no_horizontal_scroll(page)
    bill.locator("a").click()
    expect(page.locator("#amount")).to_have_text("180.00")
    expect(page.locator("#bill-lines")).to_contain_text("物业服务费")
    bill_url = page.url

    sign_in_to_qindu(page, base_url, MANAGER)
    page.goto(f"{base_url}{BASE}/console/")
    page.get_by_role("link", name="阳光小区").first.click()
    page.locator("#fees-link").click()
    expect(page.locator("#arrears-total")).to_contain_text("5 户共欠费 900.00 元")
    page.locator("#bill-table tr").filter(has_text="1-201").locator("a").click()
    # More than the bill is refused, and what was typed stays.
    page.locator("#f-amount").fill("200")
    page.locator("#f-method").select_option("cash")
    page.locator("#payment-form button[type=submit]").click()
    expect(page.locator("#e-amount")).to_contain_text("180.00")
    expect(page.locator("#f-amount")).to_have_value("200")
    page.locator("#f-amount").fill("180.00")
    page.locator("#payment-form button[type=submit]").click()
    expect(page.locator("#receipt-amount")).to_have_text("180.00")
    assert_no_horizontal_scroll(page)

    sign_in_to_qindu(page, base_url, OWNERS["张伟"])
    page.goto(bill_url)
    expect(page.locator("#owed")).to_have_text("已缴清")
    page.locator("#receipts a").first.click()
    expect(page.locator("#receipt-amount")).to_have_text("180.00")

    # The firm's rating for the month before, with how it was reached.
    page.goto(f"{base_url}{BASE}/ratings/")
    page.get_by_role("link", name="红星物业").click()
    expect(page.locator("#stars")).to_have_attribute("data-stars", re.compile(r"^[1-5]$"))
    expect(page.locator("#figure-bills")).to_contain_text("按时公布账单的小区")
    expect(page.locator("#figure-complaints")).to_contain_text("投诉 0 件，服务 5 户")
    assert_no_horizontal_scroll(page)
