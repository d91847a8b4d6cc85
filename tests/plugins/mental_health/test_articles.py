"""The self-help articles: one for every band a questionnaire gives, in both languages, and
the result page links to its band's."""

from __future__ import annotations

from plugins.mental_health import articles, instruments
from tests.plugins.mental_health.conftest import BASE, answer, give_consent

EN = {"accept-language": "en"}


def test_every_band_has_its_article():
    bands = {band for questionnaire in instruments.INSTRUMENTS.values() for _lowest, band in questionnaire.bands}
    assert set(articles.ARTICLES) == bands


async def test_the_articles_in_both_languages(signed_in, district):
    listing = await signed_in.get(f"{BASE}/articles/", headers=EN)
    assert listing.status_code == 200 and "no-store" in listing.headers["cache-control"]
    assert listing.text.count(f'href="{BASE}/articles/') == 5
    mild = await signed_in.get(f"{BASE}/articles/mild", headers=EN)
    assert mild.status_code == 200 and 'data-band="mild"' in mild.text
    assert "When things feel a little heavy" in mild.text and 'href="tel:12356"' in mild.text
    chinese = await signed_in.get(f"{BASE}/articles/mild", headers={"accept-language": "zh-CN"})
    assert "When things feel a little heavy" not in chinese.text and "心情" in chinese.text
    assert (await signed_in.get(f"{BASE}/articles/unhappy", headers=EN)).status_code == 404


async def test_the_result_links_to_its_bands_article(signed_in, district):
    await give_consent(signed_in)
    sent = await answer(signed_in, "phq9", [1, 1, 1, 1, 1, 1, 0, 0, 0])
    result = await signed_in.get(sent.headers["location"], headers=EN)
    assert f'href="{BASE}/articles/mild" id="band-article"' in result.text


async def test_not_in_a_district_that_has_not_enabled_the_service(client, tenant, make_person, sign_in):
    from core.accounts import services as accounts
    from core.tenancy import TenantScope

    person = await make_person("李静", "13800000011")
    await accounts.add_membership(TenantScope(tenant.id), person.id, ["resident"])
    await sign_in(client, "13800000011", login_path="/t/qindu/login")
    assert (await client.get(f"{BASE}/articles/mild")).status_code == 404
