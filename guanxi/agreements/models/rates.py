"""Negotiated rates (协议价) and the reviews of sales priced off them.

A rate binds one product category of an agreement, optionally one room type or package (a label
for people: a category may carry several rates, and a sale is on the agreement when it matches
any of them). Its basis is a price per unit (the sale's amount ÷ quantity: room nights, covers,
units) or a discount rate (the sale's share of list price, 0.85 = 15 % off). A sale of a covered
account in the category, on a day the agreement is in force, that differs from every rate by
more than the tolerance is held for review (`RateReview`), as a discount below the tier floor is.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.agreements.models.agreement import Agreement
from guanxi.transactions.models import ProductCategory


class RateBasis(models.TextChoices):
    UNIT_PRICE = "unit_price", _("Price per unit")
    DISCOUNT = "discount", _("Discount rate")


class NegotiatedRate(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="rates"
    )
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("product category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(
        _("room type or package"),
        max_length=100,
        blank=True,
        help_text=_("Optional: the room type or package this rate is for."),
    )
    basis = models.CharField(
        _("rate basis"), max_length=12, choices=RateBasis.choices, default=RateBasis.UNIT_PRICE
    )
    value = models.DecimalField(
        _("rate"),
        max_digits=14,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0"))],
        # xgettext:no-python-format
        help_text=_("Price per unit in yuan, or the share of list price paid (0.85 = 15% off)."),
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=14,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("How far a sale may be from the rate, in the rate's own unit, unflagged."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("negotiated rate")
        verbose_name_plural = _("negotiated rates")
        ordering = ["agreement", "category", "label", "id"]
        indexes = [models.Index(fields=["category", "agreement"], name="rate_category_agreement")]

    def __str__(self) -> str:
        label = f" {self.label}" if self.label else ""
        return f"{self.category}{label}: {self.value}"

    def matches(self, actual: Decimal) -> bool:
        """Whether `actual` (in this rate's unit) is within the tolerance of the rate."""
        return abs(actual - self.value) <= self.tolerance


class RateReviewStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    CORRECTED = "corrected", _("To be corrected")


class RateReview(models.Model):
    """A sale priced off an agreement's negotiated rate, held for a manager's decision."""

    transaction = models.ForeignKey(
        "transactions.Transaction",
        verbose_name=_("transaction"),
        on_delete=models.CASCADE,
        related_name="rate_reviews",
    )
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    rate = models.ForeignKey(
        NegotiatedRate,
        verbose_name=_("negotiated rate"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    basis = models.CharField(_("rate basis"), max_length=12, choices=RateBasis.choices)
    expected = models.DecimalField(_("agreed"), max_digits=14, decimal_places=3)
    actual = models.DecimalField(_("charged"), max_digits=14, decimal_places=3)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RateReviewStatus.choices,
        default=RateReviewStatus.OPEN,
    )
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("off-rate review")
        verbose_name_plural = _("off-rate reviews")
        ordering = ["-flagged_at", "-id"]
        indexes = [
            models.Index(fields=["status", "flagged_at"], name="ratereview_status_flagged"),
            models.Index(fields=["account", "status"], name="ratereview_account_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "agreement"], name="uniq_ratereview_transaction_agreement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.actual} ≠ {self.expected}"
