"""Opportunities (商机) and the sales pipeline (seed 000's SOP 识别 → 接触 → 转化 → 复盘; seed 003).

A `Pipeline` has `Stage`s kept as data, in order, each with a default probability and an
outcome (open, won, lost). An `Opportunity` is a deal with one account: its type, amount,
expected close date, owner, stage, next step, competitor, where it came from, and, when lost,
why (`LostReason`, data). Every stage move is a `StageChange` row (from, to, when, who, and how
long the deal sat in the stage it left), so cycle time per stage is read, not guessed.

A MICE opportunity carries its event (dates, attendees) and `OpportunityLine`s — room nights per
night, meeting space, F&B covers — whose sum can be the amount (seed 000's 联动: a meeting brings
rooms and F&B). When it is won, the revenue expected by category and month is kept
(`ExpectedRevenue`) to compare with the transactions that follow; moving it back out of won
removes them and the won date (a bug other CRMs have: won figures that stay).

A `SalesTarget` is what a manager sets for a KAM or a team for a month or a quarter.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.formatting import money
from guanxi.leads.models import Lead, LeadSource, ListEntry
from guanxi.transactions.models import ProductCategory

MONEY = {"max_digits": 14, "decimal_places": 2}


class BuiltinPipeline(models.TextChoices):
    SALES = "sales", _("Sales pipeline")


class Pipeline(ListEntry):
    BUILTIN = BuiltinPipeline

    is_default = models.BooleanField(_("default pipeline"), default=False)

    class Meta(ListEntry.Meta):
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["-is_default", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_pipeline"
            )
        ]


class Outcome(models.TextChoices):
    # "Open" and "Lost" mean other things elsewhere (a task to do, a customer gone).
    OPEN = "open", pgettext_lazy("deal", "Open")
    WON = "won", pgettext_lazy("deal", "Won")
    LOST = "lost", pgettext_lazy("deal", "Lost")


class SopStep(models.TextChoices):
    """The built-in stages, after the SOP: identify → contact → propose → negotiate → won/lost."""

    IDENTIFY = "identify", _("Identify")
    CONTACT = "contact", _("Contact")
    PROPOSE = "propose", _("Propose")
    NEGOTIATE = "negotiate", _("Negotiate")
    WON = "won", pgettext_lazy("deal", "Won")
    LOST = "lost", pgettext_lazy("deal", "Lost")


class Stage(ListEntry):
    BUILTIN = SopStep

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        validators=[MaxValueValidator(100)],
        help_text=_("The default chance of winning a deal in this stage."),
    )
    outcome = models.CharField(
        _("outcome"), max_length=4, choices=Outcome.choices, default=Outcome.OPEN
    )
    # A deal with no stage move or next step for this many days is stale (an alert on Today).
    stale_after_days = models.PositiveSmallIntegerField(
        _("stale after (days)"), default=30, validators=[MinValueValidator(1)]
    )

    class Meta(ListEntry.Meta):
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="uniq_stage_position"),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.WON) | Q(probability=100), name="won_stage_is_100"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.LOST) | Q(probability=0), name="lost_stage_is_0"
            ),
        ]


class LostKind(models.TextChoices):
    PRICE = "price", _("Price")
    COMPETITOR = "competitor", _("Went to a competitor")
    DATES = "dates", _("Dates or space not available")
    BUDGET = "budget", _("Budget cut")
    NO_DECISION = "no_decision", _("No decision made")
    RELATIONSHIP = "relationship", _("Relationship with the decision maker")
    OTHER = "other", _("Other")


class LostReason(ListEntry):
    BUILTIN = LostKind

    class Meta(ListEntry.Meta):
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")


class OpportunityType(models.TextChoices):
    MICE = "mice", _("MICE event")
    CORPORATE_RATE = "corporate_rate", _("Corporate rate or agreement")
    BANQUET = "banquet", _("Banquet or wedding")
    GROUP_BLOCK = "group_block", _("Group block")
    PRODUCT = "product", _("Product sale")
    OTHER = "other", _("Other")


class Opportunity(models.Model):
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("name"), max_length=200)
    # The deal's number in the spreadsheet or CRM it came from: an import naming it again
    # updates this deal instead of opening a second one.
    # Empty by default in the database too: rows written in bulk (COPY, an earlier schema's
    # code) need not name it.
    code = models.CharField(
        _("deal code"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
        help_text=_("Your own number for the deal (from a spreadsheet or another CRM); unique. "
                    "An import with this code updates the deal."),
    )  # fmt: skip
    opportunity_type = models.CharField(
        _("type"), max_length=20, choices=OpportunityType.choices, default=OpportunityType.OTHER
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    # Kept from the stage's outcome so lists, the board and the forecast filter without a join.
    outcome = models.CharField(
        _("outcome"), max_length=4, choices=Outcome.choices, default=Outcome.OPEN, editable=False
    )
    amount = models.DecimalField(_("amount (CNY)"), default=0, **MONEY)
    amount_from_lines = models.BooleanField(
        _("amount from the event lines"),
        default=False,
        help_text=_("Rooms × rate + meeting space + food and beverage, from the lines below."),
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        validators=[MaxValueValidator(100)],
        help_text=_("The stage's default unless the owner sets it."),
    )
    expected_close = models.DateField(_("expected close date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="opportunities"
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    competitor = models.CharField(_("competitor"), max_length=100, blank=True)
    source = models.ForeignKey(
        LeadSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    lost_note = models.TextField(_("why it was lost"), blank=True)
    # MICE: the event itself (会议/活动).
    event_start = models.DateField(_("event starts"), null=True, blank=True)
    event_end = models.DateField(_("event ends"), null=True, blank=True)
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("stage changed at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The learned chance of winning (deal odds), from the newest trained model; None until one.
    predicted_probability = models.FloatField(_("predicted probability"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close", "id"]
        indexes = [
            # The board and a KAM's list: open deals by owner and stage; the forecast by month.
            models.Index(fields=["owner", "outcome", "expected_close"], name="opp_owner_close"),
            models.Index(fields=["outcome", "expected_close"], name="opp_outcome_close"),
            models.Index(fields=["stage", "expected_close"], name="opp_stage_close"),
            models.Index(fields=["account", "outcome"], name="opp_account_outcome"),
            models.Index(fields=["outcome", "closed_on"], name="opp_outcome_closed"),
            # The list's default order and its type filter, for managers who see every deal.
            models.Index(fields=["expected_close", "id"], name="opp_close"),
            models.Index(fields=["opportunity_type", "expected_close"], name="opp_type_close"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="opportunity_code_unique",
                violation_error_message=_("Another deal has this code."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_gte_0"),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.LOST) | Q(lost_reason__isnull=False),
                name="lost_opportunity_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(outcome=Outcome.OPEN) | Q(closed_on__isnull=False),
                name="closed_opportunity_has_date",
            ),
            models.CheckConstraint(
                condition=Q(event_start__isnull=True)
                | Q(event_end__isnull=True)
                | Q(event_end__gte=models.F("event_start")),
                name="event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LineKind(models.TextChoices):
    ROOMS = "rooms", _("Room nights")
    MEETING_SPACE = "meeting_space", _("Meeting space")
    FNB = "fnb", _("Food and beverage covers")
    OTHER = "other", _("Other")


class OpportunityLine(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The product category its revenue will be booked under."),
    )
    day = models.DateField(_("day"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(
        _("unit price (CNY)"), validators=[MinValueValidator(0)], **MONEY
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    # Who added, changed or removed a line (the amount may follow it).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event line")
        verbose_name_plural = _("event lines")
        ordering = ["opportunity", "day", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(unit_price__gte=0), name="line_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"

    @property
    def total(self):
        return self.quantity * self.unit_price


class StageChange(models.Model):
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # How long the deal sat in from_stage (None for the first row: the deal was created).
    seconds_in_from_stage = models.BigIntegerField(_("time in the stage left"), null=True)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage log")
        ordering = ["opportunity", "changed_at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "changed_at"], name="stagechange_opp"),
            models.Index(fields=["from_stage", "changed_at"], name="stagechange_from"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"


#: `StageEntryDay.previous` of a deal's first entry into a stage.
NO_EARLIER_ENTRY = dt.date(1900, 1, 1)


class StageEntryDay(models.Model):
    """The stage log rolled up for the funnel (`pipeline.stage_rollup`): per local day, open
    stage, account and owner of the deal, and the day the deal last entered that stage before
    (`NO_EARLIER_ENTRY`: never), how many deals entered the stage that day (once a deal and
    day), and of them how many went on to a later open stage or won, and how many were won —
    at any time, so a later move of the deal changes its earlier rows. A period counts a deal
    once in a stage: the rows of its days whose `previous` is before the period.

    Kept by every write of the log in the same transaction, and rebuilt from the log by
    `stage_rollup_rebuild`. Keyed by account so the account access rule applies exactly, and
    by day so any period is read from it alone."""

    day = models.DateField()
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    previous = models.DateField(default=NO_EARLIER_ENTRY)
    entered = models.IntegerField(default=0)
    advanced = models.IntegerField(default=0)
    won = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("stage entry day")
        verbose_name_plural = _("stage entry days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "stage", "account", "owner", "previous"], name="stageentry_key"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "day"], name="stageentry_account"),
            models.Index(fields=["owner", "day"], name="stageentry_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.stage_id}: {self.entered}"


class ClosedDealStage(models.Model):
    """The stage log of the won and lost deals rolled up for win/loss (`pipeline.stage_rollup`):
    a row per closed deal and stage it left or reached, with the deal's close date, account,
    owner, outcome and amount, whether the stage is the furthest open one it reached, and how
    many times it left the stage and how long it sat there (`timed` of the moves had a
    duration). Kept with `StageEntryDay`, so win/loss reads no stage log."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    closed_on = models.DateField()
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=4, choices=Outcome.choices)
    amount = models.DecimalField(**MONEY)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    reached = models.BooleanField(default=False)
    changes = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("closed deal stage")
        verbose_name_plural = _("closed deal stages")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "stage"], name="closedstage_key"),
        ]
        indexes = [
            models.Index(fields=["closed_on"], name="closedstage_day"),
            models.Index(fields=["account", "closed_on"], name="closedstage_account"),
            models.Index(fields=["owner", "closed_on"], name="closedstage_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} {self.stage_id}"


class ExpectedRevenue(models.Model):
    """What a won deal is expected to bring, by product category and month (kept when won)."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="expected_revenue",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)

    class Meta:
        verbose_name = _("expected revenue")
        verbose_name_plural = _("expected revenue")
        ordering = ["opportunity", "month", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "month", "category"], name="uniq_expected_revenue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.amount}"


class TargetPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class SalesTarget(models.Model):
    """A revenue target for one KAM or one team for a month or a quarter (set by managers)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sales_targets",
    )
    period = models.CharField(
        _("period"), max_length=7, choices=TargetPeriod.choices, default=TargetPeriod.MONTH
    )
    starts_on = models.DateField(
        _("starts on"), help_text=_("The first day of the month or of the quarter.")
    )
    amount = models.DecimalField(_("target (CNY)"), validators=[MinValueValidator(0)], **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True)
                | Q(user__isnull=True, team__isnull=False),
                name="target_for_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["user", "period", "starts_on"],
                condition=Q(user__isnull=False),
                name="uniq_target_user_period",
            ),
            models.UniqueConstraint(
                fields=["team", "period", "starts_on"],
                condition=Q(team__isnull=False),
                name="uniq_target_team_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} · {self.starts_on:%Y-%m} · {money(self.amount)}"


class OddsStatus(models.TextChoices):
    TRAINED = "trained", _("Trained")
    INSUFFICIENT = "insufficient", _("Not enough closed deals")


class OddsModel(models.Model):
    """One training of the deal-odds model (`pipeline.odds`): when, on how many closed deals,
    its calibration on the holdout, and the fitted model itself (`analytics.DealOdds.to_dict`).
    A training that found too few closed deals is kept too, with its counts and no model (the
    words are `odds.status_message`'s, in the reader's language)."""

    trained_at = models.DateTimeField(_("trained at"))
    status = models.CharField(_("status"), max_length=12, choices=OddsStatus.choices)
    n_deals = models.PositiveIntegerField(_("closed deals used"), default=0)
    n_won = models.PositiveIntegerField(_("won deals"), default=0)
    n_lost = models.PositiveIntegerField(_("lost deals"), default=0)
    n_holdout = models.PositiveIntegerField(_("holdout deals"), default=0)
    base_rate = models.FloatField(_("base rate"), null=True, blank=True)
    brier_score = models.FloatField(_("holdout Brier score"), null=True, blank=True)
    baseline_brier_score = models.FloatField(
        _("Brier score of always the base rate"), null=True, blank=True
    )
    # [{"low", "high", "predicted", "observed", "count"}, …] on the holdout.
    reliability = models.JSONField(_("reliability table"), default=list, blank=True)
    model = models.JSONField(_("model"), default=dict, blank=True)
    n_predicted = models.PositiveIntegerField(_("open deals predicted"), default=0)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("deal-odds model")
        verbose_name_plural = _("deal-odds models")
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["status", "-trained_at"], name="oddsmodel_latest")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.trained_at:%Y-%m-%d %H:%M}"
