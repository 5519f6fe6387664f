"""Warning lights (警报客户, seed 004), the loyalty matrix (seed 001) and referrals (转介绍).

- `LightRule`: a rule as data — one of a fixed set of evaluators (`RuleKind`), its parameters,
  the colour it raises (yellow or red), a zh and an en name, active or not.
- `AccountLight`: a light raised on an account by a rule, with the facts of its reason (so the
  reason reads in either language), when it was raised and cleared, its status (open →
  acknowledged → resolved), the KAM's feedback (销售经理情况反馈) and the company's
  countermeasure (对策). A light clears itself when its reason goes; the row stays as history.
- `AccountLoyalty`: the loyalty cell of an account as of the last nightly run: behavioural
  loyalty (repeat purchases, P(alive)) × attitudinal loyalty (latest NPS / CSAT / SERVQUAL) →
  不忠诚 / 虚假忠诚 / 潜在忠诚 / 真正忠诚, or "no survey yet" (never guessed).
- `LoyaltyThresholds`: the cut-offs of the matrix (one row, managers edit, history kept).
- `Referral`: who referred whom — a contact or an account → a new account or a lead.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.leads.models import Lead


class RuleKind(models.TextChoices):
    """The evaluators a light rule can use (the fixed set; their parameters are data)."""

    PALIVE_DROP = "palive_drop", _("P(alive) fallen since the previous analysis")
    SPEND_DROP = "spend_drop", _("Spend down on the same months last year")
    CHAMPION_GONE = "champion_gone", _("Champion gone")
    COMPLAINT_OVERDUE = "complaint_overdue", _("Complaint past its SLA")
    DETRACTOR = "detractor", _("Detractor score")
    NO_VISIT_AFTER_FAILURE = "no_visit_after_failure", _("No visit after a service failure")


class LightColour(models.TextChoices):
    YELLOW = "yellow", _("Yellow")  # 黄灯
    RED = "red", _("Red")  # 红灯


#: The default parameters of each evaluator (a rule's own parameters override them).
DEFAULT_PARAMS: dict[str, dict] = {
    RuleKind.PALIVE_DROP: {"ratio": 0.5, "min_previous": 0.2},
    RuleKind.SPEND_DROP: {"drop_pct": 50, "months": 3, "min_last_year": 1000},
    RuleKind.CHAMPION_GONE: {},
    RuleKind.COMPLAINT_OVERDUE: {},
    RuleKind.DETRACTOR: {"max_score": 6, "within_days": 365},
    RuleKind.NO_VISIT_AFTER_FAILURE: {"within_days": 60, "grace_days": 7},
}


class LightRule(models.Model):
    """A warning-light rule: which evaluator, with what parameters, raising which colour."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("evaluator"), max_length=30, choices=RuleKind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    colour = models.CharField(_("colour"), max_length=6, choices=LightColour.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warning-light rule")
        verbose_name_plural = _("warning-light rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language."""
        english = (get_language() or "").startswith("en")
        return (self.name_en if english else self.name) or self.name or self.name_en

    def param(self, key: str):
        """A parameter of the rule, or the evaluator's default."""
        if key in (self.params or {}):
            return self.params[key]
        return DEFAULT_PARAMS.get(self.kind, {}).get(key)


class LightStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class AccountLight(models.Model):
    """A warning light on an account (警报客户管理表 row). `cleared_at` is set when the reason is
    gone; at most one uncleared light per account and rule."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="lights"
    )
    rule = models.ForeignKey(
        LightRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="lights"
    )
    colour = models.CharField(_("colour"), max_length=6, choices=LightColour.choices)
    # The facts of the reason (numbers, dates, names), rendered in words by `lights.reason_words`.
    facts = models.JSONField(_("facts of the reason"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    last_seen_on = models.DateField(_("last confirmed on"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=LightStatus.choices, default=LightStatus.OPEN
    )
    kam_feedback = models.TextField(_("KAM's feedback"), blank=True)  # 销售经理情况反馈
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("feedback by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    countermeasure = models.TextField(_("countermeasure"), blank=True)  # 对策
    countermeasure_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("countermeasure by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    countermeasure_at = models.DateTimeField(_("countermeasure at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warning light")
        verbose_name_plural = _("warning lights")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["account", "cleared_at"], name="light_account_cleared"),
            # The lists' order (lit first, red first, newest first): a page of 50 of 55,000 lit
            # lights reads 50 index entries instead of sorting them all (304 → 2 ms).
            models.Index(
                fields=["cleared_at", "colour", "-raised_at", "-id"], name="light_list_order"
            ),
            models.Index(fields=["status", "raised_at"], name="light_status_raised"),
            models.Index(fields=["rule", "cleared_at"], name="light_rule_cleared"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "rule"],
                condition=Q(cleared_at__isnull=True),
                name="uniq_open_light_per_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.rule} · {self.get_colour_display()}"

    @property
    def is_lit(self) -> bool:
        return self.cleared_at is None


class BehaviouralLoyalty(models.TextChoices):
    HIGH = "high", _("High")
    LOW = "low", _("Low")


class LoyaltyCell(models.TextChoices):
    # Seed 001: 四种类型的客户 — 不忠诚者、虚假忠诚者、潜在忠诚者、真正的忠诚者
    NONE = "none", _("No loyalty")  # 不忠诚: low behaviour, low attitude
    SPURIOUS = "spurious", _("Spurious loyalty")  # 虚假忠诚: high behaviour, low attitude
    LATENT = "latent", _("Latent loyalty")  # 潜在忠诚: low behaviour, high attitude
    TRUE = "true", _("True loyalty")  # 真正忠诚: high behaviour, high attitude
    NO_SURVEY = "no_survey", _("No survey yet")


class AttitudeSource(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    SERVQUAL = "servqual", "SERVQUAL"


class AccountLoyalty(models.Model):
    """The loyalty cell of an account as of the last nightly run (pages read this table)."""

    account = models.OneToOneField(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="loyalty"
    )
    behavioural = models.CharField(
        _("behavioural loyalty"), max_length=4, choices=BehaviouralLoyalty.choices
    )
    repeat_purchases = models.PositiveIntegerField(_("repeat purchases"), default=0)
    p_alive = models.FloatField(_("probability alive"), null=True, blank=True)
    attitudinal_high = models.BooleanField(_("attitudinal loyalty high"), null=True, blank=True)
    attitude_source = models.CharField(
        _("attitude from"), max_length=8, choices=AttitudeSource.choices, blank=True
    )
    attitude_value = models.FloatField(_("attitude score"), null=True, blank=True)
    attitude_on = models.DateField(_("surveyed on"), null=True, blank=True)
    cell = models.CharField(_("loyalty"), max_length=10, choices=LoyaltyCell.choices)
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("account loyalty")
        verbose_name_plural = _("account loyalty")
        ordering = ["account_id"]
        indexes = [models.Index(fields=["cell", "account"], name="loyalty_cell_account")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.cell}"


class LoyaltyThresholds(models.Model):
    """Where the loyalty matrix cuts (one row, managers edit, every change kept): behavioural
    loyalty is high with at least ``behaviour_min_repeats`` repeat purchases and a P(alive) of
    at least ``behaviour_min_p_alive``; attitudinal loyalty is high with a latest NPS, else CSAT,
    else SERVQUAL gap at or above its cut-off. The nightly `loyalty_matrix` step reads them."""

    behaviour_min_repeats = models.PositiveSmallIntegerField(
        _("repeat purchases for high behavioural loyalty"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("At least this many purchases after the first one."),
    )
    behaviour_min_p_alive = models.DecimalField(
        _("P(alive) for high behavioural loyalty"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("At least this probability (0–1) that the account still buys."),
    )
    attitude_high_nps = models.PositiveSmallIntegerField(
        _("NPS for high attitudinal loyalty"),
        default=9,
        validators=[MaxValueValidator(10)],
        help_text=_("A latest NPS answer (0–10) at least this high; 9 is a promoter."),
    )
    attitude_high_csat = models.DecimalField(
        _("CSAT for high attitudinal loyalty"),
        max_digits=2,
        decimal_places=1,
        default=Decimal("4.0"),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(5))],
        help_text=_("Without an NPS: a latest CSAT (1–5) at least this high."),
    )
    attitude_high_servqual_gap = models.DecimalField(
        _("SERVQUAL gap for high attitudinal loyalty"),
        max_digits=2,
        decimal_places=1,
        default=Decimal("0.0"),
        validators=[MinValueValidator(Decimal(-6)), MaxValueValidator(Decimal(6))],
        help_text=_("Without NPS or CSAT: a SERVQUAL gap (perceived − expected) at least this."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loyalty matrix thresholds")
        verbose_name_plural = _("loyalty matrix thresholds")

    def __str__(self) -> str:
        return str(_("Loyalty matrix thresholds"))

    @classmethod
    def current(cls) -> LoyaltyThresholds:
        """The one row; created with the defaults the first time it is asked for."""
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()


class Referral(models.Model):
    """A referral (转介绍): a contact or an account brought us a new account or a lead."""

    referrer_contact = models.ForeignKey(
        Contact,
        verbose_name=_("referred by (contact)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    referrer_account = models.ForeignKey(
        Account,
        verbose_name=_("referred by (account)"),
        on_delete=models.CASCADE,
        related_name="referrals_made",
        help_text=_("The account of the referring contact, or the referring account itself."),
    )
    referred_account = models.ForeignKey(
        Account,
        verbose_name=_("referred account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals_received",
    )
    referred_lead = models.ForeignKey(
        Lead,
        verbose_name=_("referred lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals_received",
    )
    referred_on = models.DateField(_("referred on"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["referrer_account", "referred_on"], name="referral_referrer"),
            models.Index(fields=["referred_account"], name="referral_referred"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(referred_account__isnull=False) | Q(referred_lead__isnull=False),
                name="referral_names_who_was_referred",
            ),
            models.CheckConstraint(
                condition=Q(referred_account__isnull=True)
                | ~Q(referred_account=models.F("referrer_account")),
                name="referral_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_account_id} → {self.referred_account_id or self.referred_lead_id}"


class ReferralAsk(models.Model):
    """We asked a promoter's account for a referral (a task for its KAM, made by the nightly
    `referral_asks` step or recorded by hand): no new ask for the same account within
    ``GUANXI_REFERRAL_ASK_MONTHS``."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="referral_asks"
    )
    asked_on = models.DateField(_("asked on"))
    nps = models.PositiveSmallIntegerField(_("NPS that prompted it"), null=True, blank=True)
    task = models.ForeignKey(
        "activities.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("referral ask")
        verbose_name_plural = _("referral asks")
        ordering = ["-asked_on", "-id"]
        indexes = [models.Index(fields=["account", "asked_on"], name="referral_ask_account")]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.asked_on}"
