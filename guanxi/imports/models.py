"""One row per import run (数据导入记录): who imported what, when, and what happened to each row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import LeasedRun


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", _("Accounts")
    CONTACTS = "contacts", _("Contacts")
    TRANSACTIONS = "transactions", _("Transactions")
    PAYMENTS = "payments", _("Payments")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    PARTIAL = "partial", _("Some rows failed")
    FAILED = "failed", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted")


class ImportRun(LeasedRun):
    # Stored errors are capped so a million bad rows cannot bloat the table; the CLI also writes
    # the complete list to a CSV file (errors_file).
    MAX_STORED_ERRORS = 20_000
    LEASE_NOTE_FIELD = "message"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
        help_text=_("Empty: run by the system from the command line, with full access."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    source = models.CharField(_("source system"), max_length=30, blank=True)
    dry_run = models.BooleanField(_("validate only (dry run)"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    message = models.TextField(
        _("message"), blank=True, help_text=_("Why the whole file was rejected, if it was.")
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    errors = models.JSONField(
        _("row errors"),
        default=list,
        blank=True,
        help_text=_("Line, column, value and reason of every rejected row."),
    )
    errors_file = models.CharField(_("full error report"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.file_name}"

    @property
    def change_reason(self) -> str:
        """What the audit history says about rows this run wrote."""
        return f"import #{self.pk}"
