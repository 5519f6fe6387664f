"""Touchpoints (客户接触点): what happened with a customer — a call, a visit, a gift, a banquet.

The touchpoint ledger sits low in the house: the value analysis (cost to serve), the tier
metrics and the relationship map read it, and the tasks of `guanxi.activities` point at the
touchpoint that fulfilled them (`Task.touchpoint`), never the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account

MONEY = {"max_digits": 14, "decimal_places": 2}


class TouchpointKind(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("In-person visit")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat message")
    MINI_PROGRAM = "mini_program", _("Mini-program interaction")
    EVENT = "event", _("Event")
    BANQUET = "banquet", _("Banquet")
    GIFT = "gift", _("Gift")
    GREETING = "greeting", _("Greeting on arrival")
    TRIP = "trip", _("Trip")
    GROUP_INVITE = "group_invite", _("Group invitation")
    OTHER = "other", _("Other")


class Touchpoint(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="touchpoints"
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", verbose_name=_("contacts"), blank=True, related_name="touchpoints"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TouchpointKind.choices)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="touchpoints",
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cost = models.DecimalField(
        _("cost (CNY)"),
        null=True,
        blank=True,
        help_text=_("What this cost us (gift, banquet, trip): counted as cost to serve."),
        **MONEY,
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(
                fields=["account", "kind", "occurred_at"], name="touchpoint_account_kind_at"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="touchpoint_cost_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"


class ServeCostKind(models.TextChoices):
    REBATE = "rebate", _("Rebate accrued")
    COMPENSATION = "compensation", _("Service compensation")  # 客诉补偿


class ServeCost(models.Model):
    """A cost to serve that is not a touchpoint, posted by the app that knows it (the rebate an
    agreement has earned so far, kept by `guanxi.agreements`; the compensation paid on a service
    case, kept by `guanxi.service`): one row per account, kind and
    source ``reference``, replaced whole when the source recomputes it."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="serve_costs"
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=ServeCostKind.choices)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    reference = models.CharField(_("reference"), max_length=100)

    class Meta:
        verbose_name = _("cost to serve")
        verbose_name_plural = _("costs to serve")
        ordering = ["-day"]
        indexes = [models.Index(fields=["day"], name="serve_cost_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "reference", "account"], name="uniq_serve_cost_source"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="serve_cost_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_kind_display()} · ¥{self.amount}"
