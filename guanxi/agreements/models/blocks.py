"""MICE room blocks (房间保留): the rooms an event contract holds per night, and what the customer
owes when fewer are taken up (attrition).

A block holds rooms on each night (`RoomBlockNight`) at a group rate until the cut-off date; then
the rooms not picked up go back to sale. The attrition allowance is the share of the block the
customer pays for at least (80: pay for 80 % of the contracted room nights); below it the
penalty rule applies: a percentage of the group rate per room night short of the allowance, or
a minimum room revenue. What is picked up is read from the ledger (`agreements.blocks`).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.agreements.models.agreement import MONEY, Agreement
from guanxi.transactions.models import ProductCategory

ROOMS = "rooms"
PERCENT = {
    "max_digits": 5,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
}


def default_rooms_category() -> int | None:
    """The "rooms" product category, where there is one: a block counts room nights."""
    return ProductCategory.objects.filter(code=ROOMS).values_list("pk", flat=True).first()


class PenaltyRule(models.TextChoices):
    PER_ROOM_NIGHT = "per_room_night", _("Share of the group rate per room night short")
    MINIMUM_REVENUE = "minimum_revenue", _("Minimum room revenue")


class RoomBlock(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="room_blocks"
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("rooms category"),
        on_delete=models.PROTECT,
        related_name="+",
        default=default_rooms_category,
        help_text=_("The product category whose room nights count as pickup."),
    )
    group_rate = models.DecimalField(_("group rate (CNY)"), **MONEY)
    cutoff_on = models.DateField(
        _("cut-off date"), help_text=_("Rooms not picked up by then go back to sale.")
    )
    allowance_percent = models.DecimalField(
        _("attrition allowance (%)"),
        default=Decimal(80),
        help_text=_("The share of the block the customer pays for at least: 80 means 80 per cent."),
        **PERCENT,
    )
    penalty_rule = models.CharField(
        _("penalty rule"),
        max_length=20,
        choices=PenaltyRule.choices,
        default=PenaltyRule.PER_ROOM_NIGHT,
    )
    penalty_percent = models.DecimalField(
        # xgettext:no-python-format
        _("penalty (% of the group rate)"),
        default=Decimal(75),
        help_text=_("Charged per room night below the allowance."),
        **PERCENT,
    )
    minimum_revenue = models.DecimalField(
        _("minimum room revenue (CNY)"),
        null=True,
        blank=True,
        help_text=_("For the minimum revenue rule: the room revenue the customer pays at least."),
        **MONEY,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room block")
        verbose_name_plural = _("room blocks")
        ordering = ["agreement", "cutoff_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(group_rate__gte=0), name="room_block_rate_gte_0"),
            models.CheckConstraint(
                condition=Q(allowance_percent__gte=0, allowance_percent__lte=100)
                & Q(penalty_percent__gte=0, penalty_percent__lte=100),
                name="room_block_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoomBlockNight(models.Model):
    """Rooms contracted on one night of the block (the night of a date: its stay night)."""

    block = models.ForeignKey(
        RoomBlock, verbose_name=_("room block"), on_delete=models.CASCADE, related_name="nights"
    )
    night = models.DateField(_("night"))
    rooms = models.PositiveIntegerField(_("rooms contracted"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("block night")
        verbose_name_plural = _("block nights")
        ordering = ["block", "night"]
        constraints = [
            models.UniqueConstraint(fields=["block", "night"], name="uniq_room_block_night")
        ]

    def __str__(self) -> str:
        return f"{self.night:%Y-%m-%d}: {self.rooms}"
