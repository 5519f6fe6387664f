"""Rebates (返点): schedules with brackets, their settlements and the payments made.

A schedule counts amount or quantity of the covered accounts in its categories over its rebate
period (the agreement's by default; one schedule per year for a multi-year frame). Brackets
start at a volume (the first at 0) and carry a rate in percent: **retroactive** pays the whole
volume at the bracket reached, **incremental** each slice at its own rate. A settlement at the
end of a quarter, half-year or year pays the rebate on the cumulative volume of the period to
its end less what earlier settlements of the same period already settled, so a second (or a
corrected) settlement pays only the difference. Settlements go draft → confirmed → paid.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.agreements.models.agreement import MONEY, Agreement
from guanxi.agreements.models.terms import VolumeBasis
from guanxi.transactions.models import ProductCategory


class RebateMethod(models.TextChoices):
    RETROACTIVE = "retroactive", _("Retroactive (whole volume at the bracket reached)")
    INCREMENTAL = "incremental", _("Incremental (each slice at its own rate)")


class SettlementFrequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class RebateSchedule(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="rebate_schedules",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    basis = models.CharField(
        _("basis"), max_length=10, choices=VolumeBasis.choices, default=VolumeBasis.AMOUNT
    )
    method = models.CharField(
        _("method"), max_length=12, choices=RebateMethod.choices, default=RebateMethod.RETROACTIVE
    )
    categories = models.ManyToManyField(
        ProductCategory,
        verbose_name=_("categories"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty to count every category."),
    )
    frequency = models.CharField(
        _("settlement frequency"),
        max_length=12,
        choices=SettlementFrequency.choices,
        default=SettlementFrequency.QUARTERLY,
    )
    # Empty: the agreement's own period.
    starts_on = models.DateField(_("rebate period starts on"), null=True, blank=True)
    ends_on = models.DateField(_("rebate period ends on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rebate schedule")
        verbose_name_plural = _("rebate schedules")
        ordering = ["agreement", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="rebate_schedule_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.agreement)

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """First and last day of the rebate period (the agreement's where left empty)."""
        return (
            self.starts_on or self.agreement.starts_on,
            self.ends_on or self.agreement.ends_on,
        )


class RebateBracket(models.Model):
    schedule = models.ForeignKey(
        RebateSchedule,
        verbose_name=_("rebate schedule"),
        on_delete=models.CASCADE,
        related_name="brackets",
    )
    from_value = models.DecimalField(_("from volume"), **MONEY)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("rebate bracket")
        verbose_name_plural = _("rebate brackets")
        ordering = ["schedule", "from_value"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "from_value"], name="uniq_bracket_start"),
            models.CheckConstraint(condition=Q(from_value__gte=0), name="bracket_from_gte_0"),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100), name="bracket_rate_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.from_value}: {self.rate} %"


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid")
    # A claw-back (amount due below zero) not recovered when the next settlement is drawn up:
    # what is left of it is netted there.
    CARRIED = "carried", _("Carried forward")


class RebateSettlement(models.Model):
    """A settlement statement (返点结算单): the period to date, its volume and rebate, what
    earlier settlements of the same period settled and what is due now."""

    schedule = models.ForeignKey(
        RebateSchedule,
        verbose_name=_("rebate schedule"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("settled up to"))
    volume = models.DecimalField(_("volume to date"), **MONEY)
    rebate = models.DecimalField(_("rebate on the volume"), **MONEY)
    already_settled = models.DecimalField(_("already settled"), **MONEY)
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    # The brackets as applied: [{"low", "high", "rate", "volume", "rebate", "reached"}, …]
    lines = models.JSONField(_("rebate by bracket"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SettlementStatus.choices,
        default=SettlementStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn up by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drawn up at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rebate settlement")
        verbose_name_plural = _("rebate settlements")
        ordering = ["schedule", "-period_end", "-id"]
        indexes = [models.Index(fields=["schedule", "status"], name="settlement_schedule_status")]

    def __str__(self) -> str:
        return f"{self.schedule} · {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class RebatePayment(models.Model):
    settlement = models.ForeignKey(
        RebateSettlement,
        verbose_name=_("settlement"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rebate payment")
        verbose_name_plural = _("rebate payments")
        ordering = ["settlement", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rebate_payment_amount_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.paid_on:%Y-%m-%d} · ¥{self.amount}"
