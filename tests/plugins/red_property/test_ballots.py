"""Running a vote: owners' ballots, once each and within the period; paper ballots by staff
with a note; the tally from the stored ballots; the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock
from core.plugins import enablement
from core.sdk import CHINA, Conflict, PermissionDenied, ValidationFailed
from plugins.red_property import ballots
from plugins.red_property.tables import Ballot
from tests.http import csrf_token, http_client
from tests.plugins.red_property.conftest import BASE

EN = {"accept-language": "en"}


def _period(days_from: int = -1, days_to: int = 7) -> dict[str, str]:
    local = clock.now().astimezone(CHINA)
    return {"opens_at": (local + timedelta(days=days_from)).strftime("%Y-%m-%d %H:%M"),
            "closes_at": (local + timedelta(days=days_to)).strftime("%Y-%m-%d %H:%M")}


async def _vote(district, manager, compound, kind="use_funds", **changes):
    return await ballots.open_vote(district, manager.id, compound.id, {
        "matter": "用维修资金更换1号楼电梯", "kind": kind, **_period(), **changes})


async def test_owners_vote_once_and_the_tally_follows_the_law(district, compound, manager, owners):
    vote = await _vote(district, manager, compound)
    await ballots.cast(district, owners["王芳"].id, vote.id, {"choice": "agree"})
    with pytest.raises(Conflict):
        await ballots.cast(district, owners["王芳"].id, vote.id, {"choice": "disagree"})
    # 李强 co-owns 王芳's first flat: that flat, and so 王芳's vote, is counted already.
    with pytest.raises(Conflict):
        await ballots.cast(district, owners["李强"].id, vote.id, {"choice": "disagree"})
    await ballots.cast(district, owners["张伟"].id, vote.id, {"choice": "agree"})
    await ballots.cast(district, owners["刘洋"].id, vote.id, {"choice": "disagree"})
    await ballots.enter_paper(district, manager.id, vote.id, {"owner_key": "developer", "choice": "agree",
                                                              "note": "开发商书面表决票，存社区档案柜"})
    _vote_again, tally = await ballots.tally(district, vote.id)
    # Five owners of 7 units, 700 m²: 王芳 210 (two flats), 张伟 90, 刘洋 100, 陈静 100, the developer 200.
    assert (tally.total_owners, tally.total_area) == (5, 70000)
    # Four took part (4/5 ≥ 2/3) with 600 m² (6/7 ≥ 2/3); three with 500 m² agree (3/4 > 1/2, 5/6 > 1/2).
    assert (tally.owners, tally.area) == (4, 60000)
    assert tally.quorum and (tally.agree_owners, tally.agree_area) == (3, 50000)
    assert tally.outcome == "passed"
    assert (await ballots.tally(district, vote.id))[1] == tally, "the same tally from the same ballots"
    assert await district.count(Ballot) == 4


async def test_a_special_matter_fails_without_three_quarters(district, compound, manager, owners):
    vote = await _vote(district, manager, compound, kind="raise_funds")
    for name, choice in (("王芳", "agree"), ("张伟", "agree"), ("刘洋", "disagree"), ("陈静", "agree")):
        await ballots.cast(district, owners[name].id, vote.id, {"choice": choice})
    _opened, tally = await ballots.tally(district, vote.id)
    # 4 of 5 owners took part, 500 of 700 m² (5/7 ≥ 2/3); 3 of 4 agree (exactly 3/4), with 400 of
    # 500 m² (4/5 ≥ 3/4). Then 王芳's 210 m² against: 290 of 500 m² agree (below 3/4).
    assert tally.quorum and tally.owner_majority and tally.area_majority and tally.passed
    vote = await _vote(district, manager, compound, kind="rebuild")
    for name, choice in (("王芳", "disagree"), ("张伟", "agree"), ("刘洋", "agree"), ("陈静", "agree")):
        await ballots.cast(district, owners[name].id, vote.id, {"choice": choice})
    _opened, tally = await ballots.tally(district, vote.id)
    assert tally.owner_majority and not tally.area_majority and tally.outcome == "rejected"


async def test_a_ballot_outside_the_period_or_by_someone_not_an_owner_is_refused(district, compound, manager, owners,
                                                                                 make_person):
    vote = await _vote(district, manager, compound)
    stranger = await make_person("路人", "13800000298")
    from core.accounts import services as accounts

    await accounts.add_membership(district, stranger.id, ["resident"])
    for choice in ("agree", "maybe"):  # who may vote comes before what they chose
        with pytest.raises(PermissionDenied):
            await ballots.cast(district, stranger.id, vote.id, {"choice": choice})
    with pytest.raises(ValidationFailed):
        await ballots.cast(district, owners["王芳"].id, vote.id, {"choice": "maybe"})
    clock.set_now(vote.closes_at + timedelta(seconds=1))
    try:
        with pytest.raises(Conflict):
            await ballots.cast(district, owners["王芳"].id, vote.id, {"choice": "agree"})
        with pytest.raises(Conflict):
            await ballots.enter_paper(district, manager.id, vote.id, {"owner_key": "developer", "choice": "agree",
                                                                      "note": "迟到的纸质票"})
    finally:
        clock.reset()
    assert await district.count(Ballot) == 0


async def test_a_paper_ballot_needs_an_owner_a_choice_and_a_note(district, compound, manager, owners):
    vote = await _vote(district, manager, compound)
    with pytest.raises(ValidationFailed) as bad:
        await ballots.enter_paper(district, manager.id, vote.id, {"owner_key": "phone:13900000000", "choice": ""})
    assert set(bad.value.errors) == {"owner_key", "choice", "note"}


async def test_a_vote_needs_a_matter_a_kind_and_a_sensible_period(district, compound, manager):
    with pytest.raises(ValidationFailed) as bad:
        await ballots.open_vote(district, manager.id, compound.id, {"matter": "", "kind": "x", **_period(3, 1)})
    assert set(bad.value.errors) == {"matter", "kind", "closes_at"}


async def test_an_owner_votes_on_the_page_and_sees_the_result_after_it_closes(app, district, compound, manager,
                                                                              owners, sign_in):
    vote = await _vote(district, manager, compound)
    async with http_client(app) as client:
        await sign_in(client, owners["王芳"].phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/votes/{vote.id}", headers=EN)
        assert page.status_code == 200 and 'id="ballot-form"' in page.text and 'id="tally"' not in page.text
        cast = await client.post(f"{BASE}/votes/{vote.id}/ballot", data={"choice": "agree",
                                                                          "_csrf_token": csrf_token(page.text)})
        assert cast.status_code == 303
        again = await client.post(f"{BASE}/votes/{vote.id}/ballot", data={"choice": "disagree",
                                                                           "_csrf_token": csrf_token(page.text)},
                                  headers=EN)
        assert again.status_code == 409 and "already voted" in again.text
        clock.set_now(vote.closes_at + timedelta(minutes=1))
        try:
            closed = await client.get(f"{BASE}/votes/{vote.id}", headers=EN)
        finally:
            clock.reset()
        assert 'id="tally"' in closed.text and 'data-outcome="no_quorum"' in closed.text
        home = await client.get(f"{BASE}/")
        assert "1-101" in home.text and f"/votes/{vote.id}" in home.text
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        console = await client.get(f"{BASE}/console/votes/{vote.id}", headers=EN)
        assert console.status_code == 200 and 'id="paper-form"' in console.text
        assert "More than half of the participating area" in console.text


async def test_a_refused_ballot_shows_the_vote_again_and_a_cast_one_is_not_asked_again(app, district, compound,
                                                                                     manager, owners, sign_in):
    vote = await _vote(district, manager, compound)
    path = f"{BASE}/votes/{vote.id}/ballot"
    async with http_client(app) as client:
        await sign_in(client, owners["王芳"].phone, login_path="/t/qindu/login")
        token = csrf_token((await client.get(f"{BASE}/votes/{vote.id}")).text)
        refused = await client.post(path, headers=EN, data={"_csrf_token": token, "choice": "<b>maybe</b>"})
        assert refused.status_code == 422 and 'id="ballot-form"' in refused.text
        assert 'id="e-choice" role="alert">Choose agree, disagree or abstain.' in refused.text
        assert "<b>maybe" not in refused.text
        assert await district.count(Ballot) == 0, "nothing written"
        cast = await client.post(path, data={"_csrf_token": token, "choice": "agree"})
        assert cast.status_code == 303
        # Cast, the page shows no form: a bad ballot sent again is refused for what it is.
        again = await client.post(path, headers=EN, data={"_csrf_token": token, "choice": "maybe"})
        assert again.status_code == 409 and "already voted" in again.text
    assert [row["choice"] for row in await district.select(Ballot)] == ["agree"]


async def test_someone_not_an_owner_does_not_see_the_vote(app, district, compound, manager, make_person, sign_in):
    from core.accounts import services as accounts

    vote = await _vote(district, manager, compound)
    stranger = await make_person("路人", "13800000298")
    await accounts.add_membership(district, stranger.id, ["resident"])
    async with http_client(app) as client:
        await sign_in(client, stranger.phone, login_path="/t/qindu/login")
        assert (await client.get(f"{BASE}/votes/{vote.id}")).status_code == 404
        assert (await client.get(f"{BASE}/console/")).status_code == 403


async def test_a_district_that_has_not_enabled_it_answers_404(app, district, compound, manager, sign_in):
    await enablement.set_enabled(district, "red_property", False, actor_id=None)
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        for path in ("/", "/console/", f"/console/compounds/{compound.id}", f"/console/compounds/{compound.id}/fees",
                     f"/console/compounds/{compound.id}/meetings", "/ratings/", "/firm/"):
            assert (await client.get(f"{BASE}{path}")).status_code == 404, path
        assert (await client.post(f"{BASE}/pay/dev/notify", content=b"{}")).status_code == 404


async def test_the_console_pages_render_and_the_import_reports_refused_rows(app, district, compound, manager, sign_in):
    async with http_client(app) as client:
        await sign_in(client, manager.phone, login_path="/t/qindu/login")
        page = await client.get(f"{BASE}/console/compounds/{compound.id}", headers=EN)
        assert page.status_code == 200 and "1-101" in page.text
        answer = await client.post(f"{BASE}/console/compounds/{compound.id}/import", headers=EN,
                                   data={"_csrf_token": csrf_token(page.text)},
                                   files={"file": ("units.csv", "building,unit,area,owner\n9号楼,9-1,0,某\n".encode(),
                                                   "text/csv")})
        assert answer.status_code == 200 and 'id="rejected"' in answer.text and "Line 2" in answer.text
        index = await client.get(f"{BASE}/console/", headers=EN)
        assert index.status_code == 200 and "阳光小区" in index.text
