"""A merge of two accounts or two contacts (C14, issue 17), recorded so it can be undone.

The record keeps plain ids, not foreign keys: the merged-away record is gone, and a foreign key to
the survivor would itself be re-pointed by a later merge of the survivor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MergeKind(models.TextChoices):
    ACCOUNT = "account", _("Accounts")
    CONTACT = "contact", _("Contacts")


class Merge(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=MergeKind.choices)
    keep_id = models.BigIntegerField(_("survivor id"), db_index=True)
    other_id = models.BigIntegerField(_("merged-away id"), db_index=True)
    keep_label = models.CharField(_("survivor"), max_length=250)
    other_label = models.CharField(_("merged-away record"), max_length=250)
    #: field name → "keep" or "other": whose value the survivor has after the merge
    choices = models.JSONField(_("field choices"), default=dict, blank=True)
    #: attname → [value before, value after] of the survivor's fields the merge changed
    changed = models.JSONField(_("survivor's changed fields"), default=dict, blank=True)
    #: every re-pointed row: {"model", "field", "to" (the model it points at), "old", "new", "pks"}
    moves = models.JSONField(_("moved rows"), default=list, blank=True)
    #: every uniqueness clash and how it was resolved: {"model", "kept", "folded", "why"}
    clashes = models.JSONField(_("clash resolutions"), default=list, blank=True)
    #: snapshots of every deleted row, in the order deleted (the merged-away record last)
    deleted = models.JSONField(_("deleted rows"), default=list, blank=True)
    #: snapshots of the survivor's derived rows (rollups) before they were recomputed
    derived = models.JSONField(_("derived rows before"), default=list, blank=True)
    alias_code = models.CharField(_("alias kept"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "keep_id"])]

    def __str__(self) -> str:
        return f"{self.other_label} → {self.keep_label}"
