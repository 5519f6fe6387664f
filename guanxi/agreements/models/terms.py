"""The terms an agreement binds the account to: volume commitments (承诺量).

A commitment counts amount (CNY) or quantity (room nights, covers, units: `Transaction.quantity`)
of the covered accounts in some product categories (none chosen = every category) over a
period, by default the agreement's own; a three-year frame may carry one commitment per year.
`guanxi.agreements.performance` reads actuals, pace and projection against them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.agreements.models.agreement import MONEY, Agreement
from guanxi.transactions.models import ProductCategory


class VolumeBasis(models.TextChoices):
    """What a commitment or a rebate schedule counts."""

    AMOUNT = "amount", _("Amount (CNY)")
    QUANTITY = "quantity", _("Quantity (room nights, covers, units)")


class VolumeCommitment(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    categories = models.ManyToManyField(
        ProductCategory,
        verbose_name=_("categories"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty to count every category."),
    )
    basis = models.CharField(
        _("basis"), max_length=10, choices=VolumeBasis.choices, default=VolumeBasis.AMOUNT
    )
    unit = models.CharField(
        _("unit"),
        max_length=30,
        blank=True,
        help_text=_("What a quantity counts, e.g. room nights or covers."),
    )
    committed = models.DecimalField(_("committed volume"), **MONEY)
    # Empty: the agreement's own period.
    starts_on = models.DateField(_("period starts on"), null=True, blank=True)
    ends_on = models.DateField(_("period ends on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volume commitment")
        verbose_name_plural = _("volume commitments")
        ordering = ["agreement", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(committed__gt=0), name="commitment_committed_gt_0"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="commitment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        start, end = self.period
        return f"{self.agreement} · {self.committed} · {start:%Y-%m-%d}–{end:%Y-%m-%d}"

    @property
    def period(self) -> tuple[dt.date, dt.date]:
        """First and last day (both counted), the agreement's where left empty."""
        return (
            self.starts_on or self.agreement.starts_on,
            self.ends_on or self.agreement.ends_on,
        )
