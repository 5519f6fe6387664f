"""Transactions (consumption records / orders) and payments received (回款).

The transaction table is what analytics reads; keep it narrow and well indexed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.core.formatting import localised


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
        return localised(self.name, self.name_en)


class Channel(models.TextChoices):
    DIRECT = "direct", _("Direct sales")
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone / reservation desk")
    WEBSITE = "website", _("Website")
    MINI_PROGRAM = "mini_program", _("WeChat mini-program")
    OTA = "ota", _("OTA")
    TRAVEL_AGENCY = "travel_agency", _("Travel agency")
    OTHER = "other", _("Other")


class TransactionKind(models.TextChoices):
    SALE = "sale", _("Sale")
    REFUND = "refund", pgettext_lazy("ledger line", "Refund / credit note")


class Transaction(models.Model):
    """One line of the ledger: a sale, or a refund (退款 / credit note) of money or units.

    Why a refund is a line of its own kind with a negative amount (and quantity), not a new
    table or a positive amount with a sign flag: every figure built on the ledger is a SUM over
    its lines (the rollups, `AccountMonth`, an agreement's volume and rebate accrual, a
    settlement's base), so a refund counted negative there nets itself out with no second code
    path, on the plain and on the partitioned ledger alike. The kind makes the sign deliberate
    (a negative amount on a sale is refused, by the services, the import and a CHECK) and lets
    the readers that count *purchases* leave refunds out: the transaction counts and first / last
    purchase of the rollups, and the value analysis, which nets a refund into the sale it undoes
    (``refund_of``, else the account's latest sale before it) instead of seeing a purchase.
    ``refund_of`` points at the sale a refund undoes, where the source system says: a refund
    then stays within what that sale left. It has no database constraint (a foreign key to the
    partitioned ledger needs the month in the key); the services check it.
    """

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
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=TransactionKind.choices,
        default=TransactionKind.SALE,
        help_text=_("A refund's amount and quantity are negative: they reduce every total."),
    )
    refund_of = models.ForeignKey(
        "self",
        verbose_name=_("refund of"),
        null=True,
        blank=True,
        # A sale goes only with its refunds (deleted together, as an account's whole ledger);
        # alone it is refused (the services say so first).
        on_delete=models.RESTRICT,
        db_constraint=False,
        related_name="refunds",
        help_text=_("The sale this refund gives money back for, where known."),
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(
        _("cost (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    head_count = models.PositiveIntegerField(_("head count"), null=True, blank=True)
    # Room nights, covers or units: what a volume commitment or a room block may count.
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Room nights, covers or units, where the source system gives them."),
    )
    discount_rate = models.DecimalField(
        _("discount rate"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        # xgettext:no-python-format
        help_text=_("Price paid as a share of list price: 0.85 means 15% off."),
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
            # The list filter's sources (a skip scan, see selectors.ledger_sources) and lists
            # narrowed to one source, newest first.
            models.Index(fields=["source", "occurred_at"], name="tx_source_occurred"),
            # The refunds alone (few): the value analysis nets them into their sales without
            # scanning the ledger for them, and learns in one probe that there are none.
            models.Index(
                fields=["account", "occurred_at"],
                condition=Q(kind="refund"),
                name="tx_refund_account_occurred",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_transaction_external_id_per_source",
            ),
            # A sale's amount is zero or more, a refund's zero or less (the services and the
            # import hold the quantity to the same sign; rows from before the kind existed may
            # have a negative quantity on a sale).
            models.CheckConstraint(
                condition=Q(kind="sale", amount__gte=0) | Q(kind="refund", amount__lte=0),
                name="transaction_amount_sign_by_kind",
            ),
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
        indexes = [
            models.Index(fields=["account", "received_at"]),
            models.Index(fields=["received_at"], name="payment_received"),
            models.Index(fields=["source", "received_at"], name="payment_source_received"),
        ]
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


# --- Per-account rollups of the ledger (kept by transactions.rollups) -------------------------


class AccountLedgerRollup(models.Model):
    """One row per account that has transactions: what the list pages and the dashboard show
    without aggregating the ledger per request. Kept by `transactions.rollups`: every write of
    a transaction (services, the admin form, imports) refreshes its account's row in the same
    database transaction, and the nightly run refreshes every row.

    Exact at any time (every write refreshes them): ``first_purchase_at``,
    ``last_purchase_at``, ``revenue_lifetime``, ``count_lifetime``.
    As of ``as_of`` (the day of the last refresh; the windows slide, so the nightly run
    refreshes them): ``revenue_12m`` / ``count_12m`` (the 365 days before ``as_of``, local
    midnight), ``revenue_year`` (the calendar year of ``as_of``) and ``revenue_month`` (its
    calendar month), in the configured time zone.
    """

    account = models.OneToOneField(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="ledger_rollup",
    )
    as_of = models.DateField(_("as of"))
    revenue_12m = models.DecimalField(
        _("revenue, last 12 months"), max_digits=16, decimal_places=2, default=0
    )
    count_12m = models.PositiveIntegerField(_("transactions, last 12 months"), default=0)
    revenue_year = models.DecimalField(
        _("revenue, this year"), max_digits=16, decimal_places=2, default=0
    )
    revenue_month = models.DecimalField(
        _("revenue, this month"), max_digits=16, decimal_places=2, default=0
    )
    revenue_lifetime = models.DecimalField(
        _("revenue, lifetime"), max_digits=16, decimal_places=2, default=0
    )
    count_lifetime = models.PositiveIntegerField(_("transactions, lifetime"), default=0)
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True)

    class Meta:
        verbose_name = _("account ledger rollup")
        verbose_name_plural = _("account ledger rollups")
        indexes = [
            # The dashboard's top accounts and the account list's sort by 12-month revenue.
            models.Index(fields=["-revenue_12m"], name="tx_rollup_revenue_12m"),
            # The dashboard's dormant accounts.
            models.Index(fields=["last_purchase_at"], name="tx_rollup_last_purchase"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.as_of}"


class AccountMonth(models.Model):
    """The ledger per account, local calendar month (settings.TIME_ZONE) and product category:
    exact at any time (every write of a transaction refreshes its account's months; the nightly
    run rebuilds them all). The attendance sheet's month totals read it."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="ledger_months",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the local month."))
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    revenue = models.DecimalField(_("revenue"), max_digits=16, decimal_places=2, default=0)
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, default=0)
    # revenue − cost over the transactions whose cost is known (`costed` of them)
    margin = models.DecimalField(_("margin"), max_digits=16, decimal_places=2, default=0)
    count = models.PositiveIntegerField(_("transactions"), default=0)
    costed = models.PositiveIntegerField(_("transactions with a cost"), default=0)
    heads = models.PositiveIntegerField(_("head count"), default=0)
    # revenue of the transactions that say how many came (spend per head divides this)
    headed_revenue = models.DecimalField(
        _("revenue with a head count"), max_digits=16, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("account month")
        verbose_name_plural = _("account months")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month", "category"], name="uniq_account_month_category"
            )
        ]
        indexes = [models.Index(fields=["month", "category"], name="tx_month_category")]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.month:%Y-%m} · {self.category_id}"
