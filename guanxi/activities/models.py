"""Tasks (待办): what should happen with a customer, with a due date and an assignee.

A `Touchpoint` (`guanxi.touchpoints`) is something that happened; a task points at the touchpoint
that fulfilled it. Policy tasks are owned by the policy engine: it creates, reschedules and
cancels them; logging the matching touchpoint completes them. Cadence is measured from the last
real touchpoint, never from the task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import Account
from guanxi.touchpoints.models import Touchpoint, TouchpointKind

MONEY = {"max_digits": 14, "decimal_places": 2}


class TaskKind(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    BIRTHDAY_GIFT = "birthday_gift", _("Birthday gift")
    ANNIVERSARY_GIFT = "anniversary_gift", _("Anniversary gift")
    BANQUET = "banquet", _("Banquet")
    TRIP = "trip", _("Yearly trip")
    GROUP_INVITE = "group_invite", _("Invite to group")
    FOLLOW_UP = "follow_up", _("Follow-up")


# Which touchpoint kinds complete which task kinds.
COMPLETES: dict[str, set[str]] = {
    TaskKind.CALL: {TouchpointKind.CALL},
    TaskKind.VISIT: {TouchpointKind.VISIT},
    TaskKind.BIRTHDAY_GIFT: {TouchpointKind.GIFT},
    TaskKind.ANNIVERSARY_GIFT: {TouchpointKind.GIFT},
    TaskKind.BANQUET: {TouchpointKind.BANQUET},
    TaskKind.TRIP: {TouchpointKind.TRIP},
    TaskKind.GROUP_INVITE: {TouchpointKind.GROUP_INVITE},
    TaskKind.FOLLOW_UP: set(TouchpointKind.values),
}


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class TaskSource(models.TextChoices):
    POLICY = "policy", _("Tier policy")
    MANUAL = "manual", _("Added by hand")
    # Tasks the system writes for a reason of its own (not a tier policy).
    RECOVERY = "recovery", _("Detractor recovery")
    REFERRAL_ASK = "referral_ask", _("Referral ask")
    ESCALATION = "escalation", _("Case escalation")


class Task(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    due_date = models.DateField(_("due"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TaskSource.choices, default=TaskSource.MANUAL
    )
    # Policy tasks: what asked for it, and an idempotency key ("call", "birthday:42:2026" …).
    tier = models.ForeignKey(
        "tiers.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=80, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    role = models.CharField(
        _("to be done by"),
        max_length=30,
        blank=True,
        help_text=_("A named role (general manager, store manager …) when not the owner."),
    )
    budget = models.DecimalField(_("budget (CNY)"), null=True, blank=True, **MONEY)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    # The touchpoint that fulfilled it: one touchpoint completes at most one task.
    touchpoint = models.OneToOneField(
        Touchpoint,
        verbose_name=_("fulfilled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fulfilled_task",
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"]),
            models.Index(fields=["account", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "key"],
                condition=Q(status="open") & ~Q(key=""),
                name="uniq_open_task_key_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.due_date}"

    @property
    def on_time(self) -> bool | None:
        if self.status != TaskStatus.DONE or self.completed_at is None:
            return None
        return timezone.localdate(self.completed_at) <= self.due_date


class CalendarFeed(models.Model):
    """The secret behind a user's ICS feed URL; resetting it revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
