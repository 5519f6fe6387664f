"""The demo's surveys (满意度调查): two years of waves, read from the ledger.

- **NPS waves** every six months over the last two years: each wave asks the biggest spenders
  (most of the key accounts once the nightly run has tiered them) and a sample of the rest;
  about two in three answer within ten days. Scores follow the account's spend rank — higher
  tiers score higher — around a spread wide enough that every tier has a few detractors, most
  of whom say why (slow responses, a billing error, a noisy room …).
- **CSAT** after the MICE events of the last two years (a link sent the day after).
- **SERVQUAL** from some twenty large accounts in the last year: expectations high; perceptions
  a little under them on tangibles and assurance, clearly under on responsiveness (the story:
  the service falls short where speed counts).
- The latest wave was sent ten days ago: some links still wait for an answer, and the
  detractors who answered in the last weeks have a recovery task on their KAM's Today.

Rows are written directly (bulk) as the other demo parts write theirs; the recovery tasks go
through `surveys.services` as a live answer's would.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.dates import add_months, local_midnight
from guanxi.demo.bulk import bulk_insert
from guanxi.demo.catalog import CODE_PREFIX
from guanxi.surveys.models import (
    AnswerKind,
    InvitationSource,
    SurveyInvitation,
    SurveyItem,
    SurveyItemAnswer,
    SurveyResponse,
    SurveyTemplate,
)
from guanxi.surveys.services import recovery_task_create
from guanxi.transactions.models import Transaction

WAVES = 4  # NPS waves, six months apart, the latest ten days ago
TOP_SHARE = 0.3  # the biggest spenders, asked every wave
SAMPLE_SHARE = 0.25  # of the rest, asked each wave
ANSWER_RATE = 0.65
RECENT_DAYS = 30  # detractors who answered within these days get a recovery task
SERVQUAL_ACCOUNTS = 20
# Perceived − expected per dimension (negative: falls short).
SERVQUAL_GAPS = {
    "tangibles": -0.2,
    "reliability": -0.6,
    "responsiveness": -1.3,
    "assurance": -0.3,
    "empathy": -0.7,
}
DETRACTOR_WORDS = [
    "上次会议的报价迟迟没有回复，响应太慢。",
    "账单出错了两次，财务对账很麻烦。",
    "客房隔音不好，领导休息受影响。",
    "协议价比别家高，性价比一般。",
    "活动当天现场协调混乱，换了三次负责人。",
    "预订确认要等好几天。",
]
PASSIVE_WORDS = ["总体还行，细节可以更好。", "服务不错，价格偏高。", ""]
PROMOTER_WORDS = [
    "客户经理非常专业，有求必应。",
    "年会办得很成功，同事们都很满意。",
    "一直合作，很放心。",
    "",
]


@dataclass
class _Plan:
    invitations: list[SurveyInvitation] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)  # per invitation index


def _ranked_accounts(as_of: dt.date) -> list[tuple[int, float]]:
    """(account id, spend percentile 0..1) of the demo's accounts, by two years' spend."""
    since = local_midnight(add_months(as_of, -24))
    spend = dict(
        Transaction.objects.filter(occurred_at__gte=since, account__code__startswith=CODE_PREFIX)
        .values("account")
        .annotate(s=Sum("amount"))
        .values_list("account", "s")
    )
    ids = list(
        Account.objects.filter(code__startswith=CODE_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids.sort(key=lambda pk: spend.get(pk) or 0)
    n = max(len(ids) - 1, 1)
    return [(pk, i / n) for i, pk in enumerate(ids)]


def _nps_score(rng: random.Random, percentile: float) -> int:
    return max(0, min(10, round(rng.gauss(5.6 + 3.6 * percentile, 1.9))))


def _comment(rng: random.Random, score: int) -> str:
    if score <= 6:
        return rng.choice(DETRACTOR_WORDS) if rng.random() < 0.8 else ""
    return rng.choice(PASSIVE_WORDS if score <= 8 else PROMOTER_WORDS)


class SurveyStories:
    def __init__(self, *, as_of: dt.date, seed: int):
        self.as_of = as_of
        self.rng = random.Random(seed * 7919 + 15)
        self.templates = {t.code: t for t in SurveyTemplate.objects.all()}
        self.contacts = self._contacts()
        self.plan = _Plan()

    def _contacts(self) -> dict[int, int]:
        rows = (
            Contact.objects.filter(account__code__startswith=CODE_PREFIX, is_active=True)
            .order_by("account", "-is_primary", "pk")
            .values_list("account", "pk")
        )
        first: dict[int, int] = {}
        for account_id, contact_id in rows:
            first.setdefault(account_id, contact_id)
        return first

    def _send(self, template: str, account_id: int, sent: dt.datetime, source: str, ref: str):
        invitation = SurveyInvitation(
            template=self.templates[template],
            account_id=account_id,
            contact_id=self.contacts.get(account_id),
            token_nonce=secrets.token_urlsafe(18),
            sent_at=sent,
            expires_at=sent + dt.timedelta(days=30),
            source=source,
            reference=ref,
        )
        self.plan.invitations.append(invitation)
        self.plan.answers.append({})
        return len(self.plan.invitations) - 1

    def _answer(self, index: int, delay_days: float, **scores) -> None:
        invitation = self.plan.invitations[index]
        answered = invitation.sent_at + dt.timedelta(days=delay_days)
        if answered > timezone.now():
            return
        self.plan.answers[index] = {"answered_at": answered, **scores}

    def nps_waves(self, ranked: list[tuple[int, float]]) -> None:
        top_from = 1 - TOP_SHARE
        for wave in range(WAVES):
            day = add_months(self.as_of, -6 * (WAVES - 1 - wave)) - dt.timedelta(days=10)
            sent = local_midnight(day) + dt.timedelta(hours=10)
            for account_id, pct in ranked:
                if pct < top_from and self.rng.random() > SAMPLE_SHARE:
                    continue
                source = InvitationSource.YEARLY if pct >= top_from else InvitationSource.MANUAL
                index = self._send("nps", account_id, sent, source, f"demo-wave:{day:%Y-%m}")
                if self.rng.random() < ANSWER_RATE:
                    score = _nps_score(self.rng, pct)
                    delay = self.rng.uniform(0.1, 10)
                    self._answer(index, delay, nps_score=score, comment=_comment(self.rng, score))

    def event_csat(self) -> None:
        since = local_midnight(add_months(self.as_of, -24))
        events = (
            Transaction.objects.filter(
                occurred_at__gte=since,
                account__code__startswith=CODE_PREFIX,
                description__contains=" · 客房 ",
            )
            .values_list("account", "occurred_at")
            .order_by("occurred_at")
        )
        seen: set[tuple[int, str]] = set()
        for account_id, when in events:
            key = (account_id, f"{when:%Y-%m}")
            if key in seen:
                continue
            seen.add(key)
            index = self._send(
                "csat", account_id, when + dt.timedelta(days=1), InvitationSource.EVENT, ""
            )
            if self.rng.random() < 0.7:
                score = max(1, min(5, round(self.rng.gauss(4.1, 0.9))))
                self._answer(index, self.rng.uniform(0.2, 5), csat_score=score)

    def servqual(self, ranked: list[tuple[int, float]]) -> None:
        items = list(
            SurveyItem.objects.filter(
                template=self.templates["servqual"], answer=AnswerKind.SERVQUAL
            ).order_by("position")
        )
        big = [pk for pk, pct in ranked if pct >= 0.6]
        chosen = self.rng.sample(big, min(SERVQUAL_ACCOUNTS, len(big)))
        for account_id in chosen:
            day = self.as_of - dt.timedelta(days=self.rng.randint(30, 330))
            index = self._send(
                "servqual", account_id, local_midnight(day), InvitationSource.MANUAL, ""
            )
            person = self.rng.gauss(0, 0.6)  # how warmly this respondent rates us
            expect = self.rng.gauss(6.2, 0.4)
            pairs = {}
            for item in items:
                e = round(expect + self.rng.gauss(0, 0.4))
                p = round(expect + SERVQUAL_GAPS[item.dimension] + person + self.rng.gauss(0, 0.5))
                pairs[item.pk] = (max(1, min(7, e)), max(1, min(7, p)))
            self._answer(index, self.rng.uniform(1, 7), pairs=pairs)


def _write(plan: _Plan) -> tuple[list[SurveyResponse], int]:
    for invitation, answer in zip(plan.invitations, plan.answers, strict=True):
        if answer:
            invitation.answered_at = answer["answered_at"]
    invitations = bulk_insert(SurveyInvitation, plan.invitations)
    responses: list[SurveyResponse] = []
    pairs_of: list[dict] = []
    for invitation, answer in zip(invitations, plan.answers, strict=True):
        if not answer:
            continue
        pairs = answer.get("pairs") or {}
        gaps = [p - e for e, p in pairs.values()]
        responses.append(
            SurveyResponse(
                invitation=invitation,
                template=invitation.template,
                account_id=invitation.account_id,
                contact_id=invitation.contact_id,
                answered_at=answer["answered_at"],
                nps_score=answer.get("nps_score"),
                csat_score=answer.get("csat_score"),
                comment=answer.get("comment", ""),
                servqual_gap=sum(gaps) / len(gaps) if gaps else None,
            )
        )
        pairs_of.append(pairs)
    responses = bulk_insert(SurveyResponse, responses)
    item_answers = [
        SurveyItemAnswer(response=response, item_id=item_id, expectation=e, perception=p)
        for response, pairs in zip(responses, pairs_of, strict=True)
        for item_id, (e, p) in pairs.items()
    ]
    bulk_insert(SurveyItemAnswer, item_answers)
    return responses, len(item_answers)


def demo_surveys(*, as_of: dt.date, seed: int) -> dict[str, int]:
    """The demo's survey waves and answers (module docstring), on top of its ledger."""
    stories = SurveyStories(as_of=as_of, seed=seed)
    if set(stories.templates) < {"nps", "csat", "servqual"}:
        return {"invitations": 0, "responses": 0, "item_answers": 0, "recovery_tasks": 0}
    ranked = _ranked_accounts(as_of)
    stories.nps_waves(ranked)
    stories.event_csat()
    stories.servqual(ranked)
    responses, item_answers = _write(stories.plan)
    recent = local_midnight(as_of) - dt.timedelta(days=RECENT_DAYS)
    tasks = 0
    for response in responses:
        detractor = response.nps_score is not None and response.nps_score <= 6
        if detractor and response.answered_at >= recent:
            recovery_task_create(response=response)
            tasks += response.recovery_task_id is not None
    return {
        "invitations": len(stories.plan.invitations),
        "responses": len(responses),
        "item_answers": item_answers,
        "recovery_tasks": tasks,
    }
