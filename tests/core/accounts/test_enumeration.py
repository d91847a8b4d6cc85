"""No one learns whether an account exists from log-in, reset or registration: an unknown
phone or email gets the same answers, word for word, and the same work is done for it (a
password check against a stand-in hash; a code made and kept, only not sent). Timings are
measured by `gongzhi bench enumeration`, never here."""

from __future__ import annotations

import re

import pytest

from core.accounts import passwords, services
from core.accounts.tables import OneTimeCode
from core.audit.tables import AuditEntry
from core.tenancy import TenantScope
from tenants.tables import Community, Street
from tests.http import csrf_token, post_form

KNOWN, UNKNOWN = "13800000001", "13800000009"
KNOWN_EMAIL, UNKNOWN_EMAIL = "li.na@example.com", "nobody@example.com"
PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


def _same_page(text: str, identifier: str) -> str:
    """The page with what differs by nature taken out: the CSRF token, the scripts' nonce and the
    identifier typed."""
    text = re.sub(r'name="_csrf_token" value="[^"]*"', "", text)
    text = re.sub(r'name="csrf-token" content="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    return text.replace(identifier, "IDENTIFIER")


@pytest.fixture
async def accounts(database, make_person):
    await make_person("王芳", KNOWN)
    await services.create_person("李娜", services.Identifier("email", KNOWN_EMAIL), "Weicheng-River-77")
    # A resident who registered by code has no password at all.
    await services.create_person("刘芳", services.Identifier("phone", "13800000002"), None)


@pytest.fixture
def verified(monkeypatch):
    """How many times a password was checked with argon2 (the costly part of a log-in)."""
    calls = []
    real = passwords._hasher

    class Counting:
        def verify(self, hash_, password):
            calls.append(hash_)
            return real.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    return calls


async def test_password_log_in_answers_alike_and_checks_a_hash_every_time(client, accounts, verified):
    answers = {}
    for identifier in (KNOWN, UNKNOWN, "13800000002"):
        answer = await post_form(client, "/login", {"identifier": identifier, "password": "not-the-password"},
                                 headers=PAGE)
        answers[identifier] = (answer.status_code, _same_page(answer.text, identifier))
    assert answers[KNOWN] == answers[UNKNOWN] == answers["13800000002"]
    assert answers[KNOWN][0] == 400
    # One argon2 check each: against the account's hash, and a stand-in for the two without one.
    assert len(verified) == 3 and verified[1] == verified[2] == passwords._DUMMY_HASH != verified[0]


@pytest.mark.parametrize("path, known, unknown", [
    ("/login/code", KNOWN, UNKNOWN),
    ("/password/reset", KNOWN, UNKNOWN),
    ("/password/reset", KNOWN_EMAIL, UNKNOWN_EMAIL),
])
async def test_asking_for_a_code_answers_alike_and_does_the_same_work(client, accounts, path, known, unknown):
    answers, written = {}, {}
    for identifier in (known, unknown):
        codes_before, audit_before = await OneTimeCode.count(), await AuditEntry.count()
        answer = await post_form(client, path, {"identifier": identifier}, headers=PAGE)
        answers[identifier] = (answer.status_code, _same_page(answer.text, identifier))
        written[identifier] = (await OneTimeCode.count() - codes_before, await AuditEntry.count() - audit_before)
    assert answers[known] == answers[unknown] and answers[known][0] == 200
    assert written[known] == written[unknown] == (1, 1)


@pytest.mark.parametrize("ask, check, field", [
    ("/login/code", "/login/code/check", "code"),
    ("/password/reset", "/password/reset/code", "code"),
])
async def test_a_wrong_code_answers_alike_for_an_unknown_account(client, accounts, ask, check, field):
    answers = {}
    for identifier in (KNOWN, UNKNOWN):
        asked = await post_form(client, ask, {"identifier": identifier}, headers=PAGE)
        tries = []
        for _ in range(2):
            answer = await client.post(check, headers=PAGE, data={
                "identifier": identifier, field: "000000", "password": "Xianyang-Qindu-88",
                "_csrf_token": csrf_token(asked.text)})
            tries.append((answer.status_code, _same_page(answer.text, identifier)))
        answers[identifier] = tries
    assert answers[KNOWN] == answers[UNKNOWN]
    assert "还可以尝试 4 次" in answers[UNKNOWN][0][1] and "还可以尝试 3 次" in answers[UNKNOWN][1][1]


async def test_registration_asks_every_number_for_its_code(client, tenant, accounts):
    from core.config import Settings
    from core.messaging import outbox

    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    answers = {}
    for identifier in (KNOWN, UNKNOWN):
        page = await client.get("/t/qindu/register", headers=PAGE)
        answer = await client.post("/t/qindu/register", headers=PAGE, data={
            "display_name": "张三", "identifier": identifier, "community": str(community.id),
            "_csrf_token": csrf_token(page.text)})
        answers[identifier] = (answer.status_code, _same_page(answer.text, identifier))
        # The code goes to the number in both cases: proving it is the registration's first step.
        assert outbox.read(Settings.from_env().outbox_dir / "sms", to=identifier)
    assert answers[KNOWN] == answers[UNKNOWN]


async def test_inviting_answers_alike_whether_or_not_the_number_has_an_account(client, tenant, accounts, sign_in,
                                                                              make_person):
    """The invitation itself reaches only the number invited (it carries the code), so only its
    holder learns, on the invitation's page, whether to sign in or to make an account; the
    admin who invites learns nothing."""
    from core.config import Settings
    from core.messaging import outbox

    scope = TenantScope(tenant.id)
    street = await scope.create(Street, name="人民街道")
    community = await scope.create(Community, street=street.id, name="北大街社区")
    admin = await make_person("王建华", "13900000001")
    await services.add_membership(scope, admin.id, ["district_admin"])
    await sign_in(client, "13900000001")
    answers = {}
    sms = Settings.from_env().outbox_dir / "sms"
    for identifier in (KNOWN, UNKNOWN):
        before = len(outbox.read(sms, to=identifier))
        answer = await post_form(client, "/t/qindu/console/invitations", {
            "display_name": "张伟", "identifier": identifier, "roles": "staff", "unit": f"community:{community.id}"},
            headers=PAGE)
        said = re.search(r'<p class="notice[^"]*" role="(?:status|alert)">(.*?)</p>', answer.text, re.S).group(1)
        answers[identifier] = (answer.status_code, said.replace(identifier, "IDENTIFIER"))
        assert len(outbox.read(sms, to=identifier)) == before + 1
    assert answers[KNOWN] == answers[UNKNOWN] == (200, "邀请已发送至 IDENTIFIER。")
