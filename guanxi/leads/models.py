"""Leads (线索) and their qualification (seed 003: 潜在客户特质 有购买力、有决定权、有购买需求).

A `Lead` is a company and a person not yet (or not yet known to be) a customer, with where it
came from (`LeadSource`, data: BD cold calls, exhibitions 会展资源, content marketing, referral,
OTA, website, walk-in) and the MAN checklist (money, authority, need) with evidence. A lead is
qualified only when all three are met; disqualified with a reason from a list
(`DisqualifyReason`); converted into an account, a contact and an opportunity in one step
(`pipeline.services.lead_convert`), attached to what already exists instead of a second copy.

Lists kept as data (`ListEntry`): a built-in entry has a `builtin` key and no name, so it shows
in the reader's language; an entry a manager adds has a name of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account, Industry
from guanxi.contacts.models import Contact


class ListEntry(models.Model):
    """An entry of a list kept as data, built in (translated by its key) or named by a manager."""

    #: Built-in keys and their labels; a subclass sets it to a TextChoices class.
    BUILTIN: type[models.TextChoices] | None = None

    builtin = models.CharField(_("built-in entry"), max_length=30, blank=True, editable=False)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Leave empty for a built-in entry.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        if self.name or self.BUILTIN is None or not self.builtin:
            return self.name
        return str(self.BUILTIN(self.builtin).label)


class SourceKind(models.TextChoices):
    BD = "bd", _("BD cold call")
    EXHIBITION = "exhibition", _("Exhibition or trade show")
    CONTENT = "content", _("Content marketing")
    REFERRAL = "referral", _("Referral")
    OTA = "ota", _("OTA")
    WEBSITE = "website", _("Website")
    WALK_IN = "walk_in", _("Walk-in")
    OTHER = "other", _("Other")


class LeadSource(ListEntry):
    BUILTIN = SourceKind

    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)

    class Meta(ListEntry.Meta):
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")


class DisqualifyKind(models.TextChoices):
    NO_BUDGET = "no_budget", _("No budget")
    NO_AUTHORITY = "no_authority", _("Cannot reach who decides")
    NO_NEED = "no_need", _("No need for what we offer")
    COMPETITOR = "competitor", _("Tied to a competitor")
    UNREACHABLE = "unreachable", _("Unreachable")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class DisqualifyReason(ListEntry):
    BUILTIN = DisqualifyKind

    class Meta(ListEntry.Meta):
        verbose_name = _("disqualification reason")
        verbose_name_plural = _("disqualification reasons")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class Answer(models.TextChoices):
    UNKNOWN = "", _("Not known yet")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Lead(models.Model):
    company = models.CharField(_("company"), max_length=200, db_index=True)
    person_name = models.CharField(_("contact person"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    source = models.ForeignKey(
        LeadSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="leads"
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    # A referral names who referred (转介绍): an account, a person there, or both.
    referred_by_account = models.ForeignKey(
        Account,
        verbose_name=_("referred by (account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_leads",
    )
    referred_by_contact = models.ForeignKey(
        Contact,
        verbose_name=_("referred by (person)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_leads",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="leads",
    )
    # The team sees its leads; kept from the owner's team when the lead is saved.
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    status = models.CharField(
        _("status"), max_length=15, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    # MAN: money (有购买力), authority (有决定权), need (有购买需求), each with its evidence.
    money = models.CharField(
        _("has the money"), max_length=3, choices=Answer.choices, blank=True, default=""
    )
    money_evidence = models.TextField(_("evidence of money"), blank=True)
    authority = models.CharField(
        _("can decide"), max_length=3, choices=Answer.choices, blank=True, default=""
    )
    authority_evidence = models.TextField(_("evidence of authority"), blank=True)
    need = models.CharField(
        _("has a need"), max_length=3, choices=Answer.choices, blank=True, default=""
    )
    need_evidence = models.TextField(_("evidence of need"), blank=True)
    disqualify_reason = models.ForeignKey(
        DisqualifyReason,
        verbose_name=_("disqualification reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    disqualify_note = models.TextField(_("disqualification note"), blank=True)
    # What the lead became: the account and contact it was converted into or attached to.
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at"], name="lead_owner_status"),
            models.Index(fields=["team", "status", "-created_at"], name="lead_team_status"),
            models.Index(fields=["status", "-created_at"], name="lead_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.DISQUALIFIED) | Q(disqualify_reason__isnull=False),
                name="lead_disqualified_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=LeadStatus.CONVERTED) | Q(account__isnull=False),
                name="lead_converted_has_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.person_name}" if self.person_name else self.company

    @property
    def man_met(self) -> bool:
        return self.money == self.authority == self.need == Answer.YES


# --- Key-account selection (选择标准) ----------------------------------------------------------


class CriterionKey(models.TextChoices):
    """The built-in criteria. Qualitative ones are scored 1–5 by the KAM; quantitative ones are
    read from the data and mapped to 1–5 (`leads.selection`)."""

    WILLINGNESS = "willingness", _("Willingness to cooperate")
    POTENTIAL = "potential", _("Development potential")
    STRATEGIC = "strategic", _("Strategic importance")
    SOCIAL_VALUE = "social_value", _("Social value (how many know or depend on them)")
    ANNUAL_SALES = "annual_sales", _("Annual sales")
    SCALE = "scale", _("Scale")
    REVENUE_12M = "revenue_12m", _("Revenue with us, last 12 months")
    CLV = "clv", _("Customer lifetime value")
    P_ALIVE = "p_alive", _("Probability still active")
    SATISFACTION = "satisfaction", _("Satisfaction")


class CriterionKind(models.TextChoices):
    QUALITATIVE = "qualitative", _("Scored by the KAM")
    QUANTITATIVE = "quantitative", _("Read from the data")


class SelectionCriterion(ListEntry):
    """A criterion of the selection score and its weight (managers edit both; a criterion a
    manager adds is qualitative, scored by the KAM)."""

    BUILTIN = CriterionKey

    kind = models.CharField(
        _("kind"), max_length=15, choices=CriterionKind.choices, default=CriterionKind.QUALITATIVE
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("How much the criterion counts in the total (0–10).")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta(ListEntry.Meta):
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__lte=10), name="criterion_weight_max_10")
        ]

    @property
    def key(self) -> str:
        return self.builtin or f"c{self.pk}"


class SelectionAssessment(models.Model):
    """One assessment of an account against the criteria: who, when, every term (value read or
    given, its 1–5 score, weight and note) and the weighted total, stored so the ranking reads
    rows, not the ledger. Each assessment is a new row; the newest per account is `is_latest`."""

    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="selection_assessments",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    total = models.DecimalField(_("total score"), max_digits=4, decimal_places=2)
    value_score = models.DecimalField(
        _("value and potential"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    terms = models.JSONField(_("terms"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    is_latest = models.BooleanField(_("latest"), default=True)

    class Meta:
        verbose_name = _("selection assessment")
        verbose_name_plural = _("selection assessments")
        ordering = ["-assessed_at", "-id"]
        indexes = [
            # The ranking: the latest assessment of each account, best first.
            models.Index(fields=["is_latest", "-total", "account"], name="selection_rank"),
            models.Index(fields=["account", "-assessed_at"], name="selection_account_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_latest=True), name="selection_one_latest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.total}"
