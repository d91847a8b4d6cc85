"""Residents ask about a notice; staff see the questions (the feedback loop takes them over
when it exists)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from core import clock, forms
from core.config import Settings
from core.accounts.tables import Person
from core.errors import NotFound
from core.forms import Form
from core.i18n import Message
from core.notices import reading
from core.notices.tables import Notice, NoticeQuestion
from core.notifications.audience import Audience
from core.notifications.services import notify
from core.tenancy import TenantScope

TEXT_MAX = 1000


def new_submission() -> str:
    """A token for one rendering of the question form: the same form sent twice is one question."""
    return secrets.token_urlsafe(16)


async def ask(settings: Settings, scope: TenantScope, slug: str, person_id: int, root: int,
              data: dict[str, str]) -> bool:
    """Keep the question (once per submission token), tell the notice's author, and register
    it as a feedback item of the "question" category, so that it is answered and followed
    like any other. Returns False when this submission was already kept."""
    form = Form(data)
    text = form.field("question", forms.text, max_length=TEXT_MAX, multiline=True)
    submission = str(data.get("submission") or "")
    if not submission or len(submission) > 40 or not submission.replace("-", "").replace("_", "").isalnum():
        form.error("question", Message("This form is out of date: reload the page and send it again."))
    form.raise_if_invalid()
    async with scope.transaction(write=True):
        notice = await reading.visible(scope, person_id, root)
        if notice is None:
            raise NotFound()
        kept = await scope.raw(
            NoticeQuestion,
            "INSERT INTO notices_question (tenant_id, notice_root, person, text, submission, created_at) "
            "VALUES ({tenant}, {}, {}, {}, {}, {}) ON CONFLICT (tenant_id, person, submission) DO NOTHING "
            "RETURNING id", root, person_id, text, submission, clock.now())
        if kept:
            await notify(scope, Audience.of(notice.author), kind="notice_question",
                         title=Message("A resident asked about “%(title)s”", {"title": notice.title}),
                         link=f"/t/{slug}/console/notices/{notice.id}")
            await _into_the_loop(settings, scope, slug, person_id, notice, text, submission)
    return bool(kept)


async def _into_the_loop(settings: Settings, scope: TenantScope, slug: str, person_id: int, notice: Notice,
                         text: str, submission: str) -> None:
    from core.feedback import categories, services as feedback
    from core.feedback.tables import FeedbackCategory

    category = await scope.objects(FeedbackCategory).where(FeedbackCategory.key == "question").first()
    if category is None:  # a district made before the category existed
        await categories.ensure_registered(scope)
        category = await scope.objects(FeedbackCategory).where(FeedbackCategory.key == "question").first()
    community_id, grid_id = await feedback.home_of(scope, person_id)
    description = f"《{notice.title}》：{text}"[:feedback.DESCRIPTION_MAX]
    await feedback.submit(settings, scope, slug, person_id, feedback.Submission(
        category.id, description, community_id, grid_id, "", None, None, False),
        idempotency_key=f"notice-question-{submission}"[:64], source="notice")


@dataclass(frozen=True)
class Question:
    person: str
    text: str
    created_at: datetime


async def for_notice(scope: TenantScope, notice: Notice) -> list[Question]:
    rows = await scope.select(NoticeQuestion, NoticeQuestion.person, NoticeQuestion.text,
                              NoticeQuestion.created_at).where(NoticeQuestion.notice_root == notice.root).order_by(
        NoticeQuestion.id)
    names = {}
    if rows:
        names = {p["id"]: p["display_name"] for p in await Person.select(Person.id, Person.display_name).where(
            Person.id.is_in(list({row["person"] for row in rows})))}
    return [Question(names.get(row["person"], ""), row["text"], row["created_at"]) for row in rows]
