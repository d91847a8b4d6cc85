import pytest

from core.errors import Conflict, NotFound, ValidationFailed
from tenants import services
from tenants.tables import Tenant, TenantStatus


def test_clean_tenant_derives_province_city_and_display_name():
    draft = services.clean_tenant({"slug": "qindu", "name": "秦都区", "division_code": "610402"})
    assert (draft.province, draft.city, draft.display_name) == ("陕西省", "咸阳市", "咸阳市秦都区")


def test_clean_tenant_needs_a_city_when_the_code_does_not_tell():
    with pytest.raises(ValidationFailed) as raised:
        services.clean_tenant({"slug": "yanta", "name": "雁塔区", "division_code": "330102"})
    assert set(raised.value.errors) == {"city"}
    draft = services.clean_tenant({"slug": "shangcheng", "name": "上城区", "division_code": "330102",
                                   "city": "杭州市"})
    assert (draft.province, draft.display_name) == ("浙江省", "杭州市上城区")


@pytest.mark.parametrize(
    ("field", "value", "msgid_start"),
    [
        ("slug", "", "This field is required."),
        ("slug", "Qindu", "Use 2 to 40 lowercase"),
        ("slug", "qin du", "Use 2 to 40 lowercase"),
        ("slug", "秦都", "Use 2 to 40 lowercase"),
        ("slug", "q", "Use 2 to 40 lowercase"),
        ("slug", "-qindu", "Use 2 to 40 lowercase"),
        ("slug", "q" * 41, "At most"),
        ("division_code", "61040", "Must be exactly"),
        ("division_code", "６１０４０２", "Use half-width digits"),
        ("division_code", "990402", "This is not an administrative division code"),
        ("division_code", "610400", "This is a city's or province's code"),
        ("name", "", "This field is required."),
        ("name", "区" * 51, "At most"),
        ("name", "秦都\x00区", "Contains characters"),
    ],
)
def test_clean_tenant_rejects_bad_fields(field, value, msgid_start):
    data = {"slug": "qindu", "name": "秦都区", "division_code": "610402", field: value}
    with pytest.raises(ValidationFailed) as raised:
        services.clean_tenant(data)
    assert list(raised.value.errors) == [field]
    assert raised.value.errors[field].msgid.startswith(msgid_start)


async def test_create_refuses_a_duplicate_slug_and_writes_nothing(tenant):
    draft = services.clean_tenant({"slug": "qindu", "name": "渭城区", "division_code": "610404"})
    with pytest.raises(Conflict) as raised:
        await services.create_tenant(draft)
    assert raised.value.extra["field"] == "slug"
    assert await Tenant.count() == 1


async def test_new_districts_are_pending(database):
    draft = services.clean_tenant({"slug": "xingping", "name": "兴平市", "division_code": "610481"})
    created = await services.create_tenant(draft)
    assert created.status == "pending"
    assert created.created_at is not None


@pytest.mark.parametrize(
    ("start", "action", "reason", "end"),
    [
        ("pending", "approve", "", "active"),
        ("pending", "reject", "材料不全", "rejected"),
        ("active", "suspend", "欠费", "suspended"),
        ("suspended", "resume", "", "active"),
    ],
)
async def test_status_changes(make_tenant, start, action, reason, end):
    await make_tenant("liquan", "礼泉县", "610425", start)
    changed = await services.change_status("liquan", action, reason)
    assert changed.status == end
    assert changed.status_reason == reason
    stored = await Tenant.objects().where(Tenant.slug == "liquan").first()
    assert stored.status == end


@pytest.mark.parametrize(
    ("start", "action"),
    [("active", "approve"), ("rejected", "approve"), ("pending", "suspend"), ("active", "resume"),
     ("active", "reject")],
)
async def test_impossible_status_changes_are_refused(make_tenant, start, action):
    await make_tenant("liquan", "礼泉县", "610425", start)
    with pytest.raises(Conflict):
        await services.change_status("liquan", action, "原因")
    assert (await services.get_tenant("liquan")).status == start


async def test_reject_and_suspend_need_a_reason(make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    with pytest.raises(Conflict):
        await services.change_status("liquan", "reject", "   ")
    assert (await services.get_tenant("liquan")).status == "pending"


async def test_unknown_slug(database):
    with pytest.raises(NotFound):
        await services.change_status("nowhere", "approve")


async def test_list_by_status(make_tenant):
    await make_tenant("qindu", "秦都区", "610402", "active")
    await make_tenant("liquan", "礼泉县", "610425", "pending")
    assert [t.slug for t in await services.list_tenants(TenantStatus.active)] == ["qindu"]
    assert [t.slug for t in await services.list_tenants()] == ["qindu", "liquan"]


async def test_the_status_is_checked_before_the_reason(make_tenant):
    await make_tenant("liquan", "礼泉县", "610425", "active")
    with pytest.raises(ValidationFailed) as too_long:
        await services.change_status("liquan", "suspend", "欠" * 501)
    assert set(too_long.value.errors) == {"reason"}
    with pytest.raises(ValidationFailed):
        await services.change_status("liquan", "suspend", "欠\x00费")
    with pytest.raises(Conflict) as impossible:  # not pending: the reason is not looked at
        await services.change_status("liquan", "reject", "材料\x00不全")
    assert "field" not in impossible.value.extra
    liquan = await services.get_tenant("liquan")
    assert (liquan.status, liquan.status_reason) == ("active", "")
