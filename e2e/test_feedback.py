"""The feedback loop on a phone, end to end: a resident raises a complaint and gets a
tracking number; the grid worker accepts it; its deadline passes and it moves up to the
community; the street office calls in a department, which acknowledges and reports back;
it is resolved with a photo, rated 2 and reopened, resolved again and rated 5; the public
page and the district's figures show it."""

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll, sign_in_to_qindu

RESIDENT, GRID_WORKER, COMMUNITY_STAFF = "13900000021", "13900000012", "13900000011"
STREET_STAFF, DEPARTMENT_STAFF = "13900000014", "13900000013"


def _photo(name: str, colour: tuple[int, int, int]) -> dict:
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(picture, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": picture.getvalue()}



def _console_item(page: Page, base_url: str, number: str) -> None:
    page.goto(f"{base_url}/t/qindu/console/feedback")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(number)
    assert_no_horizontal_scroll(page)


def test_a_complaint_goes_round_the_whole_loop(page: Page, base_url: str, test_clock: str):
    # 刘芳 raises a complaint about her grid, with her phone's location.
    page.context.grant_permissions(["geolocation"], origin=base_url)
    page.context.set_geolocation({"latitude": 34.3312, "longitude": 108.7055, "accuracy": 20})
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(f"{base_url}/t/qindu/")
    page.get_by_role("link", name="我要反映").click()
    page.get_by_label("诉求类别").select_option(label="环境卫生")
    page.get_by_label("发生了什么，在哪里").fill("北大街8号院门口垃圾堆了三天没人清。")
    page.get_by_label("地点（不选则为您所在的社区）").select_option(label="北大街社区 第1网格")
    page.get_by_role("button", name="添加我所在的位置").click()
    expect(page.locator("#locate-status")).to_contain_text("已添加位置")
    page.get_by_label("照片（选填）").set_input_files(files=[_photo("垃圾堆.jpg", (120, 90, 60))])
    page.get_by_label("可以隐去姓名后公开展示").check()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="提交").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^QD-\d{4}-\d{6}$"))
    number = heading.inner_text()
    item_url = page.url
    expect(page.get_by_text("已提交").first).to_be_visible()

    # The grid worker 张伟 accepts it.
    sign_in_to_qindu(page, base_url, GRID_WORKER)
    _console_item(page, base_url, number)
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_text("已受理").first).to_be_visible()

    # Three days pass without a result: the escalation job moves it up to the community.
    moved = page.request.post(test_clock, data={"advance_seconds": 73 * 3600})
    assert moved.ok, moved.text()
    sign_in_to_qindu(page, base_url, COMMUNITY_STAFF)
    _console_item(page, base_url, number)
    expect(page.get_by_text("已转交上一级")).to_be_visible()

    # 赵刚 of the street office calls in the city management department (吹哨) …
    sign_in_to_qindu(page, base_url, STREET_STAFF)
    _console_item(page, base_url, number)
    page.get_by_label("城市管理局").check()
    page.get_by_label("报到时限（小时）").fill("4")
    page.get_by_role("button", name="吹哨", exact=True).click()
    expect(page.get_by_text("已召集", exact=True)).to_be_visible()

    # … and 马志强 of the department acknowledges (报到) and reports back.
    sign_in_to_qindu(page, base_url, DEPARTMENT_STAFF)
    _console_item(page, base_url, number)
    page.get_by_role("button", name="报到", exact=True).click()
    expect(page.get_by_text("已报到", exact=True)).to_be_visible()
    page.get_by_label("本部门的办理情况").fill("已安排环卫车辆清运。")
    page.get_by_role("button", name="回复办理情况").click()
    expect(page.get_by_text("办理情况：已安排环卫车辆清运。")).to_be_visible()

    # 李秀英 of the community resolves it, with a photo of the result.
    sign_in_to_qindu(page, base_url, COMMUNITY_STAFF)
    _console_item(page, base_url, number)
    expect(page.get_by_role("img", name="照片 1")).to_be_visible()  # the resident's photo
    page.get_by_label("办理结果", exact=True).fill("已安排保洁清运，并在门口加设垃圾桶。")
    page.get_by_label("办理结果照片（选填）").set_input_files(files=[_photo("清运后.jpg", (60, 160, 60))])
    page.get_by_role("button", name="办结", exact=True).click()
    expect(page.get_by_text("已办结").first).to_be_visible()

    # 刘芳 is not satisfied: she rates it 2 and reopens it.
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(item_url)
    page.get_by_label("★★", exact=True).check()
    page.get_by_role("button", name="评价并结案").click()
    expect(page.get_by_text("已结案").first).to_be_visible()
    page.get_by_label("没有解决？请说明原因，将重新办理").fill("垃圾桶放好了，但地上的垃圾还在。")
    page.get_by_role("button", name="申请重新办理").click()
    expect(page.get_by_text("重新办理", exact=True).first).to_be_visible()

    # The community resolves it again, and she rates it 5.
    sign_in_to_qindu(page, base_url, COMMUNITY_STAFF)
    _console_item(page, base_url, number)
    page.get_by_label("办理结果", exact=True).fill("已全部清扫干净。")
    page.get_by_role("button", name="办结", exact=True).click()
    sign_in_to_qindu(page, base_url, RESIDENT)
    page.goto(item_url)
    page.get_by_label("★★★★★", exact=True).check()
    page.get_by_role("button", name="评价并结案").click()
    expect(page.get_by_text("您的评价：5 星（满分 5 星）")).to_be_visible()
    assert_no_horizontal_scroll(page)

    # Anyone sees it on the district's public page, without her name, with its history.
    page.context.clear_cookies()
    page.goto(f"{base_url}/t/qindu/")
    page.get_by_role("link", name="居民诉求及办理情况公开").click()
    expect(page.get_by_role("table")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_text("北大街8号院门口垃圾堆了三天没人清。")).to_be_visible()
    expect(page.get_by_text("已全部清扫干净。")).to_be_visible()
    expect(page.get_by_text("刘芳")).to_have_count(0)

    # The district's figures count it, reopened once.
    sign_in_to_qindu(page, base_url, "13900000001")
    page.goto(f"{base_url}/t/qindu/console/feedback")
    page.get_by_role("link", name="诉求办理统计").click()
    expect(page.get_by_role("table").first).to_be_visible()
    assert page.get_by_role("link", name="下载 CSV 文件").get_attribute("href").startswith(
        "/t/qindu/console/feedback/figures.csv")
