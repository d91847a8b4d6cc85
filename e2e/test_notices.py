"""Journeys of a notice, on a phone: drafted with a PDF, returned, fixed, approved, published
to one community, read (and its PDF downloaded, and a question asked) by a resident there,
and seen by no one elsewhere."""

import secrets

from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_horizontal_scroll, sign_in_to_qindu

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"



def test_a_financial_disclosure_from_draft_to_the_residents_it_is_for(page: Page, base_url: str):
    title = f"2026年11月北大街社区财务公开 {secrets.token_hex(2)}"
    # Staff member A (李秀英) drafts it for 北大街社区 and submits it.
    sign_in_to_qindu(page, base_url, "13900000011")
    page.goto(f"{base_url}/t/qindu/console/")
    page.get_by_role("link", name="通知公告").click()
    page.get_by_role("link", name="起草通知").click()
    page.get_by_label("标题").fill(title)
    page.get_by_label("正文（Markdown）").fill("## 收入\n\n- 社区工作经费：30,000 元")
    page.get_by_label("公开类别").select_option(label="财务公开")
    page.get_by_label("发送对象").select_option(label="人民街道 · 北大街社区")
    page.get_by_label("附件（图片或 PDF，最多 5 个，每个不超过 10 MB）").set_input_files(
        files=[{"name": "收支明细.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("等待同事审核。")).to_be_visible()
    notice_url = page.url

    # Staff member B (王建华) returns it with a comment.
    sign_in_to_qindu(page, base_url, "13900000001")
    page.goto(f"{base_url}/t/qindu/console/disclosure")
    expect(page.get_by_role("heading", level=1)).to_have_text("公开目录与落实情况")
    assert_no_horizontal_scroll(page)
    page.goto(notice_url)
    assert_no_horizontal_scroll(page)
    page.get_by_label("需要修改的内容").fill("请补充支出明细")
    page.get_by_role("button", name="退回起草人").click()
    expect(page.get_by_text("已退回").first).to_be_visible()

    # A fixes it and submits again.
    sign_in_to_qindu(page, base_url, "13900000011")
    page.goto(notice_url)
    expect(page.get_by_text("请补充支出明细")).to_be_visible()
    page.get_by_role("link", name="编辑").click()
    page.get_by_label("正文（Markdown）").fill("## 收入\n\n- 社区工作经费：30,000 元\n\n## 支出\n\n- 社区活动：8,600 元")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("等待同事审核。")).to_be_visible()

    # B approves: it is published at once.
    sign_in_to_qindu(page, base_url, "13900000001")
    page.goto(notice_url)
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text("已发布").first).to_be_visible()

    # 刘芳 lives in 北大街社区: she sees it, unread, and opens it.
    sign_in_to_qindu(page, base_url, "13900000021")
    page.goto(f"{base_url}/t/qindu/notices")
    item = page.locator(".notice-item", has_text=title)
    expect(item).to_contain_text("新")
    assert_no_horizontal_scroll(page)
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("社区活动：8,600 元")).to_be_visible()
    assert_no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="收支明细.pdf").click()
    assert download.value.suggested_filename == "收支明细.pdf"
    assert open(download.value.path(), "rb").read() == PDF
    page.get_by_label("您的问题").fill("支出里的社区活动具体是哪些？")
    page.get_by_role("button", name="发送提问").click()
    expect(page.get_by_role("status")).to_contain_text("您的问题已发送")
    page.goto(f"{base_url}/t/qindu/notices")
    expect(page.locator(".notice-item", has_text=title)).not_to_contain_text("新")

    # 陈明 lives in 西兰路社区: none of it reaches him.
    sign_in_to_qindu(page, base_url, "13900000022")
    page.goto(f"{base_url}/t/qindu/notices")
    expect(page.get_by_role("heading", level=1)).to_have_text("通知公告")
    expect(page.get_by_text(title)).to_have_count(0)
    expect(page.get_by_text("关于冬季供暖安全的温馨提示")).to_be_visible()  # district-wide: he sees that one
