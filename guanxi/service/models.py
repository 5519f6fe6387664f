"""Service cases (客诉与服务请求): complaints, requests and praise, with SLA policies chosen by the
account's tier (the green channel, 绿色通道, seed 003), escalation of cases near or past their due
time, the LSPCAS handling steps (seed 001: 倾听、分担、澄清、提出方案、请求行动、跟进) and a small
knowledge base of solutions by category.

A case's due times are working time from when it was opened (`guanxi.service.calendar`): nights,
weekends and Chinese public holidays do not count and make-up working days (调休) do, unless its
SLA policy runs round the clock. Time spent waiting on the customer shifts the due times.
Every status change, escalation, pause and breach is a `CaseEvent`; `history` keeps the
field-level audit of the case.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.formatting import localised
from guanxi.tiers.models import Tier

MONEY = {"max_digits": 14, "decimal_places": 2}
HOURS = {"max_digits": 6, "decimal_places": 2}


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    REQUEST = "request", _("Request")  # 服务请求
    PRAISE = "praise", _("Praise")  # 表扬


class CaseChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    IN_PERSON = "in_person", _("In person")
    KAM = "kam", _("Through the KAM")
    ONLINE = "online", _("Online review or OTA")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


#: Statuses of a case still being handled (the SLA clock runs, except while waiting).
OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.ACKNOWLEDGED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING,
    CaseStatus.REOPENED,
)


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    TEAM_LEAD = 1, _("Team lead")
    DIRECTOR = 2, _("Director")


class CaseCategory(models.Model):
    """What a case is about (as data): room, F&B, billing, reservation …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return localised(self.name, self.name_en)


class SlaPolicy(models.Model):
    """How fast a case must be answered and resolved, chosen by the account's tier (the green
    channel for key accounts); the default policy serves accounts no policy names."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sla_policies",
        help_text=_("Accounts in this tier get this policy. Empty: only as the default."),
    )
    is_default = models.BooleanField(
        _("default policy"),
        default=False,
        help_text=_("For accounts whose tiers have no policy of their own."),
    )
    first_response_hours = models.DecimalField(_("first response within (hours)"), **HOURS)
    resolution_hours = models.DecimalField(_("resolution within (hours)"), **HOURS)
    around_the_clock = models.BooleanField(
        _("round the clock (24x7)"),
        default=False,
        help_text=_("Count every hour; otherwise only working hours on working days."),
    )
    work_starts = models.TimeField(_("working day starts"), default=dt.time(9, 0))
    work_ends = models.TimeField(_("working day ends"), default=dt.time(18, 0))
    near_breach_percent = models.PositiveSmallIntegerField(
        _("escalate when this share of the time is used (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["first_response_hours", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="uniq_sla_default"
            ),
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gt=0),
                name="sla_hours_gt_0",
            ),
            models.CheckConstraint(
                condition=Q(work_starts__lt=models.F("work_ends")), name="sla_work_day_order"
            ),
        ]

    def __str__(self) -> str:
        return localised(self.name, self.name_en)


class Case(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="cases"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    kind = models.CharField(pgettext_lazy("case", "kind"), max_length=12, choices=CaseKind.choices)
    channel = models.CharField(
        _("channel"), max_length=12, choices=CaseChannel.choices, default=CaseChannel.PHONE
    )
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    transaction = models.ForeignKey(
        "transactions.Transaction",
        verbose_name=_("transaction or stay"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    paused_at = models.DateTimeField(
        _("waiting on the customer since"), null=True, blank=True, editable=False
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    first_response_breached = models.BooleanField(_("first response late"), default=False)
    resolution_breached = models.BooleanField(_("resolution late"), default=False)
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    compensation_cost = models.DecimalField(
        _("compensation cost (CNY)"),
        default=0,
        validators=[MinValueValidator(0)],
        **MONEY,
    )
    rating = models.PositiveSmallIntegerField(
        _("customer's rating (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    survey = models.ForeignKey(
        "surveys.SurveyInvitation",
        verbose_name=_("satisfaction survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        help_text=_("The CSAT link sent to the contact when the case was resolved."),
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_escalated",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "resolution_due_at"], name="case_status_due"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            models.Index(fields=["account", "-opened_at"], name="case_account_opened"),
            models.Index(fields=["-opened_at", "-id"], name="case_latest"),
            models.Index(fields=["kind", "status"], name="case_kind_status"),
            models.Index(fields=["category"], name="case_category"),
            models.Index(fields=["resolution_breached"], name="case_res_breached"),
            models.Index(fields=["first_response_breached"], name="case_fr_breached"),
            models.Index(fields=["escalation_level"], name="case_escalation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_cost__gte=0), name="case_compensation_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status changed")
    PAUSED = "paused", _("SLA paused")
    RESUMED = "resumed", _("SLA resumed")
    ESCALATED = "escalated", _("Escalated")
    BREACHED = "breached", _("SLA breached")
    STEP = "step", _("Handling step done")
    COMPENSATION = "compensation", _("Compensation recorded")
    RATED = "rated", _("Rated by the customer")
    NOTE = "note", _("Note")


class CaseEvent(models.Model):
    """The case's timeline: every status change, pause, escalation and breach, who and when."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=14, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=14, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=14, choices=CaseStatus.choices, blank=True)
    level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class LspcasStep(models.TextChoices):
    """The complaint-handling steps of seed 001, in order."""

    LISTEN = "listen", pgettext_lazy("handling step", "Listen")  # 倾听
    SHARE = "share", pgettext_lazy("handling step", "Share")  # 分担
    CLARIFY = "clarify", pgettext_lazy("handling step", "Clarify")  # 澄清
    PRESENT = "present", pgettext_lazy("handling step", "Present solutions")  # 提出方案
    ASK = "ask", pgettext_lazy("handling step", "Ask for action")  # 请求行动
    FOLLOW_UP = "follow_up", pgettext_lazy("handling step", "Follow up")  # 跟进


class CaseStep(models.Model):
    """One LSPCAS step done on a case (a row only once done)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("step"), max_length=10, choices=LspcasStep.choices)
    done_at = models.DateTimeField(_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("handling step")
        verbose_name_plural = _("handling steps")
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="uniq_case_step"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_step_display()}"


class Solution(models.Model):
    """A known answer to a kind of problem (knowledge base), suggested on cases of its category."""

    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="solutions",
    )
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("what to do (Chinese)"))
    body_en = models.TextField(_("what to do (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions (knowledge base)")
        ordering = ["category", "position", "id"]

    def __str__(self) -> str:
        return localised(self.title, self.title_en)

    @property
    def text(self) -> str:
        return localised(self.body, self.body_en)


class CalendarDay(models.Model):
    """A day the company's calendar sets itself (工作日历): a public holiday (off) or a make-up
    working day (调休, on). SLA due times read these before the holiday packages — for next
    year's schedule, published each November, or a company holiday of its own."""

    day = models.DateField(_("day"), unique=True)
    is_working = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: a make-up working day (e.g. a Saturday worked). Empty: a day off."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}".strip()
