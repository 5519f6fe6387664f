"""The agreement: what binds an account to us, for how long, and what it covers.

A group's agreement may cover some of its subsidiaries: they are chosen one by one
(`covered_accounts`), never implied, so a sister company outside the agreement is not counted.
Status runs draft → negotiating → active → expired / terminated / renewed; a renewed agreement
names its successor. Every change of an active agreement is an `Amendment` (a version: what
changed, when, by whom); `history` keeps the field-level audit as on every other record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.leads.models import ListEntry

MONEY = {"max_digits": 14, "decimal_places": 2}


class AgreementKind(models.TextChoices):
    FRAMEWORK = "framework", _("Framework agreement")  # 框架协议
    ANNUAL_FRAME = "annual_frame", _("Annual frame agreement")  # 年框
    NEGOTIATED_RATE = "negotiated_rate", _("Negotiated rate (LNR)")  # 协议价
    REBATE = "rebate", _("Rebate agreement")  # 返点协议
    STRATEGIC = "strategic", _("Strategic agreement")  # 战略协议
    MICE = "mice", _("MICE event contract")  # 会议活动合同（含房间保留）


class AgreementType(ListEntry):
    BUILTIN = AgreementKind

    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)

    class Meta(ListEntry.Meta):
        verbose_name = _("agreement type")
        verbose_name_plural = _("agreement types")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATING = "negotiating", _("Negotiating")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    RENEWED = "renewed", _("Renewed")


class ReviewCadence(models.TextChoices):
    NONE = "none", _("No regular review")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


class Agreement(models.Model):
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    agreement_type = models.ForeignKey(
        AgreementType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="agreements"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="agreements"
    )
    # A group's agreement covers the subsidiaries chosen here, and only those.
    covered_accounts = models.ManyToManyField(
        Account,
        verbose_name=_("subsidiaries covered"),
        blank=True,
        related_name="covering_agreements",
        help_text=_("Subsidiaries of the account that this agreement also covers."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    our_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our signer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements_signed",
    )
    their_signers = models.ManyToManyField(
        Contact, verbose_name=_("their signers"), blank=True, related_name="agreements_signed"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for termination"), max_length=300, blank=True)
    successor = models.OneToOneField(
        "self",
        verbose_name=_("renewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessor",
    )
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=90)
    renewal_date = models.DateField(
        _("renewal date"),
        null=True,
        blank=True,
        help_text=_("When renewal must be settled; the end date less the notice period if empty."),
    )
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    review_cadence = models.CharField(
        _("review cadence"),
        max_length=12,
        choices=ReviewCadence.choices,
        default=ReviewCadence.QUARTERLY,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["status", "ends_on"], name="agreement_status_end"),
            models.Index(fields=["account", "status"], name="agreement_account_status"),
            models.Index(fields=["owner", "status"], name="agreement_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AgreementDocument(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    # Stored under the data directory (MEDIA_ROOT = DATA_DIR/media).
    file = models.FileField(_("file"), upload_to="agreements/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class Amendment(models.Model):
    """One version of an agreement after a change: what changed (field → [before, after])."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="amendments"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    summary = models.CharField(_("summary"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    effective_on = models.DateField(_("effective on"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["agreement", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version"], name="uniq_amendment_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.summary}"
