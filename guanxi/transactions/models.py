"""Transactions (consumption records / orders) and payments received (回款).

The transaction table is what analytics reads; keep it narrow and well indexed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ProductCategory(models.Model):
    """Configurable product category: rooms, F&B, meeting & event space, travel, other."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Channel(models.TextChoices):
    DIRECT = "direct", _("Direct sales")
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone / reservation desk")
    WEBSITE = "website", _("Website")
    MINI_PROGRAM = "mini_program", _("WeChat mini-program")
    OTA = "ota", _("OTA")
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")
    OTHER = "other", _("Other")


class Transaction(models.Model):
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transactions",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(
        _("cost (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    head_count = models.PositiveIntegerField(_("head count"), null=True, blank=True)
    discount_rate = models.DecimalField(
        _("discount rate"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        # xgettext:no-python-format
        help_text=_("Price paid as a share of list price: 0.85 means 15% off (8.5折)."),
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.DIRECT
    )
    source = models.CharField(
        _("source system"),
        max_length=30,
        default="manual",
        help_text=_(
            "Where the record came from (PMS, POS, manual…); external ids are unique per source."
        ),
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["account", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_transaction_external_id_per_source",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="transaction_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="transaction_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__isnull=True)
                | Q(discount_rate__gt=0, discount_rate__lte=1),
                name="transaction_discount_rate_in_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.category} · ¥{self.amount}"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class Payment(models.Model):
    """Money received from an account (回款单)."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    received_at = models.DateTimeField(_("received at"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    method = models.CharField(
        _("method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    reference = models.CharField(_("reference / invoice no."), max_length=100, blank=True)
    source = models.CharField(_("source system"), max_length=30, default="manual")
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["account", "received_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_payment_external_id_per_source",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · ¥{self.amount}"
