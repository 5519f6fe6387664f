"""Candidate duplicates (C14 数据清洗): pairs of accounts or of contacts that look like one
customer twice, found by the job (`finder`), reviewed by managers in the queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    ACCOUNT = "account", _("Accounts")
    CONTACT = "contact", _("Contacts")


class Status(models.TextChoices):
    OPEN = "open", _("To review")
    DISMISSED = "dismissed", _("Not a duplicate")
    LINKED = "linked", _("Linked as subsidiary")


class Candidate(models.Model):
    """One pair, the lower id first (``a`` < ``b``). A dismissed pair stays, so the job never
    proposes it again; a merged one goes with the record the merge removes (cascade)."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    account_a = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account_b = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact_a = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact_b = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    #: [[code, params], …] (`matching.explain` puts them in words).
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    found_at = models.DateTimeField(_("found at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        constraints = [
            models.UniqueConstraint(fields=["account_a", "account_b"], name="dup_account_pair"),
            models.UniqueConstraint(fields=["contact_a", "contact_b"], name="dup_contact_pair"),
        ]
        indexes = [models.Index(fields=["kind", "status", "-score"], name="dup_queue")]

    def __str__(self) -> str:
        a, b = (
            (self.account_a, self.account_b)
            if self.kind == Kind.ACCOUNT
            else (self.contact_a, self.contact_b)
        )
        return f"{a} ≈ {b}"
