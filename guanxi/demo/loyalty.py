"""The demo's loyalty stories (seed 004's 警报客户管理表, seed 001's loyalty matrix), written on
top of the ledger so the nightly run's `warning_lights` and `loyalty_matrix` steps find them:

- **a complaint past its SLA** (red): a banquet served forty minutes late, still in progress
  two days after its resolution was due;
- **no visit after a service failure** (red): a room's air conditioning failed three weeks ago;
  the complaint was closed on the phone and nobody has been to see the customer since;
- **champion gone** (red): the champion on a key account's buying centre has left;
- **a detractor** (yellow): NPS 4 with seed 004's own words, "感觉酒店菜品口味单一，没有新意";
- **the loyalty matrix**: on top of the survey waves (`demo.surveys`), NPS answers for a few
  accounts in every cell — busy regulars who recommend us (真正忠诚) or do not (虚假忠诚), rare
  guests who would (潜在忠诚) or would not (不忠诚); accounts never surveyed stay "no survey
  yet". Detractors get their recovery task, as every detractor does;
- **a referral** (转介绍): a promoter brought us another account.

After the nightly run raised the lights, `demo_light_feedback` writes the KAM's feedback and the
company's countermeasure on some of them, as the seed's table shows; the rest wait on Today.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.dates import local_midnight
from guanxi.core.models import User
from guanxi.demo.catalog import CODE_PREFIX
from guanxi.loyalty.models import AccountLight, LightStatus, Referral
from guanxi.relationships.models import BuyingCentreMember, StanceToUs
from guanxi.service.models import Case
from guanxi.surveys.models import SurveyResponse, SurveyTemplate
from guanxi.surveys.services import recovery_task_create
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from guanxi.transactions.models import Transaction

LATE_BANQUET = "宴会上菜慢，客人等了四十分钟"
AIR_CONDITIONING = "客房空调故障，客人半夜换房"
DETRACTOR_WORDS = "感觉酒店菜品口味单一，没有新意。"
PER_CELL = 3

FEEDBACK = {
    # rule code → (the KAM's feedback, the company's countermeasure or "", status)
    "detractor": (
        DETRACTOR_WORDS + "客户每月仍来消费一次，但宴请重要客人已改去别家。",
        "行政总厨设计当季新菜单，下周邀请客户试菜；本月消费赠送特色菜一道。",
        LightStatus.ACKNOWLEDGED,
    ),
    "champion-gone": (
        "王总已调任集团总部，新任采购经理李女士下周二拜访。",
        "",
        LightStatus.ACKNOWLEDGED,
    ),
    "complaint-overdue": (
        "已电话致歉，客户要求书面说明和补偿方案。",
        "餐饮总监上门致歉，赠送下次宴会果盘和酒水。",
        LightStatus.ACKNOWLEDGED,
    ),
}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour)


class LoyaltyStories:
    def __init__(self, as_of: dt.date):
        self.as_of = as_of
        self.used: set[int] = set()
        recent = Q(transactions__occurred_at__gte=local_midnight(as_of - dt.timedelta(days=120)))
        self.accounts = list(
            Account.objects.filter(code__startswith=CODE_PREFIX, owner__isnull=False)
            .annotate(recent=Count("transactions", filter=recent), total=Count("transactions"))
            .order_by("-recent", "-total", "pk")
        )
        self.nps = SurveyTemplate.objects.filter(kind="nps").order_by("pk").first()
        self.cases: list[Case] = []
        self.answers: list[SurveyResponse] = []

    def _take(self, candidates: list[Account]) -> Account | None:
        for account in candidates:
            if account.pk not in self.used:
                self.used.add(account.pk)
                return account
        return None

    def _complaint(self, account: Account, subject: str, opened: dt.datetime, **fields) -> None:
        self.cases.append(
            Case(account=account, kind="complaint", subject=subject, owner=account.owner,
                 opened_at=opened, channel="phone", **fields)
        )  # fmt: skip

    def complaint_past_sla(self) -> None:
        account = self._take(self.accounts)
        if account is None:
            return
        opened = _at(self.as_of - dt.timedelta(days=5), 20)
        self._complaint(
            account, LATE_BANQUET, opened, severity="high", status="in_progress",
            first_responded_at=opened + dt.timedelta(minutes=30),
            first_response_due_at=opened + dt.timedelta(hours=1),
            resolution_due_at=opened + dt.timedelta(days=3), resolution_breached=True,
        )  # fmt: skip

    def no_visit_after_failure(self) -> None:
        day = self.as_of - dt.timedelta(days=21)
        visited = Touchpoint.objects.filter(
            account=OuterRef("pk"), kind=TouchpointKind.VISIT, occurred_at__gte=local_midnight(day)
        )
        quiet = set(
            Account.objects.filter(pk__in=[a.pk for a in self.accounts])
            .exclude(Exists(visited))
            .values_list("pk", flat=True)
        )
        account = self._take([a for a in self.accounts if a.pk in quiet])
        if account is None:
            return
        opened = _at(day, 23)
        self._complaint(
            account, AIR_CONDITIONING, opened, status="closed",
            first_responded_at=opened + dt.timedelta(minutes=15),
            resolved_at=opened + dt.timedelta(hours=2), closed_at=opened + dt.timedelta(days=1),
            resolution="夜班经理为客人换房并免收当晚房费。",
        )  # fmt: skip

    def champion_gone(self) -> None:
        seats = BuyingCentreMember.objects.filter(
            stance=StanceToUs.CHAMPION, contact__is_active=True, account__in=self.accounts
        ).exclude(account__in=self.used)
        seat = seats.order_by("account_id", "pk").first()
        if seat is None:
            return
        self.used.add(seat.account_id)
        Contact.objects.filter(pk=seat.contact_id).update(is_active=False)

    def _answer(self, account: Account, score: int, days_ago: int, comment: str = "") -> None:
        self.answers.append(
            SurveyResponse(
                template=self.nps, account=account, nps_score=score, comment=comment,
                answered_at=_at(self.as_of - dt.timedelta(days=days_ago), 10),
            )
        )  # fmt: skip

    def detractor(self) -> None:
        account = self._take(self.accounts)
        if account is not None:
            self._answer(account, 4, 1, DETRACTOR_WORDS)  # the latest answer

    def loyalty_cells(self) -> None:
        """Busy regulars first (high behaviour), rare guests last (low)."""
        busy, rare = self.accounts, list(reversed(self.accounts))
        for n in range(PER_CELL):
            for pool, score in ((busy, 10), (busy, 5), (rare, 9), (rare, 3)):
                account = self._take(pool)
                if account is not None:
                    self._answer(account, score, 2 + n)  # latest: the cell is the story's

    def referral(self) -> int:
        promoter = next((r.account for r in self.answers if r.nps_score >= 9), None)
        referred = self._take(list(reversed(self.accounts)))
        if promoter is None or referred is None:
            return 0
        first = Transaction.objects.filter(account=referred).order_by("occurred_at").first()
        day = timezone.localdate(first.occurred_at) if first else self.as_of
        Referral.objects.create(
            referrer_account=promoter, referred_account=referred, referred_on=day,
            note="老客户推荐：在其公司年会上认识我们的宴会服务。",
        )  # fmt: skip
        return 1


def demo_loyalty(*, as_of: dt.date) -> dict[str, int]:
    """The loyalty stories (module docstring), before the nightly run evaluates the lights."""
    stories = LoyaltyStories(as_of)
    stories.complaint_past_sla()
    stories.no_visit_after_failure()
    stories.champion_gone()
    stories.detractor()
    stories.loyalty_cells()
    Case.objects.bulk_create(stories.cases)
    SurveyResponse.objects.bulk_create(stories.answers)
    for response in stories.answers:  # every detractor gets its KAM's recovery task, as answered
        recovery_task_create(response=response)
    referrals = stories.referral()
    return {"cases": len(stories.cases), "answers": len(stories.answers), "referrals": referrals}


def demo_light_feedback(*, as_of: dt.date) -> int:
    """The KAM's feedback and the company's countermeasure on the story lights (after the
    nightly `warning_lights` step raised them); the no-visit light waits for its KAM on Today."""
    lit = AccountLight.objects.filter(
        cleared_at__isnull=True, account__code__startswith=CODE_PREFIX
    )
    story = {
        "detractor": lit.filter(
            rule__code="detractor", account__survey_responses__comment=DETRACTOR_WORDS
        ),
        "champion-gone": lit.filter(rule__code="champion-gone"),
        "complaint-overdue": lit.filter(
            rule__code="complaint-overdue", account__cases__subject=LATE_BANQUET
        ),
    }
    lead_of = {u.team_id: u for u in User.objects.filter(role="team_lead")}
    moment = local_midnight(as_of) + dt.timedelta(hours=9)
    written = 0
    for code, lights in story.items():
        feedback, countermeasure, status = FEEDBACK[code]
        for light in lights.select_related("account", "account__owner").distinct()[:2]:
            owner = light.account.owner
            light.kam_feedback, light.feedback_by, light.feedback_at = feedback, owner, moment
            if countermeasure:
                light.countermeasure = countermeasure
                light.countermeasure_by = lead_of.get(owner.team_id if owner else None)
                light.countermeasure_at = moment + dt.timedelta(hours=3)
            light.status = status
            light._history_user = owner
            light.save()
            written += 1
    return written
