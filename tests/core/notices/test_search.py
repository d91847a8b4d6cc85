"""A two-character Chinese query finds the notices that contain it, on both engines."""

from core.notices import reading, search


def test_terms_are_the_two_character_pieces():
    assert search.terms("财务公开") == ["公开", "务公", "财务"]
    assert search.terms("ＰＤＦ 文件") == ["df", "pd", "文件"]  # full-width folded, no piece across a space
    assert search.clean_query(" 财务%_ ") == "财务"


async def test_a_two_character_query_finds_what_contains_it(district, publish):
    await publish("2026年11月财务公开", "本月收支如下。")
    await publish("冬季供暖提示", "请注意用电安全，财务室电话 12345。")
    await publish("居民议事会", "讨论停车管理。")
    person = district["south_resident"].id
    found = [n.title for n in await reading.for_person(district["scope"], person, search_for="财务")]
    assert sorted(found) == ["2026年11月财务公开", "冬季供暖提示"]
    assert [n.title for n in await reading.for_person(district["scope"], person, search_for="停车管理")] == [
        "居民议事会"]
    # The pieces must be adjacent: 公开 and 财务 both occur, 财务开 does not.
    assert await reading.for_person(district["scope"], person, search_for="财务开") == []
    assert [n.title for n in await reading.for_person(district["scope"], person, search_for="冬")] == ["冬季供暖提示"]


async def test_search_keeps_to_what_the_person_may_see(district, publish):
    await publish("北大街社区财务公开", "收支。", audience=f"community:{district['north'].id}")
    assert await reading.for_person(district["scope"], district["south_resident"].id, search_for="财务") == []
    found = await reading.for_person(district["scope"], district["north_resident"].id, search_for="财务")
    assert [n.title for n in found] == ["北大街社区财务公开"]
