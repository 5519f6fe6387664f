"""Tier schemes (客户等级管理制度) and the privileges each tier carries (等级特权维护).

A `TierScheme` is an ordered list of `Tier`s; each tier has a rule over account metrics and is
granted to an account when its rule is the first (from the top) that the account meets. Several
schemes may be active at once (a monthly service tier and a strategic CLP tier, say); each account
has one `AccountTier` per scheme and a `TierChange` row for every move, with the metric values that
decided it. A `TierPolicy` turns a tier into concrete work: cadence, gifts, banquets, trips, groups
and a discount floor.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Account
from guanxi.core.formatting import localised
from guanxi.core.models import LeasedRun

MONEY = {"max_digits": 14, "decimal_places": 2}


class SchemePurpose(models.TextChoices):
    """What a scheme's levels are: tiers of value and service, or lifecycle stages."""

    TIERS = "tiers", _("Tier scheme")
    LIFECYCLE = "lifecycle", _("Lifecycle stage set")


class TierScheme(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=12,
        choices=SchemePurpose.choices,
        default=SchemePurpose.TIERS,
        db_index=True,
        help_text=_(
            "A lifecycle stage set is evaluated like a tier scheme (first stage from the top whose "
            "conditions hold) but is shown as the account's lifecycle stage."
        ),
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Active schemes are evaluated every night and their policies create tasks."),
    )
    categories = models.ManyToManyField(
        "transactions.ProductCategory",
        verbose_name=_("count only these categories"),
        blank=True,
        related_name="+",
        help_text=_(
            "The month's visits, spend and head count read only transactions in these categories "
            "(e.g. food & beverage for a restaurant's scheme). Empty: every category."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("tier scheme")
        verbose_name_plural = _("tier schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return localised(self.name, self.name_en)


class Tier(models.Model):
    """One level of a scheme. An account gets the first tier, from rank 1 down, whose conditions
    all hold; a tier without conditions matches every account (only allowed as the last tier)."""

    scheme = models.ForeignKey(
        TierScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="tiers"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("1 is the highest tier; rules are tried from rank 1 down.")
    )
    colour = models.CharField(_("colour"), max_length=20, blank=True, default="")
    description = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["scheme", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="uniq_tier_code_per_scheme"),
            models.UniqueConstraint(fields=["scheme", "rank"], name="uniq_tier_rank_per_scheme"),
        ]

    def __str__(self) -> str:
        return localised(self.name, self.name_en)


class Metric(models.TextChoices):
    """What a tier condition can test. Month metrics are over the last complete calendar month."""

    MONTH_VISITS = "month_visits", _("Visits in the month")
    MONTH_SPEND = "month_spend", _("Spend in the month")
    MONTH_PER_HEAD = "month_per_head", _("Spend per head in the month")
    REVENUE_12M = "revenue_12m", _("Revenue, last 12 months")
    PROFIT_12M = "profit_12m", _("Profit, last 12 months")
    REVENUE_LIFETIME = "revenue_lifetime", _("Lifetime revenue")
    CLP_HISTORIC = "clp_historic", _("Lifetime profit to date (CLP)")
    CLP_PREDICTIVE = "clp_predictive", _("Predicted lifetime profit (CLP)")
    CLP_PERCENTILE = "clp_percentile", _("Predicted profit percentile (0–100)")
    CLV = "clv", _("Customer lifetime value, 12 months (CLV)")
    CLV_PERCENTILE = "clv_percentile", _("Value percentile (0–100, by CLV)")
    P_ALIVE = "p_alive", _("Probability still active, P(alive)")
    RFM_SEGMENT = "rfm_segment", _("RFM segment")
    ABC_CLASS = "abc_class", _("ABC class")
    PURCHASES_LIFETIME = "purchases_lifetime", _("Purchases, lifetime (number)")
    PURCHASES_12M = "purchases_12m", _("Purchases, last 12 months (number)")
    TENURE_MONTHS = "tenure_months", _("Months since the first purchase")
    DAYS_SINCE_PURCHASE = "days_since_purchase", _("Days since the last purchase")
    REVENUE_TREND = "revenue_trend", _("Revenue trend, last 12 months vs the 12 before (%)")
    ACCOUNT_TYPE = "account_type", _("Account type")
    ATTITUDE = "attitude", _("Attitude to our products")
    TAG = "tag", _("Tag")
    # Agreement facts (协议), written by the agreements' nightly step (`AccountAgreementFact`).
    STRATEGIC_AGREEMENT = "strategic_agreement", _("Has an active strategic agreement")
    COMMITMENT_ATTAINED = "commitment_attained", _("Agreement commitment attained (%)")


class YesNo(models.TextChoices):
    """The values of a yes/no choice metric."""

    YES = "yes", _("Yes")
    NO = "no", _("No")


# Metrics whose condition is a list of allowed values (``values``); the rest take min/max.
CHOICE_METRICS = frozenset(
    {
        Metric.RFM_SEGMENT,
        Metric.ABC_CLASS,
        Metric.ACCOUNT_TYPE,
        Metric.ATTITUDE,
        Metric.TAG,
        Metric.STRATEGIC_AGREEMENT,
    }
)


class TierCondition(models.Model):
    """One condition of a tier's rule: ``min <= metric < max``, or ``metric in values``."""

    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), on_delete=models.CASCADE, related_name="conditions"
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    min_value = models.DecimalField(
        _("at least"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("below"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    values = models.JSONField(
        _("one of"),
        default=list,
        blank=True,
        help_text=_("For segment, class, type and tag conditions: the values that qualify."),
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["tier", "id"]

    def __str__(self) -> str:
        return self.get_metric_display()


class GreetingRole(models.TextChoices):
    NONE = "", _("No greeting")
    GENERAL_MANAGER = "general_manager", _("General manager")
    STORE_MANAGER = "store_manager", _("Store manager")
    MANAGER = "manager", _("Duty manager")
    ACCOUNT_OWNER = "account_owner", _("Account owner")


class TierPolicy(models.Model):
    """The privileges a tier grants (等级特权), as data the policy engine turns into tasks."""

    tier = models.OneToOneField(
        Tier, verbose_name=_("tier"), on_delete=models.CASCADE, related_name="policy"
    )
    call_every_days = models.PositiveSmallIntegerField(
        _("phone call every (days)"), null=True, blank=True
    )
    visit_every_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), null=True, blank=True
    )
    greeting_role = models.CharField(
        _("greeted on arrival by"), max_length=30, choices=GreetingRole.choices, blank=True
    )
    birthday_gift_value = models.DecimalField(
        _("birthday gift value (CNY)"), null=True, blank=True, **MONEY
    )
    anniversary_gift_value = models.DecimalField(
        _("anniversary gift value (CNY)"), null=True, blank=True, **MONEY
    )
    gift_lead_days = models.PositiveSmallIntegerField(_("prepare gifts (days before)"), default=3)
    banquet_every_months = models.PositiveSmallIntegerField(
        _("banquet every (months)"), null=True, blank=True
    )
    banquet_budget_per_table = models.DecimalField(
        _("banquet budget per table (CNY)"), null=True, blank=True, **MONEY
    )
    banquet_host_role = models.CharField(
        _("banquet hosted by"), max_length=30, choices=GreetingRole.choices, blank=True
    )
    trip_budget_per_person = models.DecimalField(
        _("yearly trip budget per person (CNY)"), null=True, blank=True, **MONEY
    )
    groups = models.JSONField(
        _("group memberships"),
        default=list,
        blank=True,
        help_text=_("Groups the customer is invited to, e.g. the VIP WeChat group."),
    )
    discount_floor = models.DecimalField(
        _("discount floor"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        # xgettext:no-python-format
        help_text=_("Lowest price as a share of list price: 0.85 means 15% off."),
    )
    discount_exclusions = models.ManyToManyField(
        "transactions.ProductCategory",
        verbose_name=_("no discount on"),
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("other privileges"), blank=True)

    class Meta:
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")

    def __str__(self) -> str:
        return str(self.tier)


class TierRunStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    INTERRUPTED = "interrupted", _("interrupted")


class TierRun(LeasedRun):
    """One evaluation of every active scheme over every account."""

    status = models.CharField(
        _("status"), max_length=20, choices=TierRunStatus.choices, default=TierRunStatus.RUNNING
    )
    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    n_accounts = models.PositiveIntegerField(_("accounts"), default=0)
    n_changes = models.PositiveIntegerField(_("tier changes"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("tier run")
        verbose_name_plural = _("tier runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_status_display()})"


class AccountTier(models.Model):
    """An account's current tier in one scheme: what the rules say, and any manual override."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="tiers"
    )
    scheme = models.ForeignKey(
        TierScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="+"
    )
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The tier in force: the override while it lasts, else the computed tier."),
    )
    computed_tier = models.ForeignKey(
        Tier,
        verbose_name=_("tier by the rules"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("in this tier since"), null=True, blank=True)
    metrics = models.JSONField(_("metric values"), default=dict, blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    override_tier = models.ForeignKey(
        Tier,
        verbose_name=_("override tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)
    override_until = models.DateField(_("override until"), null=True, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("override set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("account tier")
        verbose_name_plural = _("account tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "scheme"], name="uniq_account_tier_per_scheme"
            )
        ]
        indexes = [
            models.Index(fields=["scheme", "tier"]),
            # The lists' default order: latest moves first.
            models.Index(fields=["-since", "-id"], name="accounttier_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.scheme}: {self.tier or '—'}"

    def override_active(self, on: dt.date) -> bool:
        return self.override_tier_id is not None and (
            self.override_until is None or self.override_until >= on
        )


class ChangeReason(models.TextChoices):
    RULES = "rules", _("Rules re-evaluated")
    OVERRIDE = "override", _("Manual override")
    OVERRIDE_ENDED = "override_ended", _("Override ended")


class TierChange(models.Model):
    """A move between tiers (升降级记录): from → to, when, why."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="tier_changes"
    )
    scheme = models.ForeignKey(
        TierScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="+"
    )
    from_tier = models.ForeignKey(
        Tier,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_tier = models.ForeignKey(
        Tier,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_on = models.DateField(_("effective on"))
    changed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=20, choices=ChangeReason.choices)
    metrics = models.JSONField(_("metric values"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    run = models.ForeignKey(
        TierRun,
        verbose_name=_("tier run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-effective_on", "-changed_at"]
        indexes = [
            # The history lists' default order (the admin adds -id): the newest page is read off
            # this index instead of sorting every change of every account.
            models.Index(fields=["-effective_on", "-changed_at", "-id"], name="tierchange_newest"),
            models.Index(fields=["scheme", "effective_on"]),
            models.Index(fields=["account", "scheme"]),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_tier or '—'} → {self.to_tier or '—'}"

    @property
    def is_upgrade(self) -> bool | None:
        if self.from_tier is None or self.to_tier is None:
            return None
        return self.to_tier.rank < self.from_tier.rank


class DiscountReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DiscountReview(models.Model):
    """A transaction priced below the account's tier discount floor (折让权限), held for review."""

    transaction = models.OneToOneField(
        "transactions.Transaction",
        verbose_name=_("transaction"),
        on_delete=models.CASCADE,
        related_name="discount_review",
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    discount_rate = models.DecimalField(_("discount given"), max_digits=4, decimal_places=3)
    floor = models.DecimalField(_("tier floor"), max_digits=4, decimal_places=3)
    tier = models.ForeignKey(
        Tier, verbose_name=_("tier"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DiscountReviewStatus.choices,
        default=DiscountReviewStatus.PENDING,
        db_index=True,
    )
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("discount review")
        verbose_name_plural = _("discount reviews")
        ordering = ["-flagged_at"]
        indexes = [
            # The review queue: one status, newest first (a night can flag tens of thousands).
            models.Index(fields=["status", "-flagged_at", "-id"], name="discountreview_queue")
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.discount_rate} < {self.floor}"


# --- Lifecycle stages: schemes with purpose LIFECYCLE, seen under their own names ----------------


class LifecycleSetManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(purpose=SchemePurpose.LIFECYCLE)


class LifecycleRowManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(scheme__purpose=SchemePurpose.LIFECYCLE)


class LifecycleStageSet(TierScheme):
    """A lifecycle stage set (seed 001 考察期 → 退化期, seed 004 潜在客户 → 拥护者, seed 000 开发 →
    推荐): a TierScheme whose tiers are stages, evaluated by the same rules every night."""

    objects = LifecycleSetManager()

    class Meta:
        proxy = True
        verbose_name = _("lifecycle stage set")
        verbose_name_plural = _("lifecycle stage sets")


class AccountLifecycleStage(AccountTier):
    """An account's stage in a lifecycle stage set (computed, with the reason, or set by hand)."""

    objects = LifecycleRowManager()

    class Meta:
        proxy = True
        verbose_name = _("account lifecycle stage")
        verbose_name_plural = _("account lifecycle stages")


class LifecycleStageChange(TierChange):
    """A move from one lifecycle stage to another: the account's lifecycle history."""

    objects = LifecycleRowManager()

    class Meta:
        proxy = True
        verbose_name = _("lifecycle stage change")
        verbose_name_plural = _("lifecycle stage changes")


class AccountAgreementFact(models.Model):
    """What the account's agreements say, for tier rules: whether an active strategic agreement
    covers it and how much of its commitments it has attained (%, the lowest over its active
    agreements with a commitment; None without one). Written each night by the agreements app
    (floor 9, above tiers) through `tiers.facts.agreement_facts_store`; tiers only read it."""

    account = models.OneToOneField(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="agreement_fact",
    )
    strategic_active = models.BooleanField(_("active strategic agreement"), default=False)
    commitment_attained_pct = models.DecimalField(
        _("commitment attained (%)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("agreement fact")
        verbose_name_plural = _("agreement facts")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.strategic_active} / {self.commitment_attained_pct}"
