async def test_landing_lists_active_districts_only(client, make_tenant):
    await make_tenant("qindu", "秦都区", "610402", "active")
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    await make_tenant("xingping", "兴平市", "610481", "suspended")
    response = await client.get("/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert "咸阳市秦都区" in response.text
    assert "礼泉县" not in response.text
    assert "兴平市" not in response.text
    assert '<html lang="zh-CN">' in response.text


async def test_landing_speaks_english_when_asked(client, database):
    response = await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "No district has joined yet." in response.text


async def test_pages_are_built_for_small_screens(client, tenant):
    response = await client.get("/t/qindu/")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in response.text
    css = await client.get("/static/css/app.css")
    assert css.status_code == 200
    assert "overflow-wrap: anywhere" in css.text


async def test_the_help_page_says_how_to_use_the_app(client, tenant):
    response = await client.get("/t/qindu/help", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "<h1>Help</h1>" in response.text and "Send a suggestion" in response.text
    home = await client.get("/t/qindu/", headers={"Accept-Language": "en"})
    assert 'href="/t/qindu/help"' in home.text
