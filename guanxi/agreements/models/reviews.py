"""Agreement reviews (协议复盘), switching costs (seed 001) and the stored renewal risk.

- `AgreementReview`: a review meeting of an agreement — who attended, the minutes, the decision
  (renew / renegotiate / exit / continue), the NPS the customer gave there and the estimated
  contribution of the period (revenue, margin, rebate).
- `SwitchingCost`: what it would cost the account to leave us, per kind (search, trial and
  learning, relationship, contractual/legal, financial), with a strength 1–5 and the evidence.
- `RenewalRisk`: one row per agreement ending soon, written by the nightly step
  (`renewal.renewal_risk_refresh`) so Today and the report read a stored score, never compute.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.agreements.models.agreement import MONEY, Agreement
from guanxi.contacts.models import Contact


class ReviewDecision(models.TextChoices):
    RENEW = "renew", _("Renew")
    RENEGOTIATE = "renegotiate", _("Renegotiate")
    EXIT = "exit", _("Exit")
    CONTINUE = "continue", _("Continue as is")


class AgreementReview(models.Model):
    """A review of an agreement (协议复盘): minutes, decision, NPS, contribution of the period."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="reviews"
    )
    held_on = models.DateField(_("held on"))
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our attendees"),
        blank=True,
        related_name="agreement_reviews",
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("their attendees"), blank=True, related_name="agreement_reviews"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=12,
        choices=ReviewDecision.choices,
        default=ReviewDecision.CONTINUE,
    )
    nps = models.PositiveSmallIntegerField(
        _("NPS given at the review (0–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    revenue = models.DecimalField(
        _("estimated revenue of the period"), null=True, blank=True, **MONEY
    )
    margin = models.DecimalField(
        _("estimated margin of the period"), null=True, blank=True, **MONEY
    )
    rebate = models.DecimalField(
        _("estimated rebate of the period"), null=True, blank=True, **MONEY
    )
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
        verbose_name = _("agreement review")
        verbose_name_plural = _("agreement reviews")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["agreement", "held_on"], name="agr_review_held")]
        constraints = [
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__lte=10), name="agr_review_nps_0_10"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.held_on}"


class SwitchingCostKind(models.TextChoices):
    # Seed 001: 转换成本 — 搜寻成本、试用/学习成本、关系成本、合同/法律成本、财务成本
    SEARCH = "search", _("Search cost")
    TRIAL_LEARNING = "trial_learning", _("Trial and learning cost")
    RELATIONSHIP = "relationship", _("Relationship cost")
    CONTRACTUAL = "contractual", _("Contractual or legal cost")
    FINANCIAL = "financial", _("Financial cost")


class SwitchingCost(models.Model):
    """One lever that makes leaving us costly for the account, with its strength (1 weak –
    5 strong) and the evidence for it."""

    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="switching_costs",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SwitchingCostKind.choices)
    strength = models.PositiveSmallIntegerField(
        _("strength (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("switching cost")
        verbose_name_plural = _("switching costs")
        ordering = ["account", "kind", "-recorded_at"]
        indexes = [models.Index(fields=["account", "kind"], name="switching_cost_account")]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5), name="switching_cost_strength_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.strength}/5)"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RenewalRisk(models.Model):
    """The renewal risk of an agreement ending soon, as of the last nightly run: the score
    0–100, its level and the terms that make it up (a list of {code, points, out_of, value,
    words}), so a page can say why."""

    agreement = models.OneToOneField(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="renewal_risk",
    )
    score = models.PositiveSmallIntegerField(_("risk score (0–100)"))
    level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices)
    terms = models.JSONField(_("explanation"), default=list, blank=True)
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("renewal risk")
        verbose_name_plural = _("renewal risks")
        ordering = ["-score", "agreement_id"]
        indexes = [models.Index(fields=["level", "score"], name="renewal_risk_level")]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.score} ({self.level})"
