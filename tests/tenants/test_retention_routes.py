"""The district admin sets, in the console, how long each kind of sensitive data is kept: all
the changes or none, each audited; a bad number is named next to its field and what was typed
stays; staff who are not the admin cannot see or change it."""

from __future__ import annotations

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.protection import retention
from core.protection.tables import RetentionRule
from core.tenancy import TenantScope
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
FIELD = "days_feedback_private"


async def _admin(client, tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await accounts.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    return admin


async def test_the_admin_sees_the_defaults_and_changes_one(client, tenant, make_person, sign_in):
    admin = await _admin(client, tenant, make_person, sign_in)
    page = await client.get("/t/qindu/console/retention", headers=PAGE)
    assert page.status_code == 200 and "隐私诉求：描述、处理记录、评价和报告" in page.text
    assert f'name="{FIELD}" type="text" inputmode="numeric" value="1095"' in page.text
    form = {"_csrf_token": csrf_token(page.text),
            **{f"days_{rule.kind}": str(rule.days) for rule in await retention.rules_of(TenantScope(tenant.id))}}
    saved = await client.post("/t/qindu/console/retention", headers=PAGE, data={**form, FIELD: "１８０"})
    assert saved.status_code == 303 and saved.headers["location"] == "/t/qindu/console/retention?saved=1"
    rules = {rule.kind: rule for rule in await retention.rules_of(TenantScope(tenant.id))}
    assert (rules["feedback_private"].days, rules["feedback_private"].default) == (180, False)
    # Only what changed is stored (the others keep following their defaults), and it is audited.
    assert await TenantScope(tenant.id).count(RetentionRule) == 1
    entry = await AuditEntry.objects().where(AuditEntry.action == "retention.changed").first()
    assert (entry.actor_id, entry.target) == (admin.id, "feedback_private")
    assert "已保存" in (await client.get(saved.headers["location"], headers=PAGE)).text


async def test_a_bad_number_is_named_next_to_its_field_and_nothing_is_saved(client, tenant, make_person, sign_in):
    await _admin(client, tenant, make_person, sign_in)
    page = await client.get("/t/qindu/console/retention", headers=PAGE)
    kinds = [rule.kind for rule in await retention.rules_of(TenantScope(tenant.id))]
    for bad in ("-1", "36501", "一年", "<b>9</b>", ""):
        form = {"_csrf_token": csrf_token(page.text), **{f"days_{kind}": "30" for kind in kinds}, FIELD: bad}
        refused = await client.post("/t/qindu/console/retention", headers=PAGE, data=form)
        assert refused.status_code == 422, bad
        assert f'id="e-{FIELD}"' in refused.text, bad
        assert "<b>9</b>" not in refused.text  # echoed escaped
        if len(kinds) > 1:
            assert 'value="30"' in refused.text  # the other fields keep what was typed
    assert await TenantScope(tenant.id).count(RetentionRule) == 0


async def test_only_the_district_admin_sees_or_changes_it(client, tenant, make_person, sign_in):
    staff = await make_person("李秀英", "13900000011")
    await accounts.add_membership(TenantScope(tenant.id), staff.id, ["staff"])
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    assert (await client.get("/t/qindu/console/retention", headers=PAGE)).status_code == 403
    page = await client.get("/t/qindu/console/", headers=PAGE)
    refused = await client.post("/t/qindu/console/retention", headers=PAGE,
                                data={"_csrf_token": csrf_token(page.text), FIELD: "1"})
    assert refused.status_code == 403
    assert await TenantScope(tenant.id).count(RetentionRule) == 0
